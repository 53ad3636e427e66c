package dev.sluice.schema;

/** Record bytes that cannot be decoded at all: such records go to the dead-letter topic. */
public class CodecException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * An undecodable record.
   *
   * @param message why the bytes cannot be decoded; it becomes the dead letter's error header
   */
  public CodecException(String message) {
    super(message);
  }

  /**
   * An undecodable record, with the parser's or Avro's exception as the cause.
   *
   * @param message why the bytes cannot be decoded; it becomes the dead letter's error header
   * @param cause the parser's or Avro's exception
   */
  public CodecException(String message, Throwable cause) {
    super(message, cause);
  }
}
