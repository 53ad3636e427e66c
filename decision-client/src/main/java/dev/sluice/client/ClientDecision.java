package dev.sluice.client;

import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import java.util.Objects;

/**
 * A decision as the caller sees it: the SPEC 6 fields ({@link #verdict()}, with shortcuts below),
 * the path that produced it ({@link #source()}) and, when that path was the failure policy, why
 * ({@link #cause()}). Immutable.
 *
 * <p>Policy decisions ({@link DecisionSource#FAIL_OPEN}, {@link DecisionSource#FAIL_CLOSED}) carry
 * no rule: {@code reason} is {@link Reason#ALLOWED} or {@link Reason#RATE_LIMITED}, {@code ruleId}
 * is null and {@code limit}, {@code remaining}, {@code resetAfterMs} and {@code retryAfterMs} are
 * -1; {@code timestampMs} is the client's wall clock when the policy applied. {@link
 * DecisionSource#LOCAL_FALLBACK} decisions are the local limiter's verdict, with {@code limit} this
 * instance's share of the rule's limit.
 *
 * @param verdict the SPEC 6 decision fields
 * @param source which path produced the decision
 * @param cause {@link FailureCause#NONE} for {@link DecisionSource#SERVICE}, else why the policy
 *     applied
 * @param windowSeconds the applied rule's window in seconds when the client knows it (local
 *     fallback decisions), else -1; see {@link RateLimitHeaders}
 */
public record ClientDecision(
    Verdict verdict, DecisionSource source, FailureCause cause, long windowSeconds) {

  /** Checks that {@code source} and {@code cause} agree. */
  public ClientDecision {
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(cause, "cause");
    if ((source == DecisionSource.SERVICE) != (cause == FailureCause.NONE)) {
      throw new IllegalArgumentException(
          "cause: must be NONE exactly when source is SERVICE (got " + source + "/" + cause + ")");
    }
  }

  /** The request id, echoed. */
  public String requestId() {
    return verdict.requestId();
  }

  /** The request key, echoed. */
  public String key() {
    return verdict.key();
  }

  /** Whether the caller may proceed. */
  public boolean allowed() {
    return verdict.allowed();
  }

  /** Why the decision came out as it did. */
  public Reason reason() {
    return verdict.reason();
  }

  /** The applied rule, or null. */
  public String ruleId() {
    return verdict.ruleId();
  }

  /** The applied rule's limit, or -1. */
  public long limit() {
    return verdict.limit();
  }

  /** Permits left after the decision, or -1. */
  public long remaining() {
    return verdict.remaining();
  }

  /** Milliseconds from {@link #timestampMs()} until the window resets, or -1. */
  public long resetAfterMs() {
    return verdict.resetAfterMs();
  }

  /** 0 when allowed; the least wait after which the request would pass; -1 never or unknown. */
  public long retryAfterMs() {
    return verdict.retryAfterMs();
  }

  /** The decision's effective time in epoch milliseconds. */
  public long timestampMs() {
    return verdict.timestampMs();
  }

  /** True when the applied rule is in shadow mode. */
  public boolean shadow() {
    return verdict.shadow();
  }

  /** For an invalid request, which field was wrong and why; else null. */
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
            nowMs,
            false,
            null);
    return new ClientDecision(
        v, allow ? DecisionSource.FAIL_OPEN : DecisionSource.FAIL_CLOSED, cause, -1);
  }
}
