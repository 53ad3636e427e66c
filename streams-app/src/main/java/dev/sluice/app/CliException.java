package dev.sluice.app;

/**
 * A command failed for a reason the user can act on; {@link SluiceMain} prints the message (no
 * stack trace) and exits with {@link #exitCode()}.
 */
public class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  /** A failure (exit code 1) with a message that says what went wrong and what to do. */
  public CliException(String message) {
    this(message, 1, null);
  }

  /** A failure (exit code 1) caused by {@code cause}. */
  public CliException(String message, Throwable cause) {
    this(message, 1, cause);
  }

  CliException(String message, int exitCode, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** The process exit code for this failure. */
  public int exitCode() {
    return exitCode;
  }
}
