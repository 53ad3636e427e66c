package dev.sluice.topology;

/**
 * A request's reply topic cannot be written (absent, not writable by the service, or failing). The
 * limiter has already answered the request ({@code INVALID_REQUEST} on the decisions topic) when it
 * throws this; it only hands the request to {@link DeadLetterProcessingHandler}, which dead-letters
 * the raw request with this message at stage {@link DeadLetters.Stage#REPLY_TOPIC} and goes on.
 */
final class ReplyTopicUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ReplyTopicUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
