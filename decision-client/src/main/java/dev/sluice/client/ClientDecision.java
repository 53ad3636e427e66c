package dev.sluice.client;

import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import java.util.List;
import java.util.Objects;

/**
 * A decision as the caller sees it: the SPEC 6 fields ({@link #verdict()}, with shortcuts below),
 * the path that produced it ({@link #source()}) and, when that path was the failure policy, why
 * ({@link #cause()}). Immutable.
 *
 * <p>Policy decisions ({@link DecisionSource#FAIL_OPEN}, {@link DecisionSource#FAIL_CLOSED}) carry
 * no rule: {@code reason} is {@link Reason#ALLOWED} or {@link Reason#RATE_LIMITED}, {@code ruleId}
 * is null and {@code limit}, {@code remaining}, {@code resetAfterMs}, {@code retryAfterMs}, {@code
 * granted} and {@code limitIndex} are -1; {@code timestampMs} is the client's wall clock when the
 * policy applied. {@link DecisionSource#LEASE} decisions (client-side leases) carry the rule, limit
 * index and {@code limit} of the service decision that created the lease; {@code remaining} is what
 * the service reported left at that grant plus what the lease still holds, {@code resetAfterMs} the
 * grant's counted down on the client's clock, {@code granted} the check's cost, and {@code
 * timestampMs} the client's wall clock when the permit was spent. A cached denial carries the
 * service's denial with {@code retryAfterMs} counted down on the client's clock. {@link
 * DecisionSource#LOCAL_FALLBACK} decisions are the local limiter's verdict, with {@code limit} this
 * instance's share of the rule's limit.
 *
 * @param verdict the SPEC 6 decision fields
 * @param source which path produced the decision
 * @param cause {@link FailureCause#NONE} for {@link DecisionSource#SERVICE} and {@link
 *     DecisionSource#LEASE}, else why the policy applied
 * @param windowSeconds the binding limit's window in seconds (the limit at {@link #limitIndex()})
 *     when the client knows it (local fallback decisions), else -1; see {@link RateLimitHeaders}
 * @param quotas every limit of the applied rule by index, as the client evaluated them, when it
 *     knows the rule (local fallback decisions: this instance's share of each limit); else empty (a
 *     service decision carries only its binding limit). {@link RateLimitHeaders} lists them all.
 */
