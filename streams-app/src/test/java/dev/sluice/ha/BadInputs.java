package dev.sluice.ha;

import dev.sluice.avro.RateLimitAlgorithm;
import dev.sluice.avro.RateLimitRequest;
import dev.sluice.avro.Rule;
import dev.sluice.schema.AvroCodec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded bad input for the requests and rules topics: random bytes, truncated and corrupted Avro,
 * unknown schema fingerprints, Avro length prefixes far beyond the record, huge metadata and keys,
 * JSON of the wrong types, malformed and deeply nested JSON, invalid rules; with some valid input
 * mixed in. Every input is keyed {@code <keyPrefix><n>} so that its outcome (a decision or a dead
 * letter, both keyed by the record key) can be found again.
 */
final class BadInputs {
  /**
   * One input.
   *
   * @param kind what sort of bad input it is (for the split the tests print)
   * @param key the record key
   * @param value the record value
   */
  record Input(String kind, String key, byte[] value) {}

  private static final String[] WRONG_JSON = {
    "123", "-1", "1.5", "1e30", "true", "null", "[]", "[1,2]", "{}", "{\"a\":1}", "\"\"", "\"x\""
  };

  private BadInputs() {}

  /** {@code n} bad (and a few valid) request values, keyed {@code keyPrefix + i}. */
  static List<Input> requests(long seed, int n, String keyPrefix, boolean huge) {
    Random r = new Random(seed);
    List<Input> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String key = keyPrefix + i;
      int kind = r.nextInt(huge ? 14 : 13);
      out.add(
          switch (kind) {
            case 0 -> new Input("random-bytes", key, randomBytes(r, r.nextInt(300)));
            case 1 -> new Input("empty-or-null", key, r.nextBoolean() ? new byte[0] : null);
            case 2 -> new Input("truncated-avro", key, truncate(r, avroRequest(r, key)));
            case 3 -> new Input("corrupted-avro", key, corrupt(r, avroRequest(r, key)));
            case 4 ->
                new Input("unknown-fingerprint", key, unknownFingerprint(r, avroRequest(r, key)));
            case 5 -> new Input("avro-huge-length", key, hugeLength(r));
            case 6 -> new Input("avro-out-of-range", key, avroOutOfRange(r, key));
            case 7 -> new Input("json-wrong-types", key, utf8(jsonWrongTypes(r, key)));
            case 8 ->
                new Input(
                    "json-not-an-object", key, utf8(WRONG_JSON[r.nextInt(WRONG_JSON.length)]));
            case 9 -> new Input("json-malformed", key, malformedJson(r, key));
            case 10 -> new Input("json-big-metadata", key, utf8(bigMetadata(r, key, false)));
            case 11 -> new Input("json-long-key-or-id", key, utf8(longKeyOrId(r, key)));
            case 12 -> new Input("valid", key, utf8(validJson(r, key)));
            default -> new Input("json-huge-values", key, utf8(bigMetadata(r, key, true)));
          });
    }
    return out;
  }

  /**
   * {@code n} rule values that break SPEC 1, keyed {@code keyPrefix + i}; every JSON one uses the
   * key pattern {@code fuzzrule:<i>*} so that none could ever match another test's keys.
   */
  static List<Input> rules(long seed, int n, String keyPrefix) {
    Random r = new Random(seed);
    List<Input> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = keyPrefix + i;
      int kind = r.nextInt(6);
      out.add(
          switch (kind) {
            case 0 -> new Input("random-bytes", id, randomBytes(r, 1 + r.nextInt(200)));
            case 1 -> new Input("truncated-avro", id, truncate(r, avroRule(id)));
            case 2 -> new Input("unknown-fingerprint", id, unknownFingerprint(r, avroRule(id)));
            case 3 -> new Input("json-invalid-field", id, utf8(invalidRule(r, id, i)));
            case 4 -> new Input("json-malformed", id, malformedRuleJson(r, id));
            default -> new Input("json-id-differs-from-key", id, utf8(ruleJson(id + "x", i, "")));
          });
    }
    return out;
  }

  private static byte[] randomBytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] avroRequest(Random r, String key) {
    Map<String, String> md = new LinkedHashMap<>();
    for (int i = 0; i < r.nextInt(4); i++) {
      md.put("k" + i, "v" + r.nextInt(100));
    }
    return AvroCodec.REQUEST.encode(
        RateLimitRequest.newBuilder()
            .setId("id-" + key)
            .setKey(key)
            .setMetadata(md)
            .setCost(1L + r.nextInt(3))
            .setReplyPartition(null)
            .setReplyTopic(null)
            .build());
  }

  private static byte[] avroRule(String id) {
    return AvroCodec.RULE.encode(
        Rule.newBuilder()
            .setId(id)
            .setKey("fuzzrule:" + id + "*")
            .setLimit(5L)
            .setWindowSeconds(60L)
            .setPriority(null)
            .setMetadata(null)
            .setAlgorithm(RateLimitAlgorithm.FIXED_WINDOW)
            .setShadow(null)
            .build());
  }

  /** Cut anywhere after the 10-byte header: the header stays valid, the body does not. */
  private static byte[] truncate(Random r, byte[] valid) {
    return Arrays.copyOf(valid, 10 + r.nextInt(valid.length - 10));
  }

  private static byte[] corrupt(Random r, byte[] valid) {
    byte[] b = valid.clone();
    for (int i = 0; i < 1 + r.nextInt(4); i++) {
      int at = 10 + r.nextInt(b.length - 10);
      b[at] = (byte) r.nextInt(256);
    }
    return b;
  }

  /** A valid body behind a fingerprint of no known schema (as from a future schema version). */
  private static byte[] unknownFingerprint(Random r, byte[] valid) {
    byte[] b = valid.clone();
    for (int i = 2; i < 10; i++) {
      b[i] = (byte) r.nextInt(256);
    }
    return b;
  }

  /**
   * The request schema's header, then a string length prefix of up to 2^31-1 bytes (or a map of
   * 2^31-1 entries) with a few bytes behind it: a decoder that allocates what the prefix claims
   * runs out of memory.
   */
  private static byte[] hugeLength(Random r) {
    byte[] header = Arrays.copyOf(avroRequest(r, "h"), 10);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header);
    if (r.nextBoolean()) {
      writeZigZagLong(out, Integer.MAX_VALUE - r.nextInt(1000));
    } else {
      writeZigZagLong(out, 1); // id "a"
      out.write('a');
      writeZigZagLong(out, 1); // key "b"
      out.write('b');
      writeZigZagLong(out, Integer.MAX_VALUE / 2); // map block count
    }
    out.writeBytes(randomBytes(r, 16));
    return out.toByteArray();
  }

  private static void writeZigZagLong(ByteArrayOutputStream out, long v) {
    long n = (v << 1) ^ (v >> 63);
    while ((n & ~0x7FL) != 0) {
      out.write((int) ((n & 0x7F) | 0x80));
      n >>>= 7;
    }
    out.write((int) n);
  }

  private static byte[] avroOutOfRange(Random r, String key) {
    RateLimitRequest.Builder b =
        RateLimitRequest.newBuilder()
            .setId("id-" + key)
            .setKey(key)
            .setMetadata(Map.of())
            .setCost(1L)
            .setReplyPartition(null)
            .setReplyTopic(null);
    switch (r.nextInt(6)) {
      case 0 -> b.setId("");
      case 1 -> b.setId("i".repeat(129));
      case 2 -> b.setCost(0L);
      case 3 -> b.setCost(1_000_000_001L);
      case 4 -> b.setReplyPartition(-1 - r.nextInt(5));
      default -> {
        Map<String, String> md = new LinkedHashMap<>();
        for (int i = 0; i < 65 + r.nextInt(100); i++) {
          md.put("m" + i, "v");
        }
        b.setMetadata(md);
      }
    }
    return AvroCodec.REQUEST.encode(b.build());
  }

  private static String quote(String s) {
    return "\"" + s + "\"";
  }

  private static String jsonWrongTypes(Random r, String key) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("id", quote("id-" + key));
    f.put("key", quote(key));
    f.put("metadata", "{\"a\":\"b\"}");
    f.put("cost", "1");
    String[] fields = {"id", "key", "metadata", "cost", "replyPartition", "replyTopic"};
    String field = fields[r.nextInt(fields.length)];
    String wrong =
        switch (field) {
          case "metadata" ->
              new String[] {
                    "\"x\"",
                    "[]",
                    "{\"a\":1}",
                    "{\"a\":null}",
                    "{\"a\":{\"b\":\"c\"}}",
                    "{\"a\":[]}",
                    "42"
                  }
                  [r.nextInt(7)];
          case "cost" ->
              new String[] {
                    "\"1\"", "1.5", "-3", "0", "1e30", "true", "[]", "9223372036854775808", "{}"
                  }
                  [r.nextInt(9)];
          case "replyPartition" ->
              new String[] {"\"0\"", "-1", "1.5", "99999999999", "[]", "false", "2147483648"}
                  [r.nextInt(7)];
          // null is absent: wrong only for the required id and key.
          case "replyTopic" -> new String[] {"123", "true", "[]", "{}"}[r.nextInt(4)];
          // id and key: anything but a non-empty string ("x" would be a valid id).
          default -> WRONG_JSON[r.nextInt(WRONG_JSON.length - 1)];
        };
    f.put(field, wrong);
    StringBuilder sb = new StringBuilder("{");
    f.forEach(
        (k, v) -> sb.append(sb.length() > 1 ? "," : "").append(quote(k)).append(':').append(v));
    return sb.append('}').toString();
  }

  private static byte[] malformedJson(Random r, String key) {
    String valid = validJson(r, key);
    return switch (r.nextInt(7)) {
      case 0 -> utf8(valid.substring(0, 1 + r.nextInt(valid.length() - 1)));
      case 1 -> utf8(valid + " trailing");
      case 2 -> utf8(valid.replace("{\"id\"", "{\"id\":\"dup\",\"id\""));
      case 3 ->
          utf8(
              "{\"id\":\"x\",\"key\":\""
                  + key
                  + "\",\"metadata\":"
                  + "[".repeat(5000)
                  + "]".repeat(5000)
                  + "}");
      // A lone surrogate escape is valid JSON text: it must be answered, whichever way.
      case 4 -> utf8("{\"id\":\"x\",\"key\":\"" + key + "\",\"metadata\":{\"a\":\"\\ud800\"}}");
      case 5 -> {
        byte[] b = utf8(valid);
        b[b.length / 2] = (byte) 0xFF; // not UTF-8
        yield b;
      }
      default -> utf8("{" + "\"a\":{".repeat(3000) + "}".repeat(3001));
    };
  }

  private static String bigMetadata(Random r, String key, boolean hugeValues) {
    StringBuilder sb =
        new StringBuilder("{\"id\":\"id-" + key + "\",\"key\":\"" + key + "\",\"metadata\":{");
    int entries = hugeValues ? 1 + r.nextInt(3) : 65 + r.nextInt(5000);
    for (int i = 0; i < entries; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append("\"m")
          .append(i)
          .append("\":\"")
          .append(hugeValues ? "v".repeat(100_000 + r.nextInt(200_000)) : "v" + i)
          .append('"');
    }
    return sb.append("}}").toString();
  }

  private static String longKeyOrId(Random r, String key) {
    return r.nextBoolean()
        ? "{\"id\":\"" + "i".repeat(129 + r.nextInt(10_000)) + "\",\"key\":\"" + key + "\"}"
        : "{\"id\":\"x\",\"key\":\"" + "k".repeat(513 + r.nextInt(10_000)) + "\"}";
  }

  private static String validJson(Random r, String key) {
    return "{\"id\":\"id-"
        + key
        + "\",\"key\":\""
        + key
        + "\",\"metadata\":{\"m\":\""
        + r.nextInt(9)
        + "\"},\"cost\":"
        + (1 + r.nextInt(3))
        + "}";
  }

  private static String ruleJson(String id, int i, String extra) {
    return "{\"id\":\""
        + id
        + "\",\"key\":\"fuzzrule:"
        + i
        + "*\",\"limit\":5,\"windowSeconds\":60"
        + extra
        + "}";
  }

  private static String invalidRule(Random r, String id, int i) {
    String base = "{\"id\":\"" + id + "\",\"key\":\"fuzzrule:" + i + "*\"";
    return switch (r.nextInt(12)) {
      case 0 -> base + ",\"limit\":-1,\"windowSeconds\":60}";
      case 1 -> base + ",\"limit\":1000000001,\"windowSeconds\":60}";
      case 2 -> base + ",\"limit\":\"5\",\"windowSeconds\":60}";
      case 3 -> base + ",\"limit\":5,\"windowSeconds\":0}";
      case 4 -> base + ",\"limit\":5,\"windowSeconds\":2678401}";
      case 5 -> base + ",\"limit\":5,\"windowSeconds\":60,\"algorithm\":\"LEAKY_BUCKET\"}";
      case 6 -> base + ",\"limit\":20000,\"windowSeconds\":60,\"algorithm\":\"SLIDING_WINDOW\"}";
      case 7 -> base + ",\"limit\":5,\"windowSeconds\":60,\"priority\":1.5}";
      case 8 -> base + ",\"limit\":5,\"windowSeconds\":60,\"shadow\":\"yes\"}";
      case 9 -> "{\"id\":\"" + id + "\",\"key\":\"fuzz*rule\",\"limit\":5,\"windowSeconds\":60}";
      case 10 -> {
        StringBuilder md = new StringBuilder();
        for (int k = 0; k < 33; k++) {
          md.append(k > 0 ? "," : "").append("\"m").append(k).append("\":\"v\"");
        }
        yield base + ",\"limit\":5,\"windowSeconds\":60,\"metadata\":{" + md + "}}";
      }
      default -> "{\"key\":\"fuzzrule:" + i + "*\",\"limit\":5}";
    };
  }

  private static byte[] malformedRuleJson(Random r, String id) {
    String valid = ruleJson(id, 0, "");
    return switch (r.nextInt(3)) {
      case 0 -> utf8(valid.substring(0, 1 + r.nextInt(valid.length() - 2)));
      case 1 -> utf8("[" + valid + "]");
      default -> utf8("{" + "\"a\":{".repeat(3000) + "}".repeat(3001));
    };
  }
}
