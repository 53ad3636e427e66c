package dev.sluice.topology;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Sluice's own settings ({@code sluice.*} keys), validated once, plus every other key passed
 * through untouched to Kafka Streams and its clients.
 *
 * @param rulesTopic {@code sluice.topic.rules}: where operators publish rules
 * @param rulesAppliedTopic {@code sluice.topic.rules-applied}: validated rules (internal,
 *     compacted), the source of every instance's global rule store
 * @param requestsTopic {@code sluice.topic.requests}
 * @param decisionsTopic {@code sluice.topic.decisions}: the default reply topic
 * @param deadLettersTopic {@code sluice.topic.dead-letters}
 * @param httpPort {@code sluice.http.port}: health and metrics endpoint port
 * @param httpBindAddress {@code sluice.http.bind.address}: the address the HTTP server listens on
 *     ({@code 0.0.0.0}, every IPv4 and IPv6 address, by default; an IP literal or a host name)
 * @param httpCountersEnabled {@code sluice.http.counters.enabled}: whether {@code /counters}
 *     answers (it shows any key's counters to whoever can reach the port)
 * @param stuckPartitionMs {@code sluice.health.stuck.partition.ms}: how long a requests partition
 *     this instance owns may have records waiting, more and more of them, while its committed
 *     offset stands still, before {@code /health/ready} reports it stuck; 0 turns the check off
 * @param rocksDbCacheBytes {@code sluice.rocksdb.cache.bytes}: off-heap memory shared by every
 *     RocksDB store of the JVM (block cache, with memtables and index/filter blocks charged to it)
 * @param expiryIntervalMs {@code sluice.counters.expiry.interval.ms}: wall-clock period of the
 *     idle-counter sweep; 0 disables it
 * @param expiryBatchSize {@code sluice.counters.expiry.batch.size}: most counters one sweep of one
 *     task examines, so a sweep never stalls processing
 * @param expiryGraceMs {@code sluice.counters.expiry.grace.ms}: how long past its idle time a
 *     counter is kept, to absorb requests whose timestamps run behind stream time
 * @param replyTopicPrefixes {@code sluice.reply.topic.allowed.prefixes}: besides the decisions
 *     topic, the prefixes a request's {@code replyTopic} may start with (comma separated; empty by
 *     default: only the decisions topic)
 * @param replyTopicCheckIntervalMs {@code sluice.reply.topic.check.interval.ms}: how often an
 *     instance lists the reply topics under the allowed prefixes and checks it may write them, so
 *     that a request naming an absent or unwritable one is answered at once (see {@code
 *     ReplyTopics})
 * @param replyTopicCacheMaxEntries {@code sluice.reply.topic.cache.max.entries}: most reply topics
 *     an instance remembers as writable, and separately as unwritable (least recently asked first
 *     out)
 * @param delegated {@code sluice.*} keys under a {@link #DELEGATED_PREFIXES prefix} another
 *     component validates (e.g. {@code sluice.schema.registry.*}); kept here, never passed to Kafka
 * @param passThrough every non-Sluice key, for Kafka Streams and its clients, unmodifiable
 */
public record SluiceConfig(
    String rulesTopic,
    String rulesAppliedTopic,
    String requestsTopic,
    String decisionsTopic,
    String deadLettersTopic,
    int httpPort,
    String httpBindAddress,
    boolean httpCountersEnabled,
    long stuckPartitionMs,
    long rocksDbCacheBytes,
    long expiryIntervalMs,
    int expiryBatchSize,
    long expiryGraceMs,
    List<String> replyTopicPrefixes,
    long replyTopicCheckIntervalMs,
    int replyTopicCacheMaxEntries,
    Map<String, String> delegated,
    Map<String, String> passThrough) {

  /**
   * Prefixes of Sluice keys owned and validated by another component's config class (the schema
   * registry codec's {@code SchemaRegistryConfig}, the app's metrics settings); accepted here as
   * they are.
   */
  public static final List<String> DELEGATED_PREFIXES =
      List.of("sluice.schema.registry.", "sluice.metrics.");

  /** Key of {@link #rulesTopic}. */
  public static final String TOPIC_RULES = "sluice.topic.rules";

  /** Key of {@link #rulesAppliedTopic}. */
  public static final String TOPIC_RULES_APPLIED = "sluice.topic.rules-applied";

  /** Key of {@link #requestsTopic}. */
  public static final String TOPIC_REQUESTS = "sluice.topic.requests";

  /** Key of {@link #decisionsTopic}. */
  public static final String TOPIC_DECISIONS = "sluice.topic.decisions";

  /** Key of {@link #deadLettersTopic}. */
  public static final String TOPIC_DEAD_LETTERS = "sluice.topic.dead-letters";

  /** Key of {@link #httpPort}. */
  public static final String HTTP_PORT = "sluice.http.port";

  /** Key of {@link #httpBindAddress}. */
  public static final String HTTP_BIND_ADDRESS = "sluice.http.bind.address";

  /** Key of {@link #httpCountersEnabled}. */
  public static final String HTTP_COUNTERS_ENABLED = "sluice.http.counters.enabled";

  /** Key of {@link #stuckPartitionMs}. */
  public static final String STUCK_PARTITION_MS = "sluice.health.stuck.partition.ms";

  /** Key of {@link #rocksDbCacheBytes}. */
  public static final String ROCKSDB_CACHE_BYTES = "sluice.rocksdb.cache.bytes";

  /** Key of {@link #expiryIntervalMs}. */
  public static final String EXPIRY_INTERVAL_MS = "sluice.counters.expiry.interval.ms";

  /** Key of {@link #expiryBatchSize}. */
  public static final String EXPIRY_BATCH_SIZE = "sluice.counters.expiry.batch.size";

  /** Key of {@link #expiryGraceMs}. */
  public static final String EXPIRY_GRACE_MS = "sluice.counters.expiry.grace.ms";

  /** Key of {@link #replyTopicPrefixes}. */
  public static final String REPLY_TOPIC_PREFIXES = "sluice.reply.topic.allowed.prefixes";

  /** Key of {@link #replyTopicCheckIntervalMs}. */
  public static final String REPLY_TOPIC_CHECK_INTERVAL_MS = "sluice.reply.topic.check.interval.ms";

  /** Key of {@link #replyTopicCacheMaxEntries}. */
  public static final String REPLY_TOPIC_CACHE_MAX_ENTRIES = "sluice.reply.topic.cache.max.entries";

  /** Every Sluice key with its default, in documentation order. */
  public static final Map<String, String> DEFAULTS = defaults();

  /**
   * Default producer {@code linger.ms} under at-least-once: decisions are sent as soon as they are
   * made, since a reader sees them as soon as they are written.
   */
  public static final String DEFAULT_LINGER_MS = "0";

  /**
   * Default producer {@code linger.ms} under {@code exactly_once_v2}: a decision is visible to
   * read_committed readers only when its transaction commits, and the commit flushes the producer,
   * so batching for a few milliseconds adds no latency a client can see and saves the brokers many
   * small produce requests (docs/PERFORMANCE.md, the producer-linger lever).
   */
  public static final String DEFAULT_EXACTLY_ONCE_LINGER_MS = "5";

  /**
   * Default {@code max.task.idle.ms}: -1, never wait for data. Every Sluice task reads one
   * partition of one topic, so there is no second partition to wait for; Kafka Streams' default (0)
   * only adds a per-iteration check that formats log text even when nothing is logged.
   */
  public static final String DEFAULT_MAX_TASK_IDLE_MS = "-1";

  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

  public SluiceConfig {
    replyTopicPrefixes = List.copyOf(replyTopicPrefixes);
    delegated = Map.copyOf(delegated);
    passThrough = Map.copyOf(passThrough);
  }

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put(TOPIC_RULES, "sluice.rules");
    d.put(TOPIC_RULES_APPLIED, "sluice.rules-applied");
    d.put(TOPIC_REQUESTS, "sluice.requests");
    d.put(TOPIC_DECISIONS, "sluice.decisions");
    d.put(TOPIC_DEAD_LETTERS, "sluice.dead-letters");
    d.put(HTTP_PORT, "8080");
    d.put(HTTP_BIND_ADDRESS, "0.0.0.0");
    d.put(HTTP_COUNTERS_ENABLED, "true");
    d.put(STUCK_PARTITION_MS, "30000");
    d.put(ROCKSDB_CACHE_BYTES, Long.toString(64L * 1024 * 1024));
    d.put(EXPIRY_INTERVAL_MS, "60000");
    d.put(EXPIRY_BATCH_SIZE, "10000");
    d.put(EXPIRY_GRACE_MS, "60000");
    d.put(REPLY_TOPIC_PREFIXES, "");
    d.put(REPLY_TOPIC_CHECK_INTERVAL_MS, "10000");
    d.put(REPLY_TOPIC_CACHE_MAX_ENTRIES, "10000");
    return java.util.Collections.unmodifiableMap(d);
  }

  /** Every default, nothing passed through. */
  public static SluiceConfig defaultConfig() {
    return fromProperties(new Properties());
  }

  /**
   * Reads and validates the settings.
   *
   * @throws IllegalArgumentException naming the key, the value and the constraint, for an unknown
   *     {@code sluice.*} key or a bad value
   */
  public static SluiceConfig fromProperties(Properties props) {
    Map<String, String> sluice = new TreeMap<>();
    Map<String, String> other = new TreeMap<>();
    Map<String, String> delegated = new TreeMap<>();
    for (String name : props.stringPropertyNames()) {
      String value = props.getProperty(name).trim();
      if (DELEGATED_PREFIXES.stream().anyMatch(name::startsWith)) {
        delegated.put(name, value);
      } else if (name.startsWith("sluice.")) {
        if (!DEFAULTS.containsKey(name)) {
          throw new IllegalArgumentException(
              name
                  + ": unknown Sluice setting (known: "
                  + String.join(", ", DEFAULTS.keySet())
                  + ")");
        }
        sluice.put(name, value);
      } else {
        other.put(name, value);
      }
    }
    Map<String, String> v = new LinkedHashMap<>(DEFAULTS);
    v.putAll(sluice);
    SluiceConfig config =
        new SluiceConfig(
            topic(v, TOPIC_RULES),
            topic(v, TOPIC_RULES_APPLIED),
            topic(v, TOPIC_REQUESTS),
            topic(v, TOPIC_DECISIONS),
            topic(v, TOPIC_DEAD_LETTERS),
            (int) number(v, HTTP_PORT, 1, 65_535),
            address(v, HTTP_BIND_ADDRESS),
            bool(v, HTTP_COUNTERS_ENABLED),
            number(v, STUCK_PARTITION_MS, 0, 86_400_000),
            number(v, ROCKSDB_CACHE_BYTES, 1L << 20, Long.MAX_VALUE),
            number(v, EXPIRY_INTERVAL_MS, 0, Long.MAX_VALUE),
            (int) number(v, EXPIRY_BATCH_SIZE, 1, 10_000_000),
            number(v, EXPIRY_GRACE_MS, 0, Long.MAX_VALUE),
            prefixes(v.get(REPLY_TOPIC_PREFIXES)),
            number(v, REPLY_TOPIC_CHECK_INTERVAL_MS, 100, 3_600_000),
            (int) number(v, REPLY_TOPIC_CACHE_MAX_ENTRIES, 1, 1_000_000),
            delegated,
            other);
    config.checkTopicsDistinct();
    return config;
  }

  private void checkTopicsDistinct() {
    Map<String, String> seen = new LinkedHashMap<>();
    String[][] topics = {
      {TOPIC_RULES, rulesTopic},
      {TOPIC_RULES_APPLIED, rulesAppliedTopic},
      {TOPIC_REQUESTS, requestsTopic},
      {TOPIC_DECISIONS, decisionsTopic},
      {TOPIC_DEAD_LETTERS, deadLettersTopic}
    };
    for (String[] t : topics) {
      String before = seen.putIfAbsent(t[1], t[0]);
      if (before != null) {
        throw new IllegalArgumentException(
            t[0] + ": must differ from " + before + " (both are \"" + t[1] + "\")");
      }
    }
  }

  private static String topic(Map<String, String> v, String key) {
    String value = v.get(key);
    if (!TOPIC.matcher(value).matches() || value.equals(".") || value.equals("..")) {
      throw new IllegalArgumentException(
          key
              + ": must be a Kafka topic name, 1-249 characters of [A-Za-z0-9._-] (got \""
              + value
              + "\")");
    }
    return value;
  }

  private static String address(Map<String, String> v, String key) {
    String value = v.get(key);
    if (!Pattern.matches("[A-Za-z0-9._:%\\[\\]-]{1,253}", value)) {
      throw new IllegalArgumentException(
          key
              + ": must be an IP address or host name, e.g. 0.0.0.0 (every address) or 127.0.0.1"
              + " (this machine only) (got \""
              + value
              + "\")");
    }
    return value;
  }

  private static boolean bool(Map<String, String> v, String key) {
    String value = v.get(key);
    if (!value.equals("true") && !value.equals("false")) {
      throw new IllegalArgumentException(key + ": must be true or false (got \"" + value + "\")");
    }
    return Boolean.parseBoolean(value);
  }

  private static long number(Map<String, String> v, String key, long min, long max) {
    String value = v.get(key);
    long n;
    try {
      n = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          key + ": must be an integer " + min + " to " + max + " (got \"" + value + "\")", e);
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException(
          key + ": must be an integer " + min + " to " + max + " (got " + n + ")");
    }
    return n;
  }

  private static List<String> prefixes(String value) {
    List<String> out = new ArrayList<>();
    for (String p : value.split(",")) {
      String prefix = p.trim();
      if (prefix.isEmpty()) {
        continue;
      }
      if (!Pattern.matches("[A-Za-z0-9._-]{1,249}", prefix)) {
        throw new IllegalArgumentException(
            REPLY_TOPIC_PREFIXES
                + ": each prefix must be 1-249 characters of [A-Za-z0-9._-] (got \""
                + prefix
                + "\")");
      }
      out.add(prefix);
    }
    return out;
  }

  /**
   * True when decisions may be written to {@code topic}: the decisions topic or an allowed prefix.
   */
  public boolean replyTopicAllowed(String topic) {
    if (topic.equals(decisionsTopic)) {
      return true;
    }
    for (String p : replyTopicPrefixes) {
      if (topic.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The properties to start Kafka Streams with: the pass-through keys over Sluice's defaults
   * (application id {@code sluice}, producer {@code linger.ms} {@value #DEFAULT_LINGER_MS}, or
   * {@value #DEFAULT_EXACTLY_ONCE_LINGER_MS} under {@code exactly_once_v2}, {@code
   * max.task.idle.ms} {@value #DEFAULT_MAX_TASK_IDLE_MS}, the dead-letter handlers, the bounded
   * RocksDB setter), plus {@link #ROCKSDB_CACHE_BYTES} for that setter.
   */
  public Properties streamsProperties() {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "sluice");
    // Kafka Streams would otherwise set linger.ms=100, adding up to 100 ms to every decision.
    if (!passThrough.containsKey(ProducerConfig.LINGER_MS_CONFIG)
        && !passThrough.containsKey(
            StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG))) {
      p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), defaultLingerMs());
    }
    p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, DEFAULT_MAX_TASK_IDLE_MS);
    p.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterDeserializationHandler.class.getName());
    p.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterProcessingHandler.class.getName());
    p.put(
        StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterProductionHandler.class.getName());
    // The rule store's global processor gets the same dead-letter handling as stream tasks. The
    // key is deprecated only because 5.0 makes "true" the default; Kafka 4.4 warns without it.
    p.put("processing.exception.handler.global.enabled", "true");
    p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbConfig.class.getName());
    p.putAll(passThrough);
    // The dead-letter topic is Sluice's: a pass-through value for it would split dead letters.
    p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, deadLettersTopic);
    p.put(ROCKSDB_CACHE_BYTES, Long.toString(rocksDbCacheBytes));
    return p;
  }

  /** The producer {@code linger.ms} Sluice sets when the configuration does not. */
  private String defaultLingerMs() {
    return StreamsConfig.EXACTLY_ONCE_V2.equals(
            passThrough.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
        ? DEFAULT_EXACTLY_ONCE_LINGER_MS
        : DEFAULT_LINGER_MS;
  }

  /**
   * Applies environment overrides to {@code base}: {@code SLUICE_FOO_BAR} sets the Sluice key whose
   * name, upper-cased with {@code .} and {@code -} as {@code _}, is {@code SLUICE_FOO_BAR}; any
   * other {@code SLUICE_*} variable sets {@code foo.bar} (lower case, {@code _} as {@code .}), e.g.
   * {@code SLUICE_BOOTSTRAP_SERVERS} sets {@code bootstrap.servers}.
   *
   * @return a new Properties; {@code base} is not changed
   */
  public static Properties withEnvironment(Properties base, Map<String, String> env) {
    return withEnvironment(base, env, Set.of());
  }

  /**
   * {@link #withEnvironment(Properties, Map)} that also knows {@code moreKeys}: Sluice keys under a
   * {@link #DELEGATED_PREFIXES delegated prefix} defined elsewhere, whose names contain {@code -}
   * and so could not be told from the environment variable alone (e.g. {@code
   * SLUICE_METRICS_MAX_RULE_TAGS} sets {@code sluice.metrics.max-rule-tags}, not {@code
   * sluice.metrics.max.rule.tags}).
   *
   * @return a new Properties; {@code base} is not changed
   */
  public static Properties withEnvironment(
      Properties base, Map<String, String> env, Set<String> moreKeys) {
    Map<String, String> sluiceByEnv = new LinkedHashMap<>();
    for (String key : DEFAULTS.keySet()) {
      sluiceByEnv.put(envName(key), key);
    }
    for (String key : moreKeys) {
      sluiceByEnv.put(envName(key), key);
    }
    Properties out = new Properties();
    out.putAll(base);
    Set<String> names = new LinkedHashSet<>(new TreeMap<>(env).keySet());
    for (String name : names) {
      if (!name.startsWith("SLUICE_") || name.length() == "SLUICE_".length()) {
        continue;
      }
      String key = sluiceByEnv.get(name);
      for (String prefix : DELEGATED_PREFIXES) {
        String envPrefix = envName(prefix);
        if (key == null && name.startsWith(envPrefix)) {
          key =
              prefix
                  + name.substring(envPrefix.length()).toLowerCase(Locale.ROOT).replace('_', '.');
        }
      }
      if (key == null) {
        key = name.substring("SLUICE_".length()).toLowerCase(Locale.ROOT).replace('_', '.');
      }
      out.setProperty(key, Objects.requireNonNull(env.get(name)));
    }
    return out;
  }

  /** The environment variable that overrides a Sluice key. */
  public static String envName(String key) {
    return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  @Override
  public String toString() {
    return "SluiceConfig"
        + Arrays.asList(
            rulesTopic,
            rulesAppliedTopic,
            requestsTopic,
            decisionsTopic,
            deadLettersTopic,
            httpPort,
            httpBindAddress,
            httpCountersEnabled,
            stuckPartitionMs,
            rocksDbCacheBytes,
            expiryIntervalMs,
            expiryBatchSize,
            expiryGraceMs,
            replyTopicPrefixes,
            replyTopicCheckIntervalMs,
            replyTopicCacheMaxEntries)
        + " + "
        + passThrough.keySet();
  }
}
