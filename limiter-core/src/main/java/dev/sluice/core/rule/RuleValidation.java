package dev.sluice.core.rule;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The outcome of validating one raw rule: the rule, or every error found.
 *
 * @param rule the validated rule, or null when invalid
 * @param errors every error found, empty when valid
 * @param id the raw rule's id when it was a string (even an invalid one), to name it in messages
 */
public record RuleValidation(LimitRule rule, List<FieldError> errors, String id) {
  public RuleValidation {
    errors = List.copyOf(errors);
    if ((rule == null) == errors.isEmpty()) {
      throw new IllegalArgumentException("exactly one of rule and errors must be given");
    }
  }

  public boolean isValid() {
    return rule != null;
  }

  /** All errors joined with {@code "; "}. */
  public String errorMessage() {
    return errors.stream().map(FieldError::message).collect(Collectors.joining("; "));
  }
}
