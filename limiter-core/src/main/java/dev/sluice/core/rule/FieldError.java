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
  public FieldError {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(constraint, "constraint");
  }

  /** {@code field: constraint (got value)}, the form every rejection message uses. */
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
