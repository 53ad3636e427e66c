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
  /**
   * Creates an outcome holding either a rule or errors, never both and never neither.
   *
   * @param rule the validated rule, or null when invalid
   * @param errors every error found, empty when valid; copied
   * @param id the raw rule's id when it was a string, else null
   * @throws IllegalArgumentException when both or neither of {@code rule} and {@code errors} are
   *     given
   * @throws NullPointerException when {@code errors} is null or holds a null
   */
  public RuleValidation {
    errors = List.copyOf(errors);
    if ((rule == null) == errors.isEmpty()) {
      throw new IllegalArgumentException("exactly one of rule and errors must be given");
    }
  }

  /**
   * Whether the raw rule passed validation.
   *
   * @return true when {@link #rule()} is set (and {@link #errors()} is then empty)
   */
  public boolean isValid() {
    return rule != null;
  }

  /**
   * The errors as one line of text, for logs and rejection messages.
   *
   * @return every {@link FieldError#message()} joined with {@code "; "}; empty when valid
   */
  public String errorMessage() {
    return errors.stream().map(FieldError::message).collect(Collectors.joining("; "));
  }
}
