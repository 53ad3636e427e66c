package dev.sluice.core.rule;

import java.util.HashMap;
import java.util.Map;

/**
 * Builds valid rules for tests through the validator, so they are exactly what production holds.
 */
final class TestRules {
  private TestRules() {}

  static LimitRule rule(String id, String key) {
    return rule(id, key, 0, Map.of());
  }

  static LimitRule rule(String id, String key, int priority) {
    return rule(id, key, priority, Map.of());
  }

  static LimitRule rule(String id, String key, int priority, Map<String, String> metadata) {
    return rule(id, key, priority, metadata, 100);
  }

  static LimitRule rule(
      String id, String key, int priority, Map<String, String> metadata, long limit) {
    Map<String, Object> fields = new HashMap<>();
    fields.put("id", id);
    fields.put("key", key);
    fields.put("limit", limit);
    fields.put("windowSeconds", 60L);
    fields.put("priority", priority);
    fields.put("metadata", metadata);
    RuleValidation v = RuleValidator.validate(fields);
    if (!v.isValid()) {
      throw new IllegalArgumentException(v.errorMessage());
    }
    return v.rule();
  }
}
