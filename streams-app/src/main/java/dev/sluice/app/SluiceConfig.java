package dev.sluice.app;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * One instance's settings: a properties file, then {@code SLUICE_*} environment overrides, then
 * command-line overrides, checked once here so that a bad setting fails at startup with a message
 * naming it. Immutable.
 *
 * <p>Keys starting with {@code sluice.} are Sluice's own (see {@link #KNOWN_KEYS}); an unknown
 * one is an error, so a misspelled key cannot be silently ignored. Every other key passes through
 * unchanged to Kafka Streams and the Kafka clients.
 *
 * <p>Environment: {@code SLUICE_FOO_BAR} sets the Sluice key whose name, upper-cased with {@code
 * .} and {@code -} as {@code _}, is {@code SLUICE_FOO_BAR} ({@code SLUICE_TOPIC_RULES_APPLIED} sets
 * {@code sluice.topic.rules-applied}); failing that, {@code foo.bar} ({@code
 * SLUICE_BOOTSTRAP_SERVERS} sets {@code bootstrap.servers}).
 *
 * <p>Kafka Streams defaults that differ from Kafka's, all overridable ({@link #STREAMS_DEFAULTS}):
 *
 * <ul>
 *   <li>{@code processing.guarantee=exactly_once_v2}: one decision per request (SPEC 6);
 *   <li>{@code commit.interval.ms=100}: under exactly-once, decisions become visible to
 *       read_committed readers only at commit, so this bounds decision latency;
 *   <li>{@code linger.ms=5}: Streams' own producer default of 100 ms would add that much latency
 *       to every decision;
 *   <li>{@code num.standby.replicas=1}: a warm copy of every counter store for fast fail-over and
 *       for {@code /counters} answers from a standby;
 *   <li>{@code group.protocol=classic}, {@code session.timeout.ms=6000}, {@code
 *       heartbeat.interval.ms=1500}: a dead instance's partitions move within about 6 s (the
 *       streams protocol cannot go below 45 s);
 *   <li>{@code replication.factor=3}: internal topics (changelogs) survive a broker loss; the
 *       startup check refuses a cluster with fewer brokers, naming the setting.
 * </ul>
 */
public final class SluiceConfig {
  /** Topic operators publish rules to (compacted). */
  public static final String TOPIC_RULES = "sluice.topic.rules";
  /** Internal compacted topic of validated rules, the source of the global rule store. */
  public static final String TOPIC_RULES_APPLIED = "sluice.topic.rules-applied";
  /** Topic clients send requests to. */
  public static final String TOPIC_REQUESTS = "sluice.topic.requests";
  /** Topic decisions are written to. */
  public static final String TOPIC_DECISIONS = "sluice.topic.decisions";
  /** Topic undecodable records go to. */
  public static final String TOPIC_DEAD_LETTERS = "sluice.topic.dead-letters";
  /** Partitions for the requests, decisions and dead-letter topics when Sluice creates them. */
  public static final String TOPICS_PARTITIONS = "sluice.topics.partitions";
  /** HTTP port for health, metrics and counters; 0 picks a free port. */
  public static final String HTTP_PORT = "sluice.http.port";
  /** Bytes of RocksDB block cache shared by the counter stores of one instance. */
  public static final String ROCKSDB_CACHE_BYTES = "sluice.rocksdb.cache.bytes";
  /** Prefix of the counter expiry settings the topology reads. */
  public static final String COUNTERS_EXPIRY_PREFIX = "sluice.counters.expiry.";
  /** How long a graceful shutdown may take before the process exits anyway. */
  public static final String SHUTDOWN_TIMEOUT_MS = "sluice.shutdown.timeout.ms";

  /** Every Sluice key with its default ({@code null} when the default is the topology's). */
  public static final Map<String, String> KNOWN_KEYS;

  /** Kafka Streams settings Sluice sets unless the configuration does. */
  public static final Map<String, String> STREAMS_DEFAULTS;

