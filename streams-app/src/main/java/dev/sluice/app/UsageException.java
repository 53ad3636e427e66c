package dev.sluice.app;

/**
 * The command line itself is wrong: {@link SluiceMain} prints the message and the usage, exit 2.
 */
public final class UsageException extends CliException {
  private static final long serialVersionUID = 1L;

  /** Bad arguments, described by {@code message}. */
  public UsageException(String message) {
    super(message, 2, null);
  }
}
