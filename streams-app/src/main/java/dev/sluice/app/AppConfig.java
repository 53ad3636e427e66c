package dev.sluice.app;

import dev.sluice.schema.registry.SchemaRegistryConfig;
import dev.sluice.topology.SluiceConfig;
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
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The settings of one command or instance: a properties file, then {@code SLUICE_*} environment
 * overrides ({@link SluiceConfig#withEnvironment}), then command-line overrides, validated once so
 * that every missing or invalid setting is reported together at startup, each naming its key.
 * Immutable.
 *
 * <p>{@code sluice.*} keys are the topology's ({@link SluiceConfig}); every other key passes
 * through to Kafka Streams and the Kafka clients. For an instance, Sluice sets these Kafka Streams
 * defaults unless the configuration does ({@link #STREAMS_DEFAULTS}):
 *
 * <ul>
 *   <li>{@code processing.guarantee=exactly_once_v2}: one decision per request (SPEC 6);
 *   <li>{@code commit.interval.ms=100}: under exactly-once a decision becomes visible to
 *       read_committed readers only at commit, so this bounds decision latency;
 *   <li>{@code num.standby.replicas=1}: a warm copy of every counter store, for fast fail-over and
 *       for {@code /counters} answers from a standby;
 *   <li>{@code group.protocol=classic}, {@code session.timeout.ms=6000}, {@code
 *       heartbeat.interval.ms=1500}: a dead instance's partitions move within about 6 s (the
 *       streams protocol cannot go below 45 s);
 *   <li>{@code producer.transaction.timeout.ms=5000} (Kafka Streams' own is 10 s): a crashed
 *       instance's open transaction blocks read_committed readers of every decisions partition it
 *       wrote to until the transaction coordinator aborts it, which it does after this timeout
 *       (plus up to the brokers' {@code
 *       transaction.abort.timed.out.transaction.cleanup.interval.ms}). The survivors cannot fence
 *       it: under {@code exactly_once_v2} the transactional id belongs to the dead instance's
 *       stream thread, not to the tasks they take over. 5 s keeps that stall near the 6 s session
 *       timeout and stays well above a healthy commit (docs/RELIABILITY.md);
 *   <li>producer {@code max.block.ms=}{@value #DEFAULT_MAX_BLOCK_MS} (the Kafka default is 60 s),
 *       unless {@code max.block.ms} or {@code producer.max.block.ms} is given: it bounds every
 *       producer call a stream thread can block in, the wait for a topic's metadata included (a
 *       reply topic deleted after the instance last checked it). Under {@code exactly_once_v2} it
 *       must stay below the producer's {@code transaction.timeout.ms}, or a blocked thread's
 *       transaction would time out, be aborted and the same record block again; a configuration
 *       breaking that is refused;
 *   <li>{@code replication.factor=3}: internal topics (changelogs) survive a broker loss; {@code
 *       sluice run} refuses a cluster with fewer brokers, naming the setting; and with 3 or more,
 *       {@code topic.min.insync.replicas=2}, so that an acknowledged counter update is on two
 *       brokers before a decision goes out;
 *   <li>{@code rack.aware.assignment.tags}: the names of the {@code client.tag.*} settings given
 *       (e.g. {@code client.tag.zone=eu-west-1a}, or {@code SLUICE_CLIENT_TAG_ZONE}), so that
 *       standbys go to instances in another zone; a tag listed there without its {@code
 *       client.tag.*} value is refused;
 *   <li>producer {@code linger.ms=5} under exactly-once, 0 under at-least-once (set by {@link
 *       SluiceConfig#streamsProperties()}): Kafka Streams' own default of 100 ms would add that
 *       much to every decision; under exactly-once a decision waits for the commit anyway, which
 *       flushes the producer, so 5 ms of batching costs no visible latency;
 *   <li>{@code max.task.idle.ms=-1} (same place): each task reads a single partition.
 * </ul>
 */
public final class AppConfig {
  /** Kafka Streams settings an instance gets unless its configuration sets them. */
  public static final Map<String, String> STREAMS_DEFAULTS;

  static {
    Map<String, String> d = new LinkedHashMap<>();
    d.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    d.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
    d.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "1");
    d.put(StreamsConfig.GROUP_PROTOCOL_CONFIG, "classic");
    d.put("session.timeout.ms", "6000");
    d.put("heartbeat.interval.ms", "1500");
    d.put(StreamsConfig.producerPrefix("transaction.timeout.ms"), "5000");
    d.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "3");
    STREAMS_DEFAULTS = Collections.unmodifiableMap(d);
  }

  /** Producer {@code max.block.ms} an instance gets unless configured (below the 5 s above). */
  public static final String DEFAULT_MAX_BLOCK_MS = "3000";

  /** Prefix of the instance's rack/zone tags, e.g. {@code client.tag.zone}. */
  static final String CLIENT_TAG_PREFIX = StreamsConfig.CLIENT_TAG_PREFIX;

  /** {@code min.insync.replicas} for internal topics when they have 3 or more replicas. */
  static final String INTERNAL_MIN_ISR = "2";

  private final SluiceConfig sluice;

  private AppConfig(SluiceConfig sluice) {
    this.sluice = sluice;
  }

  /**
   * Settings for an admin command (a Kafka client, not an instance): Sluice keys and {@code
   * bootstrap.servers} are checked, no Streams defaults apply.
   *
   * @param file properties file, or null for none
   * @throws CliException listing every missing or invalid setting
   */
  public static AppConfig forClient(
      Path file, Map<String, String> env, Map<String, String> overrides) {
    Properties raw = merge(file, env, overrides);
    List<String> errors = new ArrayList<>();
    AppConfig config = validate(raw, errors);
    if (!errors.isEmpty()) {
      throw invalid(file, errors);
    }
    return config;
  }

  /**
   * Settings for an instance: {@link #STREAMS_DEFAULTS} under the given ones, and every Kafka
   * Streams setting checked against its definition as well.
   *
   * @param file properties file, or null for none
   * @throws CliException listing every missing or invalid setting
   */
  public static AppConfig forInstance(
      Path file, Map<String, String> env, Map<String, String> overrides) {
    Properties raw = merge(file, env, overrides);
    STREAMS_DEFAULTS.forEach(raw::putIfAbsent);
    List<String> errors = new ArrayList<>();
    haDefaults(raw, errors);
    AppConfig config = validate(raw, errors);
    if (config != null) {
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

  /** The topology's view: topics, HTTP port, store and expiry settings. */
  public SluiceConfig sluice() {
    return sluice;
  }

  /** {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return sluice.passThrough().get("bootstrap.servers");
  }

  /** {@code application.id}: the Streams application (and consumer group) this instance joins. */
  public String applicationId() {
    return streamsProperties().getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
  }

  /** {@code replication.factor}: replicas for topics Sluice creates; -1 for the broker default. */
  public short replicationFactor() {
    String rf = sluice.passThrough().get(StreamsConfig.REPLICATION_FACTOR_CONFIG);
    return rf == null ? -1 : Short.parseShort(rf);
  }

  /** The properties to start Kafka Streams with. */
  public Properties streamsProperties() {
    return sluice.streamsProperties();
  }

  /**
   * Settings for a plain Kafka client (admin, producer, consumer): those pass-through settings that
   * {@code clientConfigNames} knows (e.g. {@code ProducerConfig.configNames()}), so that the client
   * gets the connection and security settings but no Streams-only ones it would warn about.
   */
  public Map<String, Object> clientProperties(Set<String> clientConfigNames) {
    Map<String, Object> out = new LinkedHashMap<>();
    sluice
        .passThrough()
        .forEach(
            (k, v) -> {
              if (clientConfigNames.contains(k)) {
                out.put(k, v);
              }
            });
    return out;
  }

  /**
   * The defaults that depend on other settings: standby placement by the {@code client.tag.*}
   * given, and two in-sync replicas for internal topics that have at least three.
   */
  private static void haDefaults(Properties raw, List<String> errors) {
    List<String> tags = new ArrayList<>();
    for (String name : new java.util.TreeSet<>(raw.stringPropertyNames())) {
      if (name.startsWith(CLIENT_TAG_PREFIX) && name.length() > CLIENT_TAG_PREFIX.length()) {
        tags.add(name.substring(CLIENT_TAG_PREFIX.length()));
      }
    }
    String listed = raw.getProperty(StreamsConfig.RACK_AWARE_ASSIGNMENT_TAGS_CONFIG);
    if (listed == null) {
      if (!tags.isEmpty()) {
        raw.setProperty(StreamsConfig.RACK_AWARE_ASSIGNMENT_TAGS_CONFIG, String.join(",", tags));
      }
    } else {
      boolean missing = false;
      for (String tag : listed.split(",")) {
        String t = tag.trim();
        if (!t.isEmpty() && !tags.contains(t)) {
          missing = true;
          errors.add(
              StreamsConfig.RACK_AWARE_ASSIGNMENT_TAGS_CONFIG
                  + ": lists \""
                  + t
                  + "\" but "
                  + CLIENT_TAG_PREFIX
                  + t
                  + " is not set (give this instance's "
                  + t
                  + ", e.g. "
                  + "SLUICE_"
                  + SluiceConfig.envName(CLIENT_TAG_PREFIX + t)
                  + "=zone-a)");
        }
      }
      if (missing) {
        // Reported above, naming the fix; Kafka Streams' own check would only repeat it.
        raw.remove(StreamsConfig.RACK_AWARE_ASSIGNMENT_TAGS_CONFIG);
      }
    }
    blockingBound(raw, errors);
    String minIsr = StreamsConfig.topicPrefix("min.insync.replicas");
    String rf = raw.getProperty(StreamsConfig.REPLICATION_FACTOR_CONFIG, "").trim();
    if (!raw.containsKey(minIsr) && rf.matches("\\d{1,4}") && Integer.parseInt(rf) >= 3) {
      raw.setProperty(minIsr, INTERNAL_MIN_ISR);
    }
  }

  /**
   * Sets the producer's {@code max.block.ms} default and, under exactly-once, checks that it is
   * below the transaction timeout (a prefixed setting wins over a plain one, as in Kafka Streams).
   */
  private static void blockingBound(Properties raw, List<String> errors) {
    String block = StreamsConfig.producerPrefix(ProducerConfig.MAX_BLOCK_MS_CONFIG);
    if (!raw.containsKey(block) && !raw.containsKey(ProducerConfig.MAX_BLOCK_MS_CONFIG)) {
      raw.setProperty(block, DEFAULT_MAX_BLOCK_MS);
    }
    if (!StreamsConfig.EXACTLY_ONCE_V2.equals(
        raw.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "").trim())) {
      return;
    }
    String txn = StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);
    String blockKey = raw.containsKey(block) ? block : ProducerConfig.MAX_BLOCK_MS_CONFIG;
    String txnKey = raw.containsKey(txn) ? txn : ProducerConfig.TRANSACTION_TIMEOUT_CONFIG;
    long blockMs = longOr(raw.getProperty(blockKey), -1);
    // Kafka Streams' own transaction timeout when none is given.
    long txnMs = raw.containsKey(txnKey) ? longOr(raw.getProperty(txnKey), -1) : 10_000;
    if (blockMs >= 0 && txnMs >= 0 && blockMs >= txnMs) {
      errors.add(
          blockKey
              + ": must be below "
              + txnKey
              + " ("
              + txnMs
              + ") under exactly_once_v2, or a stream thread blocked in the producer outlives its"
              + " transaction and processes the same record again (got "
              + blockMs
              + ")");
    }
  }

  private static long longOr(String value, long fallback) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException | NullPointerException e) {
      return fallback;
    }
  }

  private static Properties merge(
      Path file, Map<String, String> env, Map<String, String> overrides) {
    Properties raw = file == null ? new Properties() : readFile(file);
    Properties merged =
        SluiceConfig.withEnvironment(raw, env, Set.of(MicrometerDecisionMetrics.MAX_RULE_TAGS));
    overrides.forEach(merged::setProperty);
    return merged;
  }

  private static Properties readFile(Path file) {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (NoSuchFileException e) {
      throw new CliException("config file " + file + " does not exist");
    } catch (IOException | IllegalArgumentException e) {
      throw new CliException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
    return p;
  }

  /**
   * Returns the config, or null when the Sluice keys are invalid; problems go to {@code errors}.
   */
  private static AppConfig validate(Properties raw, List<String> errors) {
    checkBootstrap(raw.getProperty("bootstrap.servers"), errors);
    String rf = raw.getProperty(StreamsConfig.REPLICATION_FACTOR_CONFIG);
    if (rf != null) {
      try {
        short n = Short.parseShort(rf.trim());
        if (n == 0 || n < -1) {
          errors.add(
              "replication.factor: must be -1 (the broker's default) or at least 1 (got "
                  + n
                  + ")");
        }
      } catch (NumberFormatException e) {
        errors.add("replication.factor: must be a whole number (got '" + rf + "')");
      }
    }
    AppConfig config;
    try {
      config = new AppConfig(SluiceConfig.fromProperties(raw));
    } catch (IllegalArgumentException e) {
      errors.add(e.getMessage());
      return null;
    }
    // Delegated keys are validated by their owners, here so that a bad one fails at startup.
    try {
      SchemaRegistryConfig.fromProperties(config.sluice().delegated());
    } catch (IllegalArgumentException e) {
      errors.add(e.getMessage());
    }
    try {
      MicrometerDecisionMetrics.maxRuleTags(config.sluice().delegated());
    } catch (IllegalArgumentException e) {
      errors.add(e.getMessage());
    }
    return errors.isEmpty() ? config : null;
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

  private static CliException invalid(Path file, List<String> errors) {
    String source = file == null ? "configuration" : "configuration " + file;
    return new CliException("invalid " + source + ":\n  " + String.join("\n  ", errors));
  }
}
