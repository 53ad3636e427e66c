package dev.sluice.client;

/** Why a {@link ClientDecision} came from the failure policy rather than the service. */
public enum FailureCause {
  /** Not a failure: the service answered ({@link DecisionSource#SERVICE}). */
  NONE,
  /** No decision arrived before the check's deadline (the configured timeout). */
  TIMEOUT,
  /** The producer could not send the request (its error is logged and counted). */
  SEND_FAILED,
  /** The client already had its configured maximum of checks in flight. */
  OVERLOADED,
  /**
   * The client owned no reply partition (all were revoked, or the reply consumer group has more
   * members than the reply topic has partitions).
   */
  NO_REPLY_PARTITION,
  /** The client was closed before a decision arrived, or was already closed. */
  CLOSED
}