  static {
    Map<String, String> known = new LinkedHashMap<>();
    known.put(TOPIC_RULES, "sluice.rules");
    known.put(TOPIC_RULES_APPLIED, "sluice.rules-applied");
    known.put(TOPIC_REQUESTS, "sluice.requests");
    known.put(TOPIC_DECISIONS, "sluice.decisions");
    known.put(TOPIC_DEAD_LETTERS, "sluice.dead-letters");
    known.put(TOPICS_PARTITIONS, "6");
    known.put(HTTP_PORT, "8080");
    known.put(ROCKSDB_CACHE_BYTES, null);
    known.put(SHUTDOWN_TIMEOUT_MS, "30000");
    KNOWN_KEYS = Collections.unmodifiableMap(known);

    Map<String, String> streams = new LinkedHashMap<>();
    streams.put(StreamsConfig.APPLICATION_ID_CONFIG, "sluice");
    streams.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    streams.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
    streams.put("linger.ms", "5");
    streams.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "1");
    streams.put(StreamsConfig.GROUP_PROTOCOL_CONFIG, "classic");
    streams.put("session.timeout.ms", "6000");
    streams.put("heartbeat.interval.ms", "1500");
    streams.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "3");
    STREAMS_DEFAULTS = Collections.unmodifiableMap(streams);
  }

  private final Map<String, String> sluice;
  private final Map<String, String> kafka;

  private SluiceConfig(Map<String, String> sluice, Map<String, String> kafka) {
    this.sluice = Collections.unmodifiableMap(new TreeMap<>(sluice));
    this.kafka = Collections.unmodifiableMap(new TreeMap<>(kafka));
  }

  /**
   * Reads {@code file} (may be null: no file), applies {@code env} and then {@code overrides}, and
   * validates the result for a client (admin commands): only {@code bootstrap.servers} and the
   * Sluice keys are checked.
   *
   * @throws CliException naming every missing or invalid setting
   */
  public static SluiceConfig forClient(
      Path file, Map<String, String> env, Map<String, String> overrides) {
    Map<String, String> raw = merge(file, env, overrides);
    List<String> errors = new ArrayList<>();
    SluiceConfig config = split(raw, errors);
    if (!errors.isEmpty()) {
      throw invalid(file, errors);
    }
    return config;
  }

  /**
   * As {@link #forClient}, for a Streams instance: the Streams defaults apply under the given
   * settings, and every Kafka Streams setting is checked against its definition.
   *
   * @throws CliException naming every missing or invalid setting
   */
  public static SluiceConfig forInstance(
      Path file, Map<String, String> env, Map<String, String> overrides) {
    Map<String, String> raw = new LinkedHashMap<>(STREAMS_DEFAULTS);
    raw.putAll(merge(file, env, overrides));
    List<String> errors = new ArrayList<>();
    SluiceConfig config = split(raw, errors);
    if (errors.isEmpty()) {
      try {
        new StreamsConfig(config.streamsProperties());
      } catch (ConfigException e) {
        errors.add(e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      throw invalid(file, errors);
    }
    return config;
  }

  /** The five topic names. */
  public Topics topics() {
    return new Topics(
        sluice.get(TOPIC_RULES),
        sluice.get(TOPIC_RULES_APPLIED),
        sluice.get(TOPIC_REQUESTS),
        sluice.get(TOPIC_DECISIONS),
        sluice.get(TOPIC_DEAD_LETTERS));
  }

  /** The HTTP port, 0 for any free one. */
  public int httpPort() {
    return Integer.parseInt(sluice.get(HTTP_PORT));
  }

  /** Partitions for topics Sluice creates (requests, decisions, dead letters). */
  public int topicPartitions() {
    return Integer.parseInt(sluice.get(TOPICS_PARTITIONS));
  }

  /** Maximum time a graceful shutdown may take, in ms. */
  public long shutdownTimeoutMs() {
    return Long.parseLong(sluice.get(SHUTDOWN_TIMEOUT_MS));
  }

  /** {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return kafka.get("bootstrap.servers");
  }

  /** The replication factor for topics Sluice creates: {@code replication.factor}, -1 = broker's. */
  public short replicationFactor() {
    String rf = kafka.get(StreamsConfig.REPLICATION_FACTOR_CONFIG);
    return rf == null ? -1 : Short.parseShort(rf.trim());
  }

  /** Every {@code sluice.*} setting, defaults applied, sorted by key. */
  public Map<String, String> sluiceSettings() {
    return sluice;
  }

  /** Every Kafka setting, sorted by key. */
  public Map<String, String> kafkaSettings() {
    return kafka;
  }

  /** The properties for Kafka Streams: every non-Sluice setting. */
  public Properties streamsProperties() {
    Properties p = new Properties();
    p.putAll(kafka);
    return p;
  }

  /**
   * Settings for a plain Kafka client (admin, producer, consumer): those of the Kafka settings
   * that {@code clientConfigNames} knows (e.g. {@code ProducerConfig.configNames()}), so that the
   * client gets its security settings but no Streams-only ones it would warn about.
   */
  public Map<String, Object> clientProperties(Set<String> clientConfigNames) {
    Map<String, Object> out = new LinkedHashMap<>();
    kafka.forEach(
        (k, v) -> {
          if (clientConfigNames.contains(k)) {
            out.put(k, v);
          }
        });
    return out;
  }

  /**
   * The configuration key an environment variable sets, or null when the variable is not a
   * {@code SLUICE_*} one.
   */
  public static String keyForEnv(String variable) {
    if (!variable.startsWith("SLUICE_") || variable.length() == "SLUICE_".length()) {
      return null;
    }
    for (String key : KNOWN_KEYS.keySet()) {
      if (envName(key).equals(variable)) {
        return key;
      }
    }
    String expiry = envName(COUNTERS_EXPIRY_PREFIX);
    if (variable.startsWith(expiry) && variable.length() > expiry.length()) {
      return COUNTERS_EXPIRY_PREFIX + dotted(variable.substring(expiry.length()));
    }
    return dotted(variable.substring("SLUICE_".length()));
  }

  private static String envName(String key) {
    return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  private static String dotted(String envSuffix) {
    return envSuffix.toLowerCase(Locale.ROOT).replace('_', '.');
  }

  private static Map<String, String> merge(
      Path file, Map<String, String> env, Map<String, String> overrides) {
    Map<String, String> raw = new LinkedHashMap<>();
    if (file != null) {
      raw.putAll(readFile(file));
    }
    new TreeMap<>(env)
        .forEach(
            (name, value) -> {
              String key = keyForEnv(name);
              if (key != null) {
                raw.put(key, value);
              }
            });
    raw.putAll(overrides);
    return raw;
  }

  private static Map<String, String> readFile(Path file) {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (NoSuchFileException e) {
      throw new CliException("config file " + file + " does not exist");
    } catch (IOException | IllegalArgumentException e) {
      throw new CliException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
    Map<String, String> out = new LinkedHashMap<>();
    p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k).trim()));
    return out;
  }

  private static SluiceConfig split(Map<String, String> raw, List<String> errors) {
    Map<String, String> sluice = new LinkedHashMap<>();
    Map<String, String> kafka = new LinkedHashMap<>();
    KNOWN_KEYS.forEach(
        (k, v) -> {
          if (v != null) {
            sluice.put(k, v);
          }
        });
    for (Map.Entry<String, String> e : raw.entrySet()) {
      String key = e.getKey();
      if (key.startsWith("sluice.")) {
        if (KNOWN_KEYS.containsKey(key) || key.startsWith(COUNTERS_EXPIRY_PREFIX)) {
          sluice.put(key, e.getValue());
        } else {
          errors.add(
              key + ": unknown Sluice setting (known: " + String.join(", ", KNOWN_KEYS.keySet())
                  + ", " + COUNTERS_EXPIRY_PREFIX + "*)");
        }
      } else {
        kafka.put(key, e.getValue());
      }
    }
    checkBootstrap(kafka.get("bootstrap.servers"), errors);
    checkLong(sluice, HTTP_PORT, 0, 65535, errors);
    checkLong(sluice, TOPICS_PARTITIONS, 1, 10_000, errors);
    checkLong(sluice, SHUTDOWN_TIMEOUT_MS, 0, Long.MAX_VALUE, errors);
    checkLong(sluice, ROCKSDB_CACHE_BYTES, 0, Long.MAX_VALUE, errors);
    for (String key : sluice.keySet()) {
      if (key.startsWith("sluice.topic.")) {
        checkTopicName(key, sluice.get(key), errors);
      }
    }
    if (kafka.containsKey(StreamsConfig.REPLICATION_FACTOR_CONFIG)) {
      checkLong(kafka, StreamsConfig.REPLICATION_FACTOR_CONFIG, -1, Short.MAX_VALUE, errors);
      if ("0".equals(kafka.get(StreamsConfig.REPLICATION_FACTOR_CONFIG).trim())) {
        errors.add("replication.factor: must be -1 (broker default) or at least 1 (got 0)");
      }
    }
    return new SluiceConfig(sluice, kafka);
  }

  private static void checkBootstrap(String value, List<String> errors) {
    if (value == null || value.isBlank()) {
      errors.add(
          "bootstrap.servers: required (set it in the config file, SLUICE_BOOTSTRAP_SERVERS or"
              + " --bootstrap-servers)");
      return;
    }
    for (String entry : value.split(",")) {
      String hostPort = entry.trim();
      int colon = hostPort.lastIndexOf(':');
      boolean ok = colon > 0 && colon < hostPort.length() - 1;
      if (ok) {
        try {
          int port = Integer.parseInt(hostPort.substring(colon + 1));
          ok = port >= 1 && port <= 65535;
        } catch (NumberFormatException e) {
          ok = false;
        }
      }
      if (!ok) {
        errors.add("bootstrap.servers: each entry must be host:port (got '" + hostPort + "')");
      }
    }
  }

  private static void checkLong(
      Map<String, String> settings, String key, long min, long max, List<String> errors) {
    String value = settings.get(key);
    if (value == null) {
      return;
    }
    try {
      long n = Long.parseLong(value.trim());
      if (n < min || n > max) {
        errors.add(key + ": must be between " + min + " and " + max + " (got " + n + ")");
      }
    } catch (NumberFormatException e) {
      errors.add(key + ": must be a whole number (got '" + value + "')");
    }
  }

  private static void checkTopicName(String key, String value, List<String> errors) {
    if (value == null
        || value.isEmpty()
        || value.length() > 249
        || value.equals(".")
        || value.equals("..")
        || !value.matches("[A-Za-z0-9._-]+")) {
      errors.add(key + ": not a valid topic name (got '" + value + "')");
    }
  }

  private static CliException invalid(Path file, List<String> errors) {
    String source = file == null ? "configuration" : "configuration " + file;
    return new CliException(
        "invalid " + source + ":\n  " + String.join("\n  ", errors));
  }

  /**
   * The topic names an instance uses.
   *
   * @param rules operators' rules (compacted)
   * @param rulesApplied validated rules (compacted, internal)
   * @param requests requests
   * @param decisions decisions
   * @param deadLetters undecodable records
   */
  public record Topics(
      String rules, String rulesApplied, String requests, String decisions, String deadLetters) {
    /** All five, in the order above. */
    public List<String> all() {
      return List.of(rules, rulesApplied, requests, decisions, deadLetters);
    }
  }
}
