package dev.sluice.schema;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/** The one JSON configuration every Sluice codec shares. */
final class Json {
  /**
   * Strict on ambiguity: a duplicated field or trailing data makes the bytes undecodable rather
   * than silently picking one reading.
   */
  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          // Keep "2.0" as written, so a type error reads "(got 2.0)", not the misleading "(got 2)".
          .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
          .build();

  static final JsonFactory FACTORY = MAPPER.getFactory();

  private Json() {}

  /** True when the first non-whitespace byte is <code>&#123;</code>, the start of a JSON object. */
  static boolean looksLikeObject(byte[] bytes) {
    if (bytes == null) {
      return false;
    }
    for (byte b : bytes) {
      if (b == ' ' || b == '\t' || b == '\n' || b == '\r') {
        continue;
      }
      return b == '{';
    }
    return false;
  }

  /**
   * Parses one JSON object.
   *
   * @throws CodecException when the bytes are not exactly one well-formed JSON object
   */
  static JsonNode readObject(byte[] bytes, String what) {
    JsonNode node;
    try (JsonParser parser = FACTORY.createParser(bytes)) {
      node = MAPPER.readTree(parser);
    } catch (JsonProcessingException e) {
      throw new CodecException(what + " is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new CodecException(what + " is not valid JSON: " + e.getMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new CodecException(what + " is not a JSON object");
    }
    return node;
  }

  /** A JSON value as short text for messages: at most 64 characters. */
  static String preview(JsonNode node) {
    String text = node.toString();
    return text.length() <= 64 ? text : text.substring(0, 61) + "...";
  }
}
