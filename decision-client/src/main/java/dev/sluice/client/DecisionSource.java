package dev.sluice.client;

/** Which path produced a {@link ClientDecision}. */
public enum DecisionSource {
  /** The Sluice service answered before the deadline: the decision is the service's own. */
  SERVICE,
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
