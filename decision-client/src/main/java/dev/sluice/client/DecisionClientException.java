package dev.sluice.client;

/**
 * {@link DecisionClient#create} could not start: a topic is missing, the broker was unreachable, no
 * reply partition was assigned within the startup timeout, or Kafka rejected a client property. The
 * message says which, and what to check. Checks themselves never throw it: they complete by policy
 * instead.
 */
public class DecisionClientException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * An error with an actionable message.
   *
   * @param message what failed and what to check
   */
  public DecisionClientException(String message) {
    super(message);
  }

  /**
   * An error with an actionable message and its cause.
   *
   * @param message what failed and what to check
   * @param cause the Kafka or I/O exception behind it
   */
  public DecisionClientException(String message, Throwable cause) {
    super(message, cause);
  }
}
