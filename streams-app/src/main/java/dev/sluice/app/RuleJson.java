package dev.sluice.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.rule.LimitRule;

/** The SPEC 1 JSON form of validated rules, for the CLI (Avro conversions: {@code RuleCodec}). */
final class RuleJson {
  static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private RuleJson() {}

  /**
   * The rule as a SPEC 1 JSON object in the form it was written in, every default written out (each
   * {@code limits} entry with its effective algorithm).
   */
  static ObjectNode toJson(LimitRule rule) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("id", rule.id());
    node.put("key", rule.key());
    if (rule.limitsForm()) {
      ArrayNode limits = node.putArray("limits");
      for (LimitRule.Limit l : rule.limits()) {
        limits
            .addObject()
            .put("limit", l.limit())
            .put("windowSeconds", l.windowSeconds())
            .put("algorithm", l.algorithm().name());
      }
    } else {
      node.put("limit", rule.limit());
      node.put("windowSeconds", rule.windowSeconds());
    }
    node.put("priority", rule.priority());
    ObjectNode metadata = node.putObject("metadata");
    rule.metadata().forEach(metadata::put);
    node.put("algorithm", rule.algorithm().name());
    node.put("shadow", rule.shadow());
    return node;
  }
}
