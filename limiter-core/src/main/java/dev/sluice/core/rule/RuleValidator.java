package dev.sluice.core.rule;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** The one entry point from a raw rule to a {@link LimitRule} or the full list of errors (SPEC 1). */
public final class RuleValidator {
  private RuleValidator() {}

  /**
   * Validates a rule given as field values: {@code String}, {@code Long}/{@code Integer},
   * {@code Boolean}, {@code Map<String,String>}, or null for absent. A value of another type is an
   * error naming the field.
   */
  public static RuleValidation validate(Map<String, ?> fields) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Validates a rule given as a JSON object; a value of the wrong JSON type is an error. */
  public static RuleValidation validateJson(JsonNode node) {
    throw new UnsupportedOperationException("TODO");
  }
}