public record ClientDecision(
    Verdict verdict,
    DecisionSource source,
    FailureCause cause,
    long windowSeconds,
    List<RateLimitHeaders.Quota> quotas) {

  /**
   * Checks that {@code source} and {@code cause} agree.
   *
   * @param verdict the SPEC 6 decision fields; not null
   * @param source which path produced the decision; not null
   * @param cause {@link FailureCause#NONE} exactly when {@code source} is {@link
   *     DecisionSource#SERVICE} or {@link DecisionSource#LEASE}; not null
   * @param windowSeconds the binding limit's window in seconds, or -1 when unknown
   * @param quotas the applied rule's limits by index, or empty when unknown; not null, copied
   * @throws NullPointerException when {@code verdict}, {@code source}, {@code cause} or {@code
   *     quotas} is null
   * @throws IllegalArgumentException when {@code source} and {@code cause} disagree, or {@code
   *     quotas} is not empty and has no entry at the verdict's {@code limitIndex}
   */
  public ClientDecision {
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(cause, "cause");
    quotas = List.copyOf(quotas);
    boolean answered = source == DecisionSource.SERVICE || source == DecisionSource.LEASE;
    if (answered != (cause == FailureCause.NONE)) {
      throw new IllegalArgumentException(
          "cause: must be NONE exactly when source is SERVICE or LEASE (got "
              + source
              + "/"
              + cause
              + ")");
    }
    if (!quotas.isEmpty() && (verdict.limitIndex() < 0 || verdict.limitIndex() >= quotas.size())) {
      throw new IllegalArgumentException(
          "quotas: must hold the binding limit index "
              + verdict.limitIndex()
              + " (got "
              + quotas.size()
              + " entries)");
    }
  }

  /**
   * A decision whose rule the client does not know beyond the verdict ({@code quotas} empty).
   *
   * @param verdict the SPEC 6 decision fields; not null
   * @param source which path produced the decision; not null
   * @param cause {@link FailureCause#NONE} exactly when {@code source} is {@link
   *     DecisionSource#SERVICE} or {@link DecisionSource#LEASE}; not null
   * @param windowSeconds the binding limit's window in seconds, or -1 when unknown
   * @throws NullPointerException when {@code verdict}, {@code source} or {@code cause} is null
   * @throws IllegalArgumentException when {@code source} and {@code cause} disagree
   */
  public ClientDecision(
      Verdict verdict, DecisionSource source, FailureCause cause, long windowSeconds) {
    this(verdict, source, cause, windowSeconds, List.of());
  }

  /**
   * {@return the request's correlation id, echoed (the generated one when the caller gave none)}
   */
  public String requestId() {
    return verdict.requestId();
  }

  /** {@return the request key, echoed} */
  public String key() {
    return verdict.key();
  }

  /**
   * Whether the caller may proceed. Always true for a shadow rule's decision, and for {@link
   * DecisionSource#FAIL_OPEN}.
   *
   * @return true to let the request through
   */
  public boolean allowed() {
    return verdict.allowed();
  }

  /**
   * Why the decision came out as it did. For a shadow rule this is the would-be reason, so {@link
   * Reason#RATE_LIMITED} may come with {@code allowed() == true}.
   *
   * @return the reason; never null
   */
  public Reason reason() {
    return verdict.reason();
  }

  /**
   * {@return the applied rule's id, or null when no rule was applied (no match, invalid request,
   * static policy)}
   */
  public String ruleId() {
    return verdict.ruleId();
  }

  /**
   * {@return the binding limit's permits per window (see {@link #limitIndex()}; this instance's
   * share for local fallback), or -1 when no rule was applied}
   */
  public long limit() {
    return verdict.limit();
  }

  /**
   * {@return permits left in the window after the decision (0 or more), or -1 when no rule was
   * applied}
   */
  public long remaining() {
    return verdict.remaining();
  }

  /**
   * {@return milliseconds from {@link #timestampMs()} until the window resets, or -1 when no rule
   * was applied}
   */
  public long resetAfterMs() {
    return verdict.resetAfterMs();
  }

  /**
   * How long to wait before retrying, measured from {@link #timestampMs()}.
   *
   * @return 0 when allowed; when denied, the least wait in milliseconds after which the same
   *     request would pass if nothing else arrived; -1 when it never would (cost above the limit)
   *     or is unknown
   */
  public long retryAfterMs() {
    return verdict.retryAfterMs();
  }

  /**
   * How many permits the decision charged: what the caller may now use. Equal to the request's cost
   * for a plain check; between cost and {@link CheckRequest#maxCost()} for a partial-grant check,
   * as many as every limit of the rule allowed.
   *
   * @return the permits charged when allowed (for a shadow rule's would-be denial, 0 although
   *     {@link #allowed()} is true); 0 when denied and for a check-only request (cost 0); -1 when
   *     no rule was applied (no match, invalid request, static policy) or the decision came from a
   *     service older than contract version 2, which did not report it
   */
  public long granted() {
    return verdict.granted();
  }

  /**
   * Which limit of the applied rule the decision reports: {@link #limit()}, {@link #remaining()},
   * {@link #resetAfterMs()} and {@link #retryAfterMs()} are that limit's. When allowed it is the
   * limit with the fewest permits left; when denied, the denying limit with the longest wait.
   *
   * @return the limit's index in the rule's {@code limits} (0 for a rule with a single top-level
   *     limit); -1 when no rule was applied (no match, invalid request, static policy) or the
   *     decision came from a service older than contract version 2
   */
  public int limitIndex() {
    return verdict.limitIndex();
  }

  /**
   * The decision's effective time: the t' (SPEC 4) of the counter that decided, the service's or
   * the local fallback's; the client's wall clock for a static policy decision.
   *
   * @return epoch milliseconds
   */
  public long timestampMs() {
    return verdict.timestampMs();
  }

  /**
   * {@return true when the applied rule is in shadow mode (the decision is then always allowed)}
   */
  public boolean shadow() {
    return verdict.shadow();
  }

  /**
   * {@return for an {@link Reason#INVALID_REQUEST} decision, which field was wrong and why; else
   * null}
   */
  public String message() {
    return verdict.message();
  }

  static ClientDecision fromService(Verdict verdict) {
    return new ClientDecision(verdict, DecisionSource.SERVICE, FailureCause.NONE, -1);
  }

  /** A FAIL_OPEN or FAIL_CLOSED decision (see the class comment for its fields). */
  static ClientDecision byStaticPolicy(
      boolean allow, String requestId, String key, long nowMs, FailureCause cause) {
    Verdict v =
        new Verdict(
            requestId,
            key,
            allow,
            allow ? Reason.ALLOWED : Reason.RATE_LIMITED,
            null,
            -1,
            -1,
            -1,
            -1,
            -1,
            -1,
            nowMs,
            false,
            null);
    return new ClientDecision(
        v, allow ? DecisionSource.FAIL_OPEN : DecisionSource.FAIL_CLOSED, cause, -1);
  }
}
