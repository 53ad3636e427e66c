package dev.sluice.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.avro.RateLimitAlgorithm;
import dev.sluice.avro.Rule;
import dev.sluice.core.rule.LimitRule;
import dev.sluice.core.rule.RuleValidation;
import dev.sluice.core.rule.RuleValidator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Conversions between validated rules, their SPEC 1 JSON form and Avro, for the CLI. */
final class RuleJson {
  static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private RuleJson() {}

  /** The rule as a SPEC 1 JSON object, every default written out. */
  static ObjectNode toJson(LimitRule rule) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("id", rule.id());
    node.put("key", rule.key());
    node.put("limit", rule.limit());
    node.put("windowSeconds", rule.windowSeconds());
    node.put("priority", rule.priority());
    ObjectNode metadata = node.putObject("metadata");
    rule.metadata().forEach(metadata::put);
    node.put("algorithm", rule.algorithm().name());
    node.put("shadow", rule.shadow());
    return node;
  }

  /** The rule as Avro, every default written out. */
  static Rule toAvro(LimitRule rule) {
    return Rule.newBuilder()
        .setId(rule.id())
        .setKey(rule.key())
        .setLimit(rule.limit())
        .setWindowSeconds(rule.windowSeconds())
        .setPriority(rule.priority())
        .setMetadata(new HashMap<>(rule.metadata()))
        .setAlgorithm(RateLimitAlgorithm.valueOf(rule.algorithm().name()))
        .setShadow(rule.shadow())
        .build();
  }

  /** Validates an Avro rule ({@code UNKNOWN} algorithm is an invalid value). */
  static RuleValidation validate(Rule rule) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("id", rule.getId());
    fields.put("key", rule.getKey());
    fields.put("limit", rule.getLimit());
    fields.put("windowSeconds", rule.getWindowSeconds());
    fields.put("priority", rule.getPriority());
    fields.put("metadata", rule.getMetadata() == null ? null : stringMap(rule.getMetadata()));
    fields.put("algorithm", rule.getAlgorithm() == null ? null : rule.getAlgorithm().name());
    fields.put("shadow", rule.getShadow());
    return RuleValidator.validate(fields);
  }

  private static Map<String, String> stringMap(Map<? extends CharSequence, ? extends CharSequence> m) {
    Map<String, String> out = new HashMap<>();
    m.forEach((k, v) -> out.put(k.toString(), v == null ? null : v.toString()));
    return out;
  }
}
