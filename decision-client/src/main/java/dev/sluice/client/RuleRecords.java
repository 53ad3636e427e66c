package dev.sluice.client;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.avro.Rule;
import dev.sluice.core.rule.FieldError;
import dev.sluice.core.rule.RuleValidation;
import dev.sluice.core.rule.RuleValidator;
import dev.sluice.schema.AvroCodec;
import dev.sluice.schema.CodecException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a rules-topic record value (Avro {@code Rule} single-object, or a JSON rule object) into a
 * {@link RuleValidation}, the way the service reads the same topic. Undecodable bytes become an
 * invalid validation naming {@code value}, never an exception.
 */
final class RuleRecords {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RuleRecords() {}

  static RuleValidation parse(byte[] value) {
    if (AvroCodec.looksLikeSingleObject(value)) {
      Rule rule;
      try {
        rule = AvroCodec.RULE.decode(value);
      } catch (CodecException e) {
        return undecodable(e.getMessage());
      }
      return RuleValidator.validate(fields(rule));
    }
    JsonNode node;
    try {
      node = JSON.readTree(value);
    } catch (JacksonException e) {
      return undecodable("neither Avro Rule single-object nor JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      return undecodable(e.toString());
    }
    if (node == null || !node.isObject()) {
      return undecodable("JSON rule must be an object");
    }
    return RuleValidator.validateJson(node);
  }

  /** The Avro rule as the field map {@link RuleValidator#validate} reads. */
  static Map<String, Object> fields(Rule rule) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("id", str(rule.getId()));
    f.put("key", str(rule.getKey()));
    f.put("limit", rule.getLimit());
    f.put("windowSeconds", rule.getWindowSeconds());
    f.put("priority", rule.getPriority());
    if (rule.getMetadata() == null) {
      f.put("metadata", null);
    } else {
      // Avro may hand back Utf8 keys or values; the validator expects Strings.
      Map<String, String> m = new TreeMap<>();
      for (Map.Entry<?, ?> e : rule.getMetadata().entrySet()) {
        m.put(String.valueOf(e.getKey()), String.valueOf(e.getValue()));
      }
      f.put("metadata", m);
    }
    f.put("algorithm", rule.getAlgorithm() == null ? null : rule.getAlgorithm().name());
    f.put("shadow", rule.getShadow());
    return f;
  }

  private static String str(Object o) {
    return o == null ? null : o.toString();
  }

  private static RuleValidation undecodable(String why) {
    return new RuleValidation(null, List.of(new FieldError("value", null, why)), null);
  }
}
