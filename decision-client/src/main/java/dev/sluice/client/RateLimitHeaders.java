package dev.sluice.client;

import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a decision as HTTP response headers per draft-ietf-httpapi-ratelimit-headers-10, for
 * services that answer their own callers after a check. Stateless; each call allocates one small
 * map and its strings.
 *
 * <pre>
 * RateLimit-Policy: "api";q=10;w=1, "api#1";q=10000;w=86400
 * RateLimit: "api#1";r=0;t=3600
 * Retry-After: 3600
 * </pre>
 *
 * <ul>
 *   <li>{@code RateLimit-Policy}: a Structured Fields list with one item per limit of the applied
 *       rule that the renderer knows, by limit index. An item is the policy name as an sf-string,
 *       {@code q} the limit's permits and {@code w} its window in seconds.
 *   <li>{@code RateLimit}: the binding limit only (the decision's {@link Verdict#limitIndex()}, the
 *       one its {@code limit}, {@code remaining} and {@code resetAfterMs} describe): its policy
 *       name, {@code r} the remaining permits and {@code t} the seconds until its window resets,
 *       {@code resetAfterMs} rounded up (omitted if unknown).
 *   <li>{@code Retry-After}: only for a denied decision, {@code retryAfterMs} in seconds rounded
 *       up; omitted when the request could never pass ({@code retryAfterMs = -1}).
 * </ul>
 *
 * <p>Policy names: limit index 0 is named by the rule id ({@code "api"}), index {@code i >= 1} by
 * the rule id, {@code #} and the index ({@code "api#1"}). So a one-limit rule's headers read as
 * they always have, every item of one rule has its own name, and no name can be another rule's
 * (rule ids never contain {@code #}). A limit's name does not depend on what the renderer knows, so
 * the {@code RateLimit} item always names one of the {@code RateLimit-Policy} items.
 *
 * <p>What the renderer knows. A decision carries its binding limit only ({@code limit}; the window
 * is not in it). When every limit of the rule is known, from {@link ClientDecision#quotas()} (local
 * fallback decisions) or given by the caller ({@link #of(Verdict, List)}, e.g. from its own rule
 * catalogue), {@code RateLimit-Policy} lists them all. Otherwise (a decision from the service,
 * rendered with {@link #of(ClientDecision)} or {@link #of(Verdict, long)}) it lists the binding
 * limit alone, with its {@code w} when the window is known: what the decision says, and no more. A
 * decision from a service older than contract version 2 has {@code limitIndex} -1; it is read as
 * index 0, the only limit such a service has.
 *
 * <p>No headers at all (an empty map) for decisions that applied no rule: {@link
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

  /**
   * One limit of a rule as a quota policy: the {@code q} and {@code w} of a {@code
   * RateLimit-Policy} item.
   *
   * @param limit permits per window, 0 or more
   * @param windowSeconds window length in seconds, 1 or more
   */
  public record Quota(long limit, long windowSeconds) {
    /**
     * Checks the ranges.
     *
     * @param limit permits per window, 0 or more
     * @param windowSeconds window length in seconds, 1 or more
     * @throws IllegalArgumentException naming the field when it is out of range
     */
    public Quota {
      if (limit < 0) {
        throw new IllegalArgumentException("limit: must be >= 0 (got " + limit + ")");
      }
      if (windowSeconds < 1) {
        throw new IllegalArgumentException(
            "windowSeconds: must be >= 1 (got " + windowSeconds + ")");
      }
    }
  }

  private RateLimitHeaders() {}

  /**
   * Headers for {@code decision}: every limit of the rule when {@link ClientDecision#quotas()}
   * holds them, else the binding limit with {@code w} from {@link ClientDecision#windowSeconds()}
   * when known.
   *
   * @param decision the client's decision; not null
   * @return header name to value, in the order above; empty when the decision gets none
   * @throws IllegalArgumentException when the rule id cannot be an sf-string (not printable ASCII)
   */
  public static Map<String, String> of(ClientDecision decision) {
    if (!decision.quotas().isEmpty()) {
      return of(decision.verdict(), decision.quotas());
    }
    return of(decision.verdict(), decision.windowSeconds());
  }

  /**
   * Headers for {@code decision} with the binding limit's window given by the caller (e.g. from its
   * own rule catalogue); {@code RateLimit-Policy} lists the binding limit only.
   *
   * @param decision the client's decision; not null
   * @param windowSeconds the binding limit's window in seconds, or -1 when unknown ({@code w}
   *     omitted)
   * @return header name to value, in the order above; empty when the decision gets none
   * @throws IllegalArgumentException when {@code windowSeconds} is 0 or below -1, or the rule id
   *     cannot be an sf-string (not printable ASCII)
   */
  public static Map<String, String> of(ClientDecision decision, long windowSeconds) {
    return of(decision.verdict(), windowSeconds);
  }

  /**
   * Headers for a bare {@link Verdict}, which names its binding limit only: {@code
   * RateLimit-Policy} lists that one.
   *
   * @param verdict the decision fields; not null
   * @param windowSeconds the binding limit's window in seconds, or -1 when unknown ({@code w}
   *     omitted)
   * @return header name to value, in the order above; empty when the decision gets none
   * @throws IllegalArgumentException when {@code windowSeconds} is 0 or below -1, or the rule id
   *     cannot be an sf-string (not printable ASCII)
   */
  public static Map<String, String> of(Verdict verdict, long windowSeconds) {
    if (windowSeconds == 0 || windowSeconds < -1) {
      throw new IllegalArgumentException(
          "windowSeconds: must be >= 1, or -1 when unknown (got " + windowSeconds + ")");
    }
    if (!applies(verdict)) {
      return Map.of();
    }
    int binding = Math.max(0, verdict.limitIndex());
    StringBuilder policy = item(verdict.ruleId(), binding, verdict.limit());
    if (windowSeconds > 0) {
      policy.append(";w=").append(windowSeconds);
    }
    return headers(verdict, binding, policy.toString());
  }

  /**
   * Headers for a {@link Verdict} with every limit of its applied rule given by the caller: {@code
   * RateLimit-Policy} lists them all, by index. The binding item's {@code q} is the decision's
   * {@code limit} (the one the decision was made against), the others' the given quotas'.
   *
   * @param verdict the decision fields; not null
   * @param quotas the applied rule's limits by index; not null, not empty
   * @return header name to value, in the order above; empty when the decision gets none
   * @throws IllegalArgumentException when {@code quotas} is empty or has no entry at the decision's
   *     {@code limitIndex}, or the rule id cannot be an sf-string (not printable ASCII)
   */
  public static Map<String, String> of(Verdict verdict, List<Quota> quotas) {
    int binding = Math.max(0, verdict.limitIndex());
    if (binding >= quotas.size()) {
      throw new IllegalArgumentException(
          "quotas: must hold the binding limit index "
              + binding
              + " (got "
              + quotas.size()
              + " entries)");
    }
    if (!applies(verdict)) {
      return Map.of();
    }
    StringBuilder policy = new StringBuilder();
    for (int i = 0; i < quotas.size(); i++) {
      Quota q = quotas.get(i);
      if (i > 0) {
        policy.append(", ");
      }
      policy
          .append(item(verdict.ruleId(), i, i == binding ? verdict.limit() : q.limit()))
          .append(";w=")
          .append(q.windowSeconds());
    }
    return headers(verdict, binding, policy.toString());
  }

  /**
   * The policy name of limit {@code index} of rule {@code ruleId} (see the class comment), as an
   * sf-string.
   *
   * @param ruleId the rule id; not null
   * @param index the limit index, 0 or more
   * @return {@code "ruleId"} for index 0, {@code "ruleId#index"} otherwise, quoted
   * @throws IllegalArgumentException when the rule id cannot be an sf-string (not printable ASCII)
   */
  public static String policyName(String ruleId, int index) {
    return sfString(index == 0 ? ruleId : ruleId + "#" + index);
  }

  private static boolean applies(Verdict verdict) {
    return verdict.reason() != Reason.NO_MATCHING_RULE
        && verdict.reason() != Reason.INVALID_REQUEST
        && verdict.ruleId() != null
        && verdict.limit() >= 0
        && !verdict.shadow();
  }

  private static StringBuilder item(String ruleId, int index, long limit) {
    return new StringBuilder(policyName(ruleId, index)).append(";q=").append(limit);
  }

  private static Map<String, String> headers(Verdict verdict, int binding, String policy) {
    Map<String, String> headers = new LinkedHashMap<>(4);
    headers.put(POLICY, policy);
    StringBuilder limit =
        new StringBuilder(policyName(verdict.ruleId(), binding))
            .append(";r=")
            .append(Math.max(0, verdict.remaining()));
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
