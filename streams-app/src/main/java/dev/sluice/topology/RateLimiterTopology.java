package dev.sluice.topology;

import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The whole Sluice application as one pure function of its configuration.
 *
 * <pre>
 * rules ──▶ rule-validator ──▶ rules-applied ══▶ global store sluice-rules (RuleIndex)
 *              │  └─ sluice-rule-generations                   │ match
 *              └──▶ dead-letters (rejected rules)              ▼
 * requests ─────────────────────────────────────────▶ limiter ──▶ decisions (reply topic/partition)
 *                                                       └─ sluice-counters (write-back, RocksDB, changelog)
 * </pre>
 *
 * <p>Every node, store and (through the store names) internal topic has an explicit name that is
 * part of the application's contract: renaming one orphans state. {@code TopologyDocsTest} pins
 * {@link Topology#describe()} against {@code topology-docs/}.
 */
public final class RateLimiterTopology {
  /** Source of operator-published rules. */
  public static final String RULES_SOURCE = "rules-source";

  /** Validates rules and assigns generations. */
  public static final String RULE_VALIDATOR = "rule-validator";

  /** Validated rules to the rules-applied topic. */
  public static final String RULES_APPLIED_SINK = "rules-applied-sink";

  /** Rejected rules to the dead-letter topic. */
  public static final String RULE_DEAD_LETTER_SINK = "rule-dead-letter-sink";

  /** Rule id to algorithm, window and generation of its last valid version (changelogged). */
  public static final String RULE_GENERATIONS_STORE = "sluice-rule-generations";

  /** Source of the global rule store. */
  public static final String RULES_APPLIED_SOURCE = "rules-applied-source";

  /** Global processor that feeds the rule store. */
  public static final String RULE_STORE_UPDATER = "rule-store-updater";

  /** The global rule store ({@link RuleStore}). */
  public static final String RULES_STORE = "sluice-rules";

  /** Source of requests. */
  public static final String REQUESTS_SOURCE = "requests-source";

  /** Decides requests. */
  public static final String LIMITER = "limiter";

  /** Decisions to their reply topic and partition. */
  public static final String DECISIONS_SINK = "decisions-sink";

  /**
   * Counters (RocksDB, changelogged, behind Sluice's hash-based write-back layer, {@link
   * WriteBackStore}, instead of Kafka Streams' record cache): the layer coalesces the puts of a hot
   * key between two commits into one RocksDB write and one changelog record. It delays no decision
   * (the limiter forwards each one itself) and is written back at every commit, before the offsets
   * (and under exactly-once the transaction) commit. Bound: {@link #COUNTER_WRITE_BACK_MAX_ENTRIES}
   * counters per task; entries leave it at the next commit at the latest.
   */
  public static final String COUNTERS_STORE = "sluice-counters";

  /**
   * Most counters one task's write-back layer holds between two commits (about 200 bytes each with
   * a typical key); a write of a new counter into a full layer first writes the whole layer back to
   * RocksDB and the changelog.
   */
  public static final int COUNTER_WRITE_BACK_MAX_ENTRIES = 50_000;

  /**
   * How the counter store is built ({@link #COUNTERS_STORE}): persistent RocksDB with a changelog,
   * under a hash-based write-back layer that reaches the store and the changelog at every commit.
   * Public so that {@code sluice bench}'s counting Streams relay measures a store built exactly
   * like it.
   *
   * @param name the store's name
   * @return a builder of byte-keyed, byte-valued key-value stores
   */
  public static StoreBuilder<KeyValueStore<Bytes, byte[]>> counterStore(String name) {
    return new WriteBackStore.Builder(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(name), Serdes.Bytes(), Serdes.ByteArray())
            .withCachingDisabled()
            .withLoggingEnabled(Map.of()),
        COUNTER_WRITE_BACK_MAX_ENTRIES);
  }

  /**
   * Request header holding the raw {@code timestampMs} text of a {@code simulate} request line
   * whose time cannot be a record timestamp (missing, not an integer, negative); empty when the
   * field was missing. The limiter only ever rejects on it (INVALID_REQUEST naming timestampMs), so
   * a producer setting it can do nothing but get its own request rejected.
   */
  public static final String INVALID_TIMESTAMP_HEADER = "sluice.request.invalid-timestamp";

  private RateLimiterTopology() {}

  /** Builds the topology. Pure: the same config gives the same topology, with no side effects. */
  public static Topology build(SluiceConfig config) {
    return build(config, DecisionMetrics.NONE);
  }

  /**
   * Builds the topology reporting to {@code metrics}. Still pure: the listener is only called once
   * the topology runs, and does not change the topology's shape.
   */
  public static Topology build(SluiceConfig config, DecisionMetrics metrics) {
    return build(config, metrics, RecordFormats.EMBEDDED);
  }

  /**
   * Builds the topology reading and writing values in {@code formats} (schema registry or the
   * embedded default) and reporting to {@code metrics}. Pure as well: neither is used until the
   * topology runs.
   */
  public static Topology build(
      SluiceConfig config, DecisionMetrics metrics, RecordFormats formats) {
    RecordTimeExtractor time = new RecordTimeExtractor();
    Topology topology = new Topology();

    topology.addSource(
        AutoOffsetReset.earliest(),
        RULES_SOURCE,
        time,
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer(),
        config.rulesTopic());
    topology.addProcessor(
        RULE_VALIDATOR, () -> new RuleValidatorProcessor(config, metrics, formats), RULES_SOURCE);
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(RULE_GENERATIONS_STORE),
                Serdes.String(),
                Serdes.String())
            .withCachingDisabled()
            .withLoggingEnabled(Map.of()),
        RULE_VALIDATOR);
    topology.addSink(
        RULES_APPLIED_SINK,
        config.rulesAppliedTopic(),
        new ByteArraySerializer(),
        new ByteArraySerializer(),
        RULE_VALIDATOR);
    topology.addSink(
        RULE_DEAD_LETTER_SINK,
        config.deadLettersTopic(),
        new ByteArraySerializer(),
        new ByteArraySerializer(),
        RULE_VALIDATOR);

    topology.addGlobalStore(
        new RuleStore.Builder(RULES_STORE),
        RULES_APPLIED_SOURCE,
        time,
        new StringDeserializer(),
        new ByteArrayDeserializer(),
        config.rulesAppliedTopic(),
        RULE_STORE_UPDATER,
        () -> new RuleStoreUpdater(RULES_STORE, metrics));

    // Earliest, as Kafka Streams' default: on a first start, queued requests still get decisions.
    topology.addSource(
        AutoOffsetReset.earliest(),
        REQUESTS_SOURCE,
        time,
        new StringDeserializer(),
        new RequestDeserializer(formats),
        config.requestsTopic());
    topology.addProcessor(LIMITER, () -> new LimiterProcessor(config, metrics), REQUESTS_SOURCE);
    topology.addStateStore(counterStore(COUNTERS_STORE), LIMITER);
    topology.addSink(
        DECISIONS_SINK,
        new RoutedDecision.Topic(),
        new StringSerializer(),
        new RoutedDecision.ValueSerializer(formats),
        new RoutedDecision.Partition(),
        LIMITER);
    return topology;
  }
}
