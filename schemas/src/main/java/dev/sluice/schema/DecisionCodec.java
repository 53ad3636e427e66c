package dev.sluice.schema;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.sluice.avro.Decision;
import dev.sluice.avro.DecisionReason;
import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * The one mapping between the core's {@link Verdict} and the wire {@link Decision}, plus the plain
 * JSON rendering {@code simulate} prints. Stateless and thread-safe.
 */
public final class DecisionCodec {
  private DecisionCodec() {}

  /**
   * The Avro form of a verdict.
   *
   * @param v the verdict, not null
   * @return a new generated record with the verdict's fields (absent ones null)
   */
  public static Decision toAvro(Verdict v) {
    return Decision.newBuilder()
        .setRequestId(v.requestId())
        .setKey(v.key())
        .setAllowed(v.allowed())
        .setReason(DecisionReason.valueOf(v.reason().name()))
        .setRuleId(v.ruleId())
        .setLimit(v.limit())
        .setRemaining(v.remaining())
        .setResetAfterMs(v.resetAfterMs())
        .setRetryAfterMs(v.retryAfterMs())
        .setTimestampMs(v.timestampMs())
        .setShadow(v.shadow())
        .setMessage(v.message())
        .setGranted(v.granted())
        .setLimitIndex(v.limitIndex())
        .build();
  }

  /**
   * The core form of a decision. A decision written before contract version 2 (read through the
   * previous schema) has {@code granted} and {@code limitIndex} -1, the schema's defaults.
   *
   * @param d the Avro decision, not null
   * @return the verdict it carries
   */
  public static Verdict fromAvro(Decision d) {
    return new Verdict(
        d.getRequestId(),
        d.getKey(),
        d.getAllowed(),
        Reason.valueOf(d.getReason().name()),
        d.getRuleId(),
        d.getLimit(),
        d.getRemaining(),
        d.getResetAfterMs(),
        d.getRetryAfterMs(),
        d.getGranted(),
        d.getLimitIndex(),
        d.getTimestampMs(),
        d.getShadow(),
        d.getMessage());
  }

  /**
   * Avro single-object bytes of a verdict. Written directly from the verdict's fields (no generated
   * record, no Avro writer), byte for byte what {@link AvroCodec#DECISION} writes for {@link
   * #toAvro}; the rare verdict the direct writer cannot do exactly goes through Avro. One array
   * allocated per call (plus one per non-ASCII string).
   *
   * @param v the verdict, not null
   * @return a new array: the single-object header and the Avro body
   */
  public static byte[] encode(Verdict v) {
    byte[] direct = DecisionEncoder.encode(v);
    return direct != null ? direct : encodeWithAvro(v);
  }

  /** The reference path {@link #encode} must match: the generated record through Avro. */
  static byte[] encodeWithAvro(Verdict v) {
    return AvroCodec.DECISION.encode(toAvro(v));
  }

  /**
   * Plain JSON of a decision, one line, exactly the SPEC 6 fields in this order: requestId, key,
   * allowed, reason, ruleId, limit, remaining, resetAfterMs, retryAfterMs, limitIndex, granted,
   * timestampMs, shadow, message. Every field is present; absent values are written as {@code
   * null}.
   *
   * @param v the verdict, not null
   * @return one line of JSON, without a line end
   */
  public static String toJson(Verdict v) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
      g.writeStartObject();
      writeNullable(g, "requestId", v.requestId());
      writeNullable(g, "key", v.key());
      g.writeBooleanField("allowed", v.allowed());
      g.writeStringField("reason", v.reason().name());
      writeNullable(g, "ruleId", v.ruleId());
      g.writeNumberField("limit", v.limit());
      g.writeNumberField("remaining", v.remaining());
      g.writeNumberField("resetAfterMs", v.resetAfterMs());
      g.writeNumberField("retryAfterMs", v.retryAfterMs());
      g.writeNumberField("limitIndex", v.limitIndex());
      g.writeNumberField("granted", v.granted());
      g.writeNumberField("timestampMs", v.timestampMs());
      g.writeBooleanField("shadow", v.shadow());
      writeNullable(g, "message", v.message());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /**
   * Plain JSON of an Avro decision; see {@link #toJson(Verdict)}.
   *
   * @param d the Avro decision, not null
   * @return one line of JSON, without a line end
   */
  public static String toJson(Decision d) {
    return toJson(fromAvro(d));
  }

  private static void writeNullable(JsonGenerator g, String field, String value)
      throws IOException {
    if (value == null) {
      g.writeNullField(field);
    } else {
      g.writeStringField(field, value);
    }
  }
}
