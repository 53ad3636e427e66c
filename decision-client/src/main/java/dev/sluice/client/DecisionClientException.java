package dev.sluice.client;

/**
 * {@link DecisionClient#create} could not start: a topic is missing, the broker was unreachable, no
 * reply partition was assigned within the startup timeout, or Kafka rejected a client property. The
 * message says which, and what to check. Checks themselves never throw it: they complete by policy
 * instead.
 */
public class DecisionClientException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** An error with an actionable message. */
  public DecisionClientException(String message) {
    super(message);
  }

  /** An error with an actionable message and its cause. */
  public DecisionClientException(String message, Throwable cause) {
    super(message, cause);
  }
}
