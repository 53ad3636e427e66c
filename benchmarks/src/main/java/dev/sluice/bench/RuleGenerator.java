package dev.sluice.bench;

import dev.sluice.core.rule.LimitRule;
import dev.sluice.core.rule.RuleValidation;
import dev.sluice.core.rule.RuleValidator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A deterministic, realistic rule set and request stream for the index benchmarks.
 *
 * <p>Rules (fractions of the total):
 *
 * <ul>
 *   <li>80% exact keys: {@code user:1234567} (60%), {@code apikey:<16 hex>} (10%), {@code
 *       ip:10.1.2.3} (10%). One in ten reuses an existing exact key, so some keys carry two or more
 *       rules (typically a general one and a metadata-specific one).
 *   <li>20% prefix patterns, about 1.1 rules per pattern key: {@code tenant:<t>:*}, {@code
 *       user:<id>:*}, {@code api:/v2/orders/<n>*}, {@code ip:10.1.2.*}, {@code
 *       org:<o>:project:<p>:*}; plus about 60 broad patterns with one rule each ({@code *}, {@code
 *       user:*}, {@code user:1*} .. {@code user:9*}, {@code api:/v2/*}, {@code api:/v2/orders/*},
 *       ...). Prefixes have 26 distinct lengths, 0 to 29 characters.
 *   <li>20% of all rules carry 1 to 3 metadata constraints (region, plan, method, client, tier),
 *       about one value in seven being {@code *}.
 *   <li>Priority 0 for 85%, 10 for 8%, 100 for 4%, -5 for 3%; ids like {@code user-1234567-rpm}.
 * </ul>
 *
 * <p>Every string is a fresh instance, as decoding a record would produce, so memory figures
 * include one copy of every id, key and metadata string per rule. Rules are built through {@link
 * RuleValidator}, so they are exactly what the service holds.
 */
public final class RuleGenerator {
  private static final String[] RESOURCES = {
    "orders",
    "payments",
    "users",
    "carts",
    "search",
    "inventory",
    "shipments",
    "invoices",
    "reviews",
    "sessions",
    "products",
    "recommendations",
    "notifications",
    "exports",
    "reports"
  };
  private static final String[] REGIONS = {
    "eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-south-1", "ap-northeast-1"
  };
  private static final String[] PLANS = {"free", "pro", "team", "enterprise"};
  private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH"};
  private static final String[] TIERS = {"1", "2", "3"};
  private static final String[] METADATA_KEYS = {"region", "plan", "method", "client", "tier"};
  private static final String[] WINDOWS = {"rps", "rpm", "rph", "rpd"};
  private static final long[] WINDOW_SECONDS = {1, 60, 3600, 86400};
  private static final String[] ALGORITHMS = {
    "FIXED_WINDOW", "SLIDING_WINDOW", "SLIDING_WINDOW_COUNTER", "TOKEN_BUCKET"
  };

  private RuleGenerator() {}

  /** A request as the index sees it. */
  public record Request(String key, Map<String, String> metadata) {}

  /** {@code count} valid rules with distinct ids, the same for the same seed. */
  public static List<LimitRule> rules(int count, long seed) {
    List<Map<String, Object>> raw = rawRules(count, seed);
    List<LimitRule> rules = new ArrayList<>(count);
    for (int i = 0; i < raw.size(); i++) {
      rules.add(validate(raw.get(i)));
      raw.set(i, null);
    }
    return rules;
  }

  /** The same rules as {@link #rules}, as the field maps the Avro adapter hands the validator. */
  public static List<Map<String, Object>> rawRules(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Map<String, Object>> rules = new ArrayList<>(count);
    List<String> exactKeys = new ArrayList<>();
    for (String key : broadPatterns()) {
      rules.add(raw("broad-" + rules.size(), key, 0, random, false));
    }
    for (int i = rules.size(); i < count; i++) {
      int kind = random.nextInt(100);
      String id;
      String key;
      if (kind < 80) {
        if (!exactKeys.isEmpty() && random.nextInt(10) == 0) {
          key = fresh(exactKeys.get(random.nextInt(exactKeys.size())));
          id = "extra-" + i;
        } else if (kind < 60) {
          long user = 1_000_000 + random.nextInt(9_000_000);
          key = "user:" + user;
          id = "user-" + user + "-" + i;
        } else if (kind < 70) {
          key = "apikey:" + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
          id = "apikey-" + i;
        } else {
          key = "ip:" + ipv4(random, 4);
          id = "ip-" + i;
        }
        exactKeys.add(key);
      } else {
        id = "pattern-" + i;
        key = pattern(random);
      }
      rules.add(raw(id, key, priority(random), random, random.nextInt(5) == 0));
    }
    return rules;
  }

  private static String pattern(SplittableRandom random) {
    switch (random.nextInt(6)) {
      case 0:
      case 1:
        return "tenant:" + random.nextInt(200_000) + ":*";
      case 2:
        return "user:" + (1_000_000 + random.nextInt(9_000_000)) + ":*";
      case 3:
        return "api:/v"
            + (1 + random.nextInt(3))
            + "/"
            + pick(random, RESOURCES)
            + "/"
            + random.nextInt(100_000)
            + "*";
      case 4:
        return "ip:" + ipv4(random, 3) + ".*";
      default:
        return "org:" + random.nextInt(50_000) + ":project:" + random.nextInt(1_000) + ":*";
    }
  }

  /** The few broad patterns every deployment has, one rule each. */
  private static List<String> broadPatterns() {
    List<String> keys = new ArrayList<>(List.of("*", "user:*", "tenant:*", "org:*", "ip:10.*"));
    for (int d = 1; d <= 9; d++) {
      keys.add("user:" + d + "*");
    }
    for (int v = 1; v <= 3; v++) {
      keys.add("api:/v" + v + "/*");
      for (String resource : RESOURCES) {
        keys.add("api:/v" + v + "/" + resource + "/*");
      }
    }
    return keys;
  }

  private static String ipv4(SplittableRandom random, int octets) {
    StringBuilder s = new StringBuilder("10");
    for (int i = 1; i < octets; i++) {
      s.append('.').append(random.nextInt(256));
    }
    return s.toString();
  }

  private static int priority(SplittableRandom random) {
    int p = random.nextInt(100);
    return p < 85 ? 0 : p < 93 ? 10 : p < 97 ? 100 : -5;
  }

  private static Map<String, Object> raw(
      String id, String key, int priority, SplittableRandom random, boolean withMetadata) {
    int w = random.nextInt(WINDOWS.length);
    String algorithm = pick(random, ALGORITHMS);
    Map<String, Object> fields = new HashMap<>();
    fields.put("id", fresh(id.startsWith("user-") ? id + "-" + WINDOWS[w] : id));
    fields.put("key", fresh(key));
    fields.put("limit", (long) 1 + random.nextInt(10_000));
    fields.put("windowSeconds", WINDOW_SECONDS[w]);
    fields.put("priority", priority);
    fields.put("algorithm", fresh(algorithm));
    if (withMetadata) {
      Map<String, String> metadata = new HashMap<>();
      int entries = 1 + random.nextInt(3);
      while (metadata.size() < entries) {
        String k = pick(random, METADATA_KEYS);
        String v = random.nextInt(7) == 0 ? "*" : metadataValue(k, random);
        metadata.put(fresh(k), fresh(v));
      }
      fields.put("metadata", metadata);
    }
    return fields;
  }

  private static String metadataValue(String key, SplittableRandom random) {
    switch (key) {
      case "region":
        return pick(random, REGIONS);
      case "plan":
        return pick(random, PLANS);
      case "method":
        return pick(random, METHODS);
      case "tier":
        return pick(random, TIERS);
      default:
        return "client-" + random.nextInt(1000);
    }
  }

  /**
   * {@code count} requests against {@code rules}: 50% an existing exact key, 25% a key under a
   * generated pattern family ({@code tenant:..:user:..}, {@code api:/v2/orders/123}, {@code
   * org:..:project:..:build}, {@code user:..:orders}, an address under {@code ip:10.*}), 15% a
   * {@code user:} key that may have no exact rule, 10% a key only {@code *} matches. Each carries 0
   * to 4 metadata entries.
   */
  public static Request[] requests(List<LimitRule> rules, int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<String> exact = new ArrayList<>();
    for (LimitRule r : rules) {
      if (!r.isPrefixPattern()) {
        exact.add(r.key());
      }
    }
    Request[] requests = new Request[count];
    for (int i = 0; i < count; i++) {
      requests[i] = new Request(fresh(requestKey(random, exact)), requestMetadata(random));
    }
    return requests;
  }

  private static String requestKey(SplittableRandom random, List<String> exact) {
    int kind = random.nextInt(100);
    if (kind < 50) {
      return exact.get(random.nextInt(exact.size()));
    }
    if (kind < 75) {
      switch (random.nextInt(5)) {
        case 0:
          return "tenant:" + random.nextInt(200_000) + ":user:" + random.nextInt(1_000_000);
        case 1:
          return "api:/v"
              + (1 + random.nextInt(3))
              + "/"
              + pick(random, RESOURCES)
              + "/"
              + random.nextInt(100_000);
        case 2:
          return "org:" + random.nextInt(50_000) + ":project:" + random.nextInt(1_000) + ":build";
        case 3:
          return "user:" + (1_000_000 + random.nextInt(9_000_000)) + ":orders";
        default:
          return "ip:" + ipv4(random, 4);
      }
    }
    if (kind < 90) {
      return "user:" + (1_000_000 + random.nextInt(9_000_000));
    }
    return "session:" + Long.toHexString(random.nextLong());
  }

  private static Map<String, String> requestMetadata(SplittableRandom random) {
    Map<String, String> metadata = new HashMap<>();
    int entries = random.nextInt(5);
    for (int i = 0; i < entries; i++) {
      String k = pick(random, METADATA_KEYS);
      metadata.put(fresh(k), fresh(metadataValue(k, random)));
    }
    return metadata;
  }

  /**
   * Requests whose keys are 512 characters: a key from {@link #requests} padded with a random tail,
   * so the radix walk follows a real pattern family and then leaves it.
   */
  public static Request[] longRequests(List<LimitRule> rules, int count, long seed) {
    Request[] base = requests(rules, count, seed);
    SplittableRandom random = new SplittableRandom(seed + 1);
    for (int i = 0; i < count; i++) {
      StringBuilder key = new StringBuilder(512).append(base[i].key()).append('/');
      while (key.length() < 512) {
        key.append((char) ('a' + random.nextInt(26)));
      }
      base[i] = new Request(key.toString(), base[i].metadata());
    }
    return base;
  }

  /**
   * 511 patterns {@code n*}, {@code nn*}, ... nested along one 512-character key, the worst case
   * for a lookup: every one of them is a prefix of the key and must be considered.
   */
  public static List<LimitRule> nestedPatterns() {
    List<LimitRule> rules = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(7);
    for (int length = 1; length < 512; length++) {
      rules.add(validate(raw("nested-" + length, "n".repeat(length) + "*", 0, random, false)));
    }
    return rules;
  }

  /** Requests whose 512-character keys have every pattern of {@link #nestedPatterns} as prefix. */
  public static Request[] nestedRequests(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Request[] requests = new Request[count];
    for (int i = 0; i < count; i++) {
      requests[i] = new Request(fresh("n".repeat(512)), requestMetadata(random));
    }
    return requests;
  }

  /**
   * {@code count} rules on the one key {@code *}, told apart by metadata: {@code {tenant: t<i>}},
   * the per-tenant style that makes one key carry thousands of rules.
   */
  public static List<LimitRule> sharedKeyRules(int count) {
    SplittableRandom random = new SplittableRandom(11);
    List<LimitRule> rules = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Map<String, Object> fields = raw("tenant-" + i, "*", 0, random, false);
      fields.put("metadata", Map.of(fresh("tenant"), fresh("t" + i)));
      rules.add(validate(fields));
    }
    return rules;
  }

  /** The requests with a {@code tenant} entry added, drawn from {@code tenants} + 25% unknown. */
  public static Request[] withTenants(Request[] requests, int tenants, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Request[] result = new Request[requests.length];
    for (int i = 0; i < requests.length; i++) {
      Map<String, String> metadata = new HashMap<>(requests[i].metadata());
      metadata.put(fresh("tenant"), fresh("t" + random.nextInt(tenants + tenants / 4)));
      result[i] = new Request(requests[i].key(), metadata);
    }
    return result;
  }

  /**
   * Each request as one compact byte array (key, then metadata pairs, each string as a 2-byte
   * length and ISO-8859-1 bytes), standing in for the record bytes a decoder reads. The arrays are
   * allocated one after another, so reading them in order streams through memory.
   */
  public static byte[][] encode(Request[] requests) {
    byte[][] encoded = new byte[requests.length][];
    for (int i = 0; i < requests.length; i++) {
      Request r = requests[i];
      int size = 1 + 2 + r.key().length();
      for (Map.Entry<String, String> e : r.metadata().entrySet()) {
        size += 4 + e.getKey().length() + e.getValue().length();
      }
      ByteBuffer b = ByteBuffer.allocate(size);
      putString(b, r.key());
      b.put((byte) r.metadata().size());
      for (Map.Entry<String, String> e : r.metadata().entrySet()) {
        putString(b, e.getKey());
        putString(b, e.getValue());
      }
      encoded[i] = b.array();
    }
    return encoded;
  }

  private static void putString(ByteBuffer b, String s) {
    b.putShort((short) s.length());
    b.put(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Decodes one request of {@link #encode} into fresh objects, as a record decoder would. */
  public static Request decode(byte[] bytes) {
    int length = ((bytes[0] & 0xff) << 8) | (bytes[1] & 0xff);
    String key = new String(bytes, 2, length, StandardCharsets.ISO_8859_1);
    int at = 2 + length;
    int entries = bytes[at++];
    Map<String, String> metadata = new HashMap<>(entries * 2);
    for (int i = 0; i < entries; i++) {
      int kl = ((bytes[at] & 0xff) << 8) | (bytes[at + 1] & 0xff);
      String k = new String(bytes, at + 2, kl, StandardCharsets.ISO_8859_1);
      at += 2 + kl;
      int vl = ((bytes[at] & 0xff) << 8) | (bytes[at + 1] & 0xff);
      String v = new String(bytes, at + 2, vl, StandardCharsets.ISO_8859_1);
      at += 2 + vl;
      metadata.put(k, v);
    }
    return new Request(key, metadata);
  }

  private static LimitRule validate(Map<String, Object> fields) {
    RuleValidation v = RuleValidator.validate(fields);
    if (!v.isValid()) {
      throw new IllegalStateException("generated an invalid rule: " + v.errorMessage());
    }
    return v.rule();
  }

  private static String pick(SplittableRandom random, String[] values) {
    return values[random.nextInt(values.length)];
  }

  /** A new String instance, as a decoder would allocate, never a shared literal. */
  private static String fresh(String s) {
    return new String(s.toCharArray());
  }
}
