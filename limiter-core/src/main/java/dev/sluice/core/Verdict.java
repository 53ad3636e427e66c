package dev.sluice.core;

import java.util.Objects;

/**
 * A decision as SPEC section 6 defines it, independent of any wire format.
 *
 * @param requestId the request's correlation id, or null when it had none usable
 * @param key the request key, or null when it had none usable
 * @param allowed whether the caller may proceed (forced true for shadow rules)
 * @param reason why
 * @param ruleId the applied rule, or null
 * @param limit the applied rule's limit, or -1
 * @param remaining permits left after the decision, or -1
 * @param resetAfterMs milliseconds from {@code timestampMs} until the window resets, or -1
 * @param retryAfterMs 0 when allowed; the least wait after which the request would pass; -1
 *     never/none
 * @param granted permits charged: the granted cost when allowed, 0 when denied or for a cost-0
 *     check, -1 when no rule applied or the request was invalid
 * @param limitIndex index of the binding limit in the applied rule (0 for a one-limit rule), -1
 *     when no rule applied or the request was invalid
 * @param timestampMs the effective time t' (the raw request time when no counter was involved)
 * @param shadow true when the applied rule is in shadow mode
 * @param message for {@link Reason#INVALID_REQUEST}, which field was wrong and why; else null
 */
public record Verdict(
    String requestId,
    String key,
    boolean allowed,
    Reason reason,
    String ruleId,
    long limit,
    long remaining,
    long resetAfterMs,
    long retryAfterMs,
    long granted,
    int limitIndex,
    long timestampMs,
    boolean shadow,
    String message) {

  /**
   * Checks only that {@code reason} is present; the other fields are taken as given (the algorithms
   * and the codecs are what keep them consistent).
   *
   * @param requestId the correlation id, or null
   * @param key the request key, or null
   * @param allowed whether the caller may proceed
   * @param reason why; never null
   * @param ruleId the applied rule's id, or null
   * @param limit the applied rule's limit, or -1
   * @param remaining permits left after the decision, or -1
   * @param resetAfterMs milliseconds from {@code timestampMs} until the window resets, or -1
   * @param retryAfterMs 0 when allowed, the least wait in milliseconds when denied, -1 for never
   * @param granted permits charged, 0 when denied, -1 when no rule applied
   * @param limitIndex the binding limit's index, -1 when no rule applied
   * @param timestampMs the effective time t' in epoch milliseconds
   * @param shadow whether the applied rule is in shadow mode
   * @param message what was wrong with an invalid request, or null
   * @throws NullPointerException when {@code reason} is null
   */
  public Verdict {
    Objects.requireNonNull(reason, "reason");
  }

  /**
   * The decision for a request that matched no rule: allowed, nothing charged, every counter field
   * -1 (SPEC 3).
   *
   * @param requestId the request's correlation id, or null
   * @param key the request key, or null
   * @param timestampMs the raw request time in epoch milliseconds
   * @return a {@link Reason#NO_MATCHING_RULE} verdict
   */
  public static Verdict noMatchingRule(String requestId, String key, long timestampMs) {
    return new Verdict(
        requestId,
        key,
        true,
        Reason.NO_MATCHING_RULE,
        null,
        -1,
        -1,
        -1,
        -1,
        -1,
        -1,
        timestampMs,
        false,
        null);
  }

  /**
   * The decision for a request that broke SPEC 2: denied, nothing charged, {@code message} says
   * why.
   *
   * @param requestId the request's correlation id, or null when it had none usable
   * @param key the request key, or null when it had none usable
   * @param timestampMs the raw request time in epoch milliseconds
   * @param message which field was wrong and why; never null
   * @return a {@link Reason#INVALID_REQUEST} verdict
   * @throws NullPointerException when {@code message} is null
   */
  public static Verdict invalidRequest(
      String requestId, String key, long timestampMs, String message) {
    return new Verdict(
        requestId,
        key,
        false,
        Reason.INVALID_REQUEST,
        null,
        -1,
        -1,
        -1,
        -1,
        -1,
        -1,
        timestampMs,
        false,
        Objects.requireNonNull(message, "message"));
  }
}
