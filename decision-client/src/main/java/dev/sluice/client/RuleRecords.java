package dev.sluice.client;

import dev.sluice.core.rule.FieldError;
import dev.sluice.core.rule.RuleValidation;
import dev.sluice.schema.CodecException;
import dev.sluice.schema.RuleCodec;
import java.util.List;

/**
 * Turns a rules-topic record value (Avro {@code Rule} single-object, or a JSON rule object) into a
 * {@link RuleValidation} exactly as the service's rule validator does ({@link
 * RuleCodec#decodeAndValidate}); bytes that are neither form become an invalid validation naming
 * {@code value}, never an exception.
 */
final class RuleRecords {
  private RuleRecords() {}

  static RuleValidation parse(byte[] value) {
    try {
      return RuleCodec.decodeAndValidate(value);
    } catch (CodecException e) {
      return new RuleValidation(null, List.of(new FieldError("value", null, e.getMessage())), null);
    }
  }
}
