package dev.sluice.schema;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.avro.RateLimitRequest;
import java.util.HashMap;
import java.util.Map;

/**
 * Decodes requests-topic values: Avro single-object {@link RateLimitRequest} bytes, or a JSON
 * object {@code
 * {"id":..,"key":..,"metadata":{..},"cost":..,"maxCost":..,"replyTopic":..,"replyPartition":..}}.
 * Unknown JSON fields are ignored (so {@code timestampMs}, which the service never takes from the
 * value, does no harm). Stateless and thread-safe.
 */
public final class RequestCodec {
  private RequestCodec() {}

  /**
   * Decodes one value. A single-object value of the current schema is read straight from its bytes
   * ({@code RequestDecoder}); anything that reader is not sure about (another schema, corrupt or
   * unusual bytes) goes through {@link AvroCodec#REQUEST}, with the same result and the same errors
   * either way.
   *
   * @param value a requests-topic record value: Avro single-object bytes or a JSON object
   * @return the request, with any JSON type error recorded in it rather than thrown
   * @throws CodecException when the bytes are neither form, or are corrupt; such records belong on
   *     the dead-letter topic
   */
  public static DecodedRequest decode(byte[] value) {
    if (AvroCodec.looksLikeSingleObject(value)) {
      DecodedRequest direct = RequestDecoder.decode(value);
      return direct != null ? direct : fromAvro(AvroCodec.REQUEST.decode(value));
    }
    return decodeNotSingleObject(value);
  }

  /** The reference path {@link #decode} must match: single-object values through Avro only. */
  static DecodedRequest decodeWithAvro(byte[] value) {
    if (AvroCodec.looksLikeSingleObject(value)) {
      return fromAvro(AvroCodec.REQUEST.decode(value));
    }
    return decodeNotSingleObject(value);
  }

  private static DecodedRequest decodeNotSingleObject(byte[] value) {
    if (Json.looksLikeObject(value)) {
      return fromJson(Json.readObject(value, "request"));
    }
    throw new CodecException(
        value == null
            ? "request value is null"
            : "request value is neither Avro single-object encoded (marker C3 01) nor a JSON object");
  }

  /**
   * The decoded form of an Avro request (which cannot have type errors).
   *
   * @param r the generated record, not null
   * @return the request with the record's fields
   */
  public static DecodedRequest fromAvro(RateLimitRequest r) {
    return new DecodedRequest(
        r.getId(),
        r.getKey(),
        r.getMetadata(),
        r.getCost(),
        r.getMaxCost(),
        r.getReplyTopic(),
        r.getReplyPartition(),
        null,
        null);
  }

  /**
   * Reads a JSON request object; wrong types are reported, never thrown.
   *
   * @param node the parsed JSON value (an object for a usable request)
   * @return the request; the first field of a wrong type is named in its type error
   */
  public static DecodedRequest fromJson(JsonNode node) {
    Errors errors = new Errors();
    String id = string(node, "id", errors);
    String key = string(node, "key", errors);
    Map<String, String> metadata = metadata(node, errors);
    Long cost = permits(node, "cost", errors);
    Long maxCost = permits(node, "maxCost", errors);
    String replyTopic = string(node, "replyTopic", errors);
    Integer replyPartition = replyPartition(node, errors);
    return new DecodedRequest(
        id, key, metadata, cost, maxCost, replyTopic, replyPartition, errors.message, errors.field);
  }

  /** Keeps only the first error: fields are read in SPEC order, so that is the one to report. */
  private static final class Errors {
    String field;
    String message;

    void add(String fieldName, String text) {
      if (field == null) {
        field = fieldName;
        message = text;
      }
    }
  }

  private static boolean absent(JsonNode v) {
    return v == null || v.isNull();
  }

  private static String string(JsonNode node, String field, Errors errors) {
    JsonNode v = node.get(field);
    if (absent(v)) {
      return null;
    }
    if (!v.isTextual()) {
      errors.add(field, field + ": must be a string (got " + Json.preview(v) + ")");
      return null;
    }
    return v.textValue();
  }

  private static Map<String, String> metadata(JsonNode node, Errors errors) {
    JsonNode v = node.get("metadata");
    if (absent(v)) {
      return Map.of();
    }
    if (!v.isObject()) {
      errors.add(
          "metadata", "metadata: must be an object of string values (got " + Json.preview(v) + ")");
      return Map.of();
    }
    Map<String, String> out = new HashMap<>();
    for (Map.Entry<String, JsonNode> e : v.properties()) {
      if (!e.getValue().isTextual()) {
        errors.add(
            "metadata",
            "metadata."
                + e.getKey()
                + ": must be a string (got "
                + Json.preview(e.getValue())
                + ")");
        return Map.of();
      }
      out.put(e.getKey(), e.getValue().textValue());
    }
    return out;
  }

  /**
   * A count of permits ({@code cost}, {@code maxCost}): an integer. Its range (SPEC 2) is checked
   * later, with the other fields; only a value past 64 bits, which cannot be carried, is reported
   * here.
   */
  private static Long permits(JsonNode node, String field, Errors errors) {
    JsonNode v = node.get(field);
    if (absent(v)) {
      return null;
    }
    if (!v.isIntegralNumber()) {
      errors.add(field, field + ": must be an integer (got " + Json.preview(v) + ")");
      return null;
    }
    if (!v.canConvertToLong()) {
      errors.add(field, field + ": must be 0 to 1000000000 (got " + Json.preview(v) + ")");
      return null;
    }
    return v.longValue();
  }

  private static Integer replyPartition(JsonNode node, Errors errors) {
    JsonNode v = node.get("replyPartition");
    if (absent(v)) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      errors.add(
          "replyPartition",
          "replyPartition: must be a 32-bit integer (got " + Json.preview(v) + ")");
      return null;
    }
    return v.intValue();
  }
}
