package dev.sluice.schema;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.avro.AppliedRule;
import dev.sluice.avro.RateLimitAlgorithm;
import dev.sluice.avro.Rule;
import dev.sluice.core.rule.LimitRule;
import dev.sluice.core.rule.RuleValidation;
import dev.sluice.core.rule.RuleValidator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adapts rules on the wire (Avro {@link Rule} single-object bytes or a JSON rule object) to the
 * core's {@link RuleValidator}, and validated {@link LimitRule}s back to Avro. Stateless and
 * thread-safe.
 */
public final class RuleCodec {
  private RuleCodec() {}

  /**
   * Decodes a rules-topic value and validates it ({@link RuleValidator#validate}: an unknown JSON
   * field makes the rule invalid, as SPEC 1 says). Registry-framed bytes (first byte {@code 00})
   * are neither form here; the service reads those through its registry codec first.
   *
   * @param value Avro single-object {@link Rule} bytes, or UTF-8 JSON whose first non-blank byte is
   *     an opening brace
   * @return the validation outcome (invalid rules are a value, not an exception)
   * @throws CodecException when the bytes are neither form, or are corrupt
   */
  public static RuleValidation decodeAndValidate(byte[] value) {
    if (AvroCodec.looksLikeSingleObject(value)) {
      return validate(AvroCodec.RULE.decode(value));
    }
    if (Json.looksLikeObject(value)) {
      return validateJson(Json.readObject(value, "rule"));
    }
    throw new CodecException(
        "rule value is neither Avro single-object encoded (marker C3 01) nor a JSON object");
  }

  /**
   * Validates a rule given as a JSON object (field names as in SPEC 1); an unknown field makes it
   * invalid, for the service and the CLI alike.
   *
   * @param node the rule object; not null
   * @return the validation outcome; never null
   */
  public static RuleValidation validateJson(JsonNode node) {
    return RuleValidator.validateJson(node);
  }

  /**
   * Validates an Avro rule. An {@code UNKNOWN} algorithm is reported as an invalid value.
   *
   * @param rule the decoded rule; not null
   * @return the validation outcome; never null
   */
  public static RuleValidation validate(Rule rule) {
    return RuleValidator.validate(fields(rule));
  }

  /**
   * The field-map form {@link RuleValidator#validate} takes: absent optional fields are null, the
   * algorithm is its symbol name.
   *
   * @param rule the decoded rule; not null
   * @return a new mutable map of the eight rule fields, in SPEC 1 order
   */
  public static Map<String, Object> fields(Rule rule) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("id", rule.getId());
    fields.put("key", rule.getKey());
    fields.put("limit", rule.getLimit());
    fields.put("windowSeconds", rule.getWindowSeconds());
    fields.put("priority", rule.getPriority());
    fields.put("metadata", rule.getMetadata() == null ? null : new HashMap<>(rule.getMetadata()));
    fields.put("algorithm", rule.getAlgorithm() == null ? null : rule.getAlgorithm().name());
    fields.put("shadow", rule.getShadow());
    return fields;
  }

  /**
   * A validated rule as Avro, with every default written out explicitly. The generation is not part
   * of a {@link Rule}; see {@link #toApplied}.
   *
   * @param rule the validated rule; not null
   * @return a new Avro rule
   */
  public static Rule toAvro(LimitRule rule) {
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

  /**
   * The internal-topic form of a validated rule: the rule, its generation and its source.
   *
   * @param rule the validated rule, carrying its generation; not null
   * @param sourcePartition the rules-topic partition the rule was read from
   * @param sourceOffset the rules-topic offset the rule was read from
   * @return a new applied rule
   */
  public static AppliedRule toApplied(LimitRule rule, int sourcePartition, long sourceOffset) {
    return AppliedRule.newBuilder()
        .setRule(toAvro(rule))
        .setGeneration(rule.generation())
        .setSourcePartition(sourcePartition)
        .setSourceOffset(sourceOffset)
        .build();
  }

  /**
   * Rebuilds the core rule an {@link AppliedRule} carries, re-validating it (the only way to make a
   * {@link LimitRule}) and attaching its generation.
   *
   * @param applied a record of the rules-applied topic; not null
   * @return the rule, with the generation the record carries
   * @throws CodecException when the carried rule no longer validates (a validator that became
   *     stricter than the one that wrote it)
   */
  public static LimitRule fromApplied(AppliedRule applied) {
    RuleValidation validation = validate(applied.getRule());
    if (!validation.isValid()) {
      throw new CodecException(
          "applied rule "
              + applied.getRule().getId()
              + " no longer validates: "
              + validation.errorMessage());
    }
    return validation.rule().withGeneration(applied.getGeneration());
  }
}
