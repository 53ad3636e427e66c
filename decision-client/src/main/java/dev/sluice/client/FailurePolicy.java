package dev.sluice.client;

/**
 * What a check completes with when the service gives no decision in time, the request cannot be
 * sent, the client is over its in-flight cap, has no reply partition, or is closed.
 */
public enum FailurePolicy {
  /** Allow ({@link DecisionSource#FAIL_OPEN}): availability over strictness. The default. */
  FAIL_OPEN,
  /** Deny ({@link DecisionSource#FAIL_CLOSED}): strictness over availability. */
  FAIL_CLOSED,
  /**
   * Decide locally ({@link DecisionSource#LOCAL_FALLBACK}) with the rules read from the rules topic
   * and this instance's configured share of each limit. Costs one more consumer and thread, and
   * memory for the rules and a bounded set of local counters.
   */
  LOCAL_FALLBACK;

  DecisionSource source() {
    return switch (this) {
      case FAIL_OPEN -> DecisionSource.FAIL_OPEN;
      case FAIL_CLOSED -> DecisionSource.FAIL_CLOSED;
      case LOCAL_FALLBACK -> DecisionSource.LOCAL_FALLBACK;
    };
  }
}
