package dev.sluice.core.rule;

import java.util.Objects;

/**
 * One reason a rule is invalid.
 *
 * @param field the offending field ({@code limit}, {@code metadata.region}, ...)
 * @param value the offending value as text, or null when the field was missing
 * @param constraint the constraint it broke, in words
 */
public record FieldError(String field, String value, String constraint) {
  /**
   * Creates an error; {@code value} alone may be null.
   *
   * @param field the offending field; never null
   * @param value the offending value as text, or null when the field was missing
   * @param constraint the constraint it broke, in words; never null
   * @throws NullPointerException when {@code field} or {@code constraint} is null
   */
  public FieldError {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(constraint, "constraint");
  }

  /**
   * The error as one line of text, the form every rejection message uses.
   *
   * @return {@code field: constraint (got value)}, or {@code field: constraint} when there is no
   *     value
   */
  public String message() {
    return value == null
        ? field + ": " + constraint
        : field + ": " + constraint + " (got " + value + ")";
  }

  @Override
  public String toString() {
    return message();
  }
}
