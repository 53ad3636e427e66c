package dev.sluice.client;

import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders a decision as HTTP response headers per draft-ietf-httpapi-ratelimit-headers-10, for
 * services that answer their own callers after a check. Stateless; each call allocates one small
 * map and its strings.
 *
 * <pre>
 * RateLimit-Policy: "per-user";q=100;w=60
 * RateLimit: "per-user";r=0;t=17
 * Retry-After: 17
 * </pre>
 *
 * <ul>
 *   <li>{@code RateLimit-Policy}: a one-item Structured Fields list; the item is the applied rule
 *       id as an sf-string (the policy name), {@code q} the decision's {@code limit} and {@code w}
 *       the rule's window in seconds. A decision does not carry the window, so {@code w} comes from
 *       the {@code windowSeconds} argument, or from {@link ClientDecision#windowSeconds()} when the
 *       client knows it (local fallback decisions); when unknown, {@code w} is omitted (the draft
 *       makes it optional).
 *   <li>{@code RateLimit}: the same policy name, {@code r} the remaining permits and {@code t} the
 *       seconds until the window resets, {@code resetAfterMs} rounded up (omitted if unknown).
 *   <li>{@code Retry-After}: only for a denied decision, {@code retryAfterMs} in seconds rounded
 *       up; omitted when the request could never pass ({@code retryAfterMs = -1}).
 * </ul>
 *
 * No headers at all (an empty map) for decisions that applied no rule: {@link
 * Reason#NO_MATCHING_RULE}, {@link Reason#INVALID_REQUEST} and the {@link DecisionSource#FAIL_OPEN}
 * / {@link DecisionSource#FAIL_CLOSED} policy decisions; nor for shadow decisions, whose rule is
 * not enforced and whose quota would mislead callers into throttling themselves.
 */
public final class RateLimitHeaders {
  /** Header name of the quota policy. */
  public static final String POLICY = "RateLimit-Policy";

  /** Header name of the current service limit. */
  public static final String RATE_LIMIT = "RateLimit";

  /** Header name of the retry delay on denials. */
  public static final String RETRY_AFTER = "Retry-After";

  private RateLimitHeaders() {}

  /**
   * Headers for {@code decision}, with {@code w} from {@link ClientDecision#windowSeconds()} when
   * known.
   *
   * @param decision the client's decision; not null
   * @return header name to value, in the order above; empty when the decision gets none
   * @throws IllegalArgumentException when the rule id cannot be an sf-string (not printable ASCII)
   */
  public static Map<String, String> of(ClientDecision decision) {
    return of(decision.verdict(), decision.windowSeconds());
  }

  /**
   * Headers for {@code decision} with the applied rule's window given by the caller (e.g. from its
   * own rule catalogue).
   *
   * @param decision the client's decision; not null
   * @param windowSeconds the window in seconds, or -1 when unknown ({@code w} omitted)
   * @return header name to value, in the order above; empty when the decision gets none
   * @throws IllegalArgumentException when {@code windowSeconds} is 0 or below -1, or the rule id
   *     cannot be an sf-string (not printable ASCII)
   */
  public static Map<String, String> of(ClientDecision decision, long windowSeconds) {
    return of(decision.verdict(), windowSeconds);
  }

  /**
   * Headers for a bare {@link Verdict}.
   *
   * @param verdict the decision fields; not null
   * @param windowSeconds the window in seconds, or -1 when unknown ({@code w} omitted)
   * @return header name to value, in the order above; empty when the decision gets none
   * @throws IllegalArgumentException when {@code windowSeconds} is 0 or below -1, or the rule id
   *     cannot be an sf-string (not printable ASCII)
   */
  public static Map<String, String> of(Verdict verdict, long windowSeconds) {
    if (windowSeconds == 0 || windowSeconds < -1) {
      throw new IllegalArgumentException(
          "windowSeconds: must be >= 1, or -1 when unknown (got " + windowSeconds + ")");
    }
    if (verdict.reason() == Reason.NO_MATCHING_RULE
        || verdict.reason() == Reason.INVALID_REQUEST
        || verdict.ruleId() == null
        || verdict.limit() < 0
        || verdict.shadow()) {
      return Map.of();
    }
    String name = sfString(verdict.ruleId());
    Map<String, String> headers = new LinkedHashMap<>(4);
    StringBuilder policy = new StringBuilder(name).append(";q=").append(verdict.limit());
    if (windowSeconds > 0) {
      policy.append(";w=").append(windowSeconds);
    }
    headers.put(POLICY, policy.toString());
    StringBuilder limit =
        new StringBuilder(name).append(";r=").append(Math.max(0, verdict.remaining()));
    if (verdict.resetAfterMs() >= 0) {
      limit.append(";t=").append(ceilSeconds(verdict.resetAfterMs()));
    }
    headers.put(RATE_LIMIT, limit.toString());
    if (!verdict.allowed() && verdict.retryAfterMs() >= 0) {
      headers.put(RETRY_AFTER, Long.toString(ceilSeconds(verdict.retryAfterMs())));
    }
    return Collections.unmodifiableMap(headers);
  }

  private static long ceilSeconds(long ms) {
    return ms / 1000 + (ms % 1000 == 0 ? 0 : 1);
  }

  /** RFC 9651 sf-string: printable ASCII in double quotes, with {@code "} and {@code \} escaped. */
  static String sfString(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7E) {
        throw new IllegalArgumentException(
            "ruleId: must be printable ASCII to name a rate-limit policy (got " + s + ")");
      }
      if (c == '"' || c == '\\') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.append('"').toString();
  }
}
