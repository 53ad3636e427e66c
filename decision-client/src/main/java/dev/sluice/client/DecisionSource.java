package dev.sluice.client;

/** Which path produced a {@link ClientDecision}. */
public enum DecisionSource {
  /** The Sluice service answered before the deadline: the decision is the service's own. */
  SERVICE,
  /**
   * Answered in this process, without a round trip, from lease state the service gave this client
   * for the check's (key, metadata) pair (only with {@link DecisionClientConfig#leasing()} on): a
   * permit of a live lease, a cached denial (until its {@code retryAfterMs}, bounded), or a cached
   * {@code NO_MATCHING_RULE}. {@link ClientDecision#cause()} is {@link FailureCause#NONE}.
   */
  LEASE,
  /** No service answer ({@link ClientDecision#cause()} says why); allowed by policy. */
  FAIL_OPEN,
  /** No service answer ({@link ClientDecision#cause()} says why); denied by policy. */
  FAIL_CLOSED,
  /**
   * No service answer ({@link ClientDecision#cause()} says why); decided by this instance's
   * in-process approximate limiter from the rules topic and its share of each limit.
   */
  LOCAL_FALLBACK
}
