package dev.sluice.schema;

/** Record bytes that cannot be decoded at all: such records go to the dead-letter topic. */
public class CodecException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CodecException(String message) {
    super(message);
  }

  public CodecException(String message, Throwable cause) {
    super(message, cause);
  }
}
