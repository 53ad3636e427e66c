package dev.sluice.schema.registry;

/**
 * A schema registry call that failed. The {@link #kind()} says what went wrong and whether trying
 * again later can help; the message names the registry URL, the call and what to check.
 *
 * <p>This is deliberately not a {@link dev.sluice.schema.CodecException}: a registry that is down
 * says nothing about the record, which must not be dead-lettered for it.
 */
public final class SchemaRegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Kind {
    /** No connection could be made (refused, unknown host, connect timeout). Retriable. */
    UNREACHABLE(true),
    /** Connected, but no answer within the request timeout. Retriable. */
    TIMEOUT(true),
    /** HTTP 5xx (Confluent codes 50001 store error, 50002 timeout, 50003 forwarding). Retriable. */
    SERVER_ERROR(true),
    /** HTTP 401 or 403: missing or wrong basic-auth credentials, or not allowed. */
    UNAUTHORIZED(false),
    /** HTTP 404: 40401 subject, 40402 version or 40403 schema (id) not found. */
    NOT_FOUND(false),
    /** HTTP 409: the schema is incompatible with the subject's earlier schemas. */
    INCOMPATIBLE(false),
    /** HTTP 422: 42201 invalid schema (or another 422xx: invalid version, compatibility level). */
    INVALID_SCHEMA(false),
    /** An answer the documented protocol does not allow (unexpected status, unparsable body). */
    BAD_RESPONSE(false);

    private final boolean retriable;

    Kind(boolean retriable) {
      this.retriable = retriable;
    }

    /**
     * Whether waiting can help.
     *
     * @return true when the same call may succeed later without any change on the caller's side
     */
    public boolean isRetriable() {
      return retriable;
    }
  }

  /** Confluent error code: subject not found. */
  public static final int SUBJECT_NOT_FOUND = 40401;

  /** Confluent error code: version not found. */
  public static final int VERSION_NOT_FOUND = 40402;

  /** Confluent error code: schema not found (e.g. an unknown id). */
  public static final int SCHEMA_NOT_FOUND = 40403;

  /** Confluent error code: the schema is not a valid schema. */
  public static final int INVALID_SCHEMA_CODE = 42201;

  /** What went wrong; never null. */
  private final Kind kind;

  /** The HTTP status, or -1 when there was no answer. */
  private final int httpStatus;

  /** The registry's {@code error_code}, or -1 when the answer had none. */
  private final int errorCode;

  SchemaRegistryException(Kind kind, int httpStatus, int errorCode, String message) {
    this(kind, httpStatus, errorCode, message, null);
  }

  SchemaRegistryException(
      Kind kind, int httpStatus, int errorCode, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  /**
   * What went wrong.
   *
   * @return the failure's kind; never null
   */
  public Kind kind() {
    return kind;
  }

  /**
   * The HTTP status the registry answered with.
   *
   * @return the status code, or -1 when there was no answer
   */
  public int httpStatus() {
    return httpStatus;
  }

  /**
   * The registry's {@code error_code}.
   *
   * @return the code (e.g. {@value #SCHEMA_NOT_FOUND}), or -1 when the answer had none
   */
  public int errorCode() {
    return errorCode;
  }

  /**
   * Shorthand for {@code kind().isRetriable()}.
   *
   * @return true when the same call may succeed later unchanged
   */
  public boolean isRetriable() {
    return kind.isRetriable();
  }
}
