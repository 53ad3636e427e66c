package dev.sluice.schema;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.avro.AppliedRule;
import dev.sluice.avro.RateLimitAlgorithm;
import dev.sluice.avro.Rule;
import dev.sluice.avro.RuleLimit;
import dev.sluice.core.rule.LimitRule;
import dev.sluice.core.rule.RuleValidation;
import dev.sluice.core.rule.RuleValidator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
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
   * algorithm is its symbol name, {@code limits} a list of maps with the fields {@code limit},
   * {@code windowSeconds} and {@code algorithm} (null when the entry names none).
   *
   * @param rule the decoded rule; not null
   * @return a new mutable map of the nine rule fields, in SPEC 1 order
   */
  public static Map<String, Object> fields(Rule rule) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("id", rule.getId());
    fields.put("key", rule.getKey());
    fields.put("limit", rule.getLimit());
    fields.put("windowSeconds", rule.getWindowSeconds());
    List<Map<String, Object>> limits = null;
    if (rule.getLimits() != null) {
      limits = new ArrayList<>(rule.getLimits().size());
      for (RuleLimit l : rule.getLimits()) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("limit", l.getLimit());
        entry.put("windowSeconds", l.getWindowSeconds());
        entry.put("algorithm", l.getAlgorithm() == null ? null : l.getAlgorithm().name());
        limits.add(entry);
      }
    }
    fields.put("limits", limits);
    fields.put("priority", rule.getPriority());
    fields.put("metadata", rule.getMetadata() == null ? null : new HashMap<>(rule.getMetadata()));
    fields.put("algorithm", rule.getAlgorithm() == null ? null : rule.getAlgorithm().name());
    fields.put("shadow", rule.getShadow());
    return fields;
  }

  /**
   * A validated rule as Avro, in the form it was written in (top-level {@code limit} and {@code
   * windowSeconds}, or {@code limits}), with every default written out explicitly: each {@code
   * limits} entry carries its effective algorithm. The generations are not part of a {@link Rule};
   * see {@link #toApplied}.
   *
   * @param rule the validated rule; not null
   * @return a new Avro rule
   */
  public static Rule toAvro(LimitRule rule) {
    Rule.Builder out =
        Rule.newBuilder()
            .setId(rule.id())
            .setKey(rule.key())
            .setPriority(rule.priority())
            .setMetadata(new HashMap<>(rule.metadata()))
            .setAlgorithm(RateLimitAlgorithm.valueOf(rule.algorithm().name()))
            .setShadow(rule.shadow());
    if (rule.limitsForm()) {
      List<RuleLimit> limits = new ArrayList<>(rule.limits().size());
      for (LimitRule.Limit l : rule.limits()) {
        limits.add(
            RuleLimit.newBuilder()
                .setLimit(l.limit())
                .setWindowSeconds(l.windowSeconds())
                .setAlgorithm(RateLimitAlgorithm.valueOf(l.algorithm().name()))
                .build());
      }
      out.setLimit(null).setWindowSeconds(null).setLimits(limits);
    } else {
      out.setLimit(rule.limit()).setWindowSeconds(rule.windowSeconds()).setLimits(null);
    }
    return out.build();
  }

  /**
   * The internal-topic form of a validated rule: the rule, its generations and its source. {@code
   * generation} holds limit index 0's (what releases before several limits read); {@code
   * limitGenerations} every index's for a rule of several limits, and is empty (its default) for a
   * rule of one, so that such a record has release v1's form.
   *
   * @param rule the validated rule, carrying its generations; not null
   * @param sourcePartition the rules-topic partition the rule was read from
   * @param sourceOffset the rules-topic offset the rule was read from
   * @return a new applied rule
   */
  public static AppliedRule toApplied(LimitRule rule, int sourcePartition, long sourceOffset) {
    // One limit: generation says it all, and the default (empty) lets AvroCodec write the record
    // in release v1's form, which instances of that release read during a rolling upgrade.
    List<Long> generations = new ArrayList<>(rule.limits().size());
    if (rule.limits().size() > 1) {
      for (LimitRule.Limit l : rule.limits()) {
        generations.add(l.generation());
      }
    }
    return AppliedRule.newBuilder()
        .setRule(toAvro(rule))
        .setGeneration(rule.generation())
        .setLimitGenerations(generations)
        .setSourcePartition(sourcePartition)
        .setSourceOffset(sourceOffset)
        .build();
  }

  /**
   * Rebuilds the core rule an {@link AppliedRule} carries, re-validating it (the only way to make a
   * {@link LimitRule}) and attaching its generations: {@code limitGenerations} by index, or, when
   * it is empty (a record written before rules had several limits), {@code generation} for the one
   * limit.
   *
   * @param applied a record of the rules-applied topic; not null
   * @return the rule, with the generations the record carries
   * @throws CodecException when the carried rule no longer validates (a validator that became
   *     stricter than the one that wrote it), or the generations do not match its limits
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
    LimitRule rule = validation.rule();
    List<Long> generations = applied.getLimitGenerations();
    if (generations == null || generations.isEmpty()) {
      if (rule.limits().size() != 1) {
        throw new CodecException(
            "applied rule "
                + rule.id()
                + " has "
                + rule.limits().size()
                + " limits but no"
                + " limitGenerations");
      }
      return rule.withGeneration(applied.getGeneration());
    }
    if (generations.size() != rule.limits().size()) {
      throw new CodecException(
          "applied rule "
              + rule.id()
              + " has "
              + rule.limits().size()
              + " limits but "
              + generations.size()
              + " limitGenerations");
    }
    long[] each = new long[generations.size()];
    for (int i = 0; i < each.length; i++) {
      each[i] = generations.get(i);
    }
    return rule.withGenerations(each);
  }
}
