package dev.sluice.app;

import dev.sluice.schema.registry.SchemaRegistryClient;
import dev.sluice.topology.DecisionMetrics;
import dev.sluice.topology.RateLimiterTopology;
import dev.sluice.topology.RecordFormats;
import dev.sluice.topology.ReplyTopics;
import dev.sluice.topology.RuleStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.QueryableStoreType;
import org.apache.kafka.streams.state.internals.StateStoreProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Sluice instance: the topology's {@link KafkaStreams}, its Micrometer registry and its
 * HTTP server ({@link InstanceHttpServer}). {@code sluice run} and {@code sluice local} both start
 * exactly this.
 *
 * <p>Readiness ({@link #readiness()}): Kafka Streams is RUNNING (which implies the global rule
 * store was restored to the end of the rules-applied topic at start-up) and the rule validator has
 * consumed the rules topic to its end, so every published rule has been validated and sent to the
 * rule store. The second part needs two admin calls, so it is cached for {@link #READINESS_CACHE}.
 * And no requests partition this instance owns is stuck ({@link StuckPartitions}): a health thread
 * compares committed and end offsets every fifth of {@code sluice.health.stuck.partition.ms}
 * (between 0.2 and 5 s).
 *
 * <p>Reply topics: a {@link ReplyTopicCache} (one background thread, the instance's admin client)
 * tells the limiter which reply topics it may write, so no stream thread waits on the metadata of
 * an absent or forbidden one.
 */
public final class SluiceInstance implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SluiceInstance.class);

  /** How long a readiness answer about the rules topic is reused. */
  static final Duration READINESS_CACHE = Duration.ofSeconds(1);

  /** How long start-up waits for the first list of writable reply topics (then goes on). */
  static final Duration FIRST_REPLY_TOPIC_CHECK = Duration.ofSeconds(10);

  private final AppConfig config;
  private final KafkaStreams streams;
  private final PrometheusMeterRegistry registry;
  private KafkaStreamsMetrics streamsMetrics;
  private final Admin admin;
  private final ReplyTopicCache replyTopics;
  private final StuckPartitions stuckPartitions;
  private final ScheduledExecutorService health;
  private volatile List<StuckPartitions.Stuck> stuck = List.of();
  private final InstanceHttpServer http;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Object readinessLock = new Object();
  private long rulesCheckedAtNanos;
  private boolean rulesCaughtUp;
  private boolean closed;

  private SluiceInstance(AppConfig config, int httpPort) {
    this.config = config;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    DecisionMetrics metrics =
        new MicrometerDecisionMetrics(
            registry, MicrometerDecisionMetrics.maxRuleTags(config.sluice().delegated()));
    Properties streamsProps = config.streamsProperties();
    streamsProps.put(DecisionMetrics.HANDLER_CONFIG, metrics);
    this.admin = Admin.create(config.clientProperties(AdminClientConfig.configNames()));
    this.replyTopics = new ReplyTopicCache(config.sluice(), admin);
    this.stuckPartitions = new StuckPartitions(config.sluice().stuckPartitionMs());
    this.health =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-health");
              t.setDaemon(true);
              return t;
            });
    streamsProps.put(ReplyTopics.CONFIG, replyTopics);
    this.streams =
        new KafkaStreams(
            RateLimiterTopology.build(
                config.sluice(),
                metrics,
                RecordFormats.of(
                    config.sluice(),
                    SchemaRegistryClient.fromProperties(config.sluice().delegated()))),
            streamsProps);
    this.streams.setUncaughtExceptionHandler(new ThreadFailurePolicy());
    RestoreLog restoreLog = new RestoreLog();
    this.streams.setGlobalStateRestoreListener(restoreLog);
    this.streams.setStandbyUpdateListener(restoreLog);
    this.streams.setStateListener(
        (now, before) -> {
          LOG.info("Kafka Streams {} -> {}", before, now);
          if (now == KafkaStreams.State.RUNNING) {
            bindStreamsMetrics();
          }
          if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
            stopped.countDown();
          }
        });
    Gauge.builder("sluice.rules.loaded", this, SluiceInstance::rulesLoaded)
        .description("Rules held by this instance's global rule store (NaN while not queryable)")
        .register(registry);
    Gauge.builder("sluice.ready", this, i -> i.readiness().ready() ? 1 : 0)
        .description("1 when /health/ready answers 200")
        .register(registry);
    Gauge.builder("sluice.partitions.stuck", this, i -> i.stuck.size())
        .description(
            "Requests partitions of this instance with records waiting, more and more, and no"
                + " commit for sluice.health.stuck.partition.ms")
        .register(registry);
    this.http =
        InstanceHttpServer.start(
            config.sluice().httpBindAddress(),
            httpPort,
            this::readiness,
            registry,
            config.sluice().httpCountersEnabled()
                ? new CountersQuery(streams, config.sluice())
                : null);
  }

  /**
   * Binds the Kafka Streams metrics (Kafka's own and the topology's Sluice sensors) once, when
   * Streams first runs: the binder looks for new metrics only every 60 s, and the task-level
   * sensors exist only once tasks do, so binding at construction would hide them for a minute.
   */
  private synchronized void bindStreamsMetrics() {
    if (streamsMetrics == null && !closed) {
      streamsMetrics = new KafkaStreamsMetrics(streams);
      streamsMetrics.bindTo(registry);
    }
  }

  /**
   * Starts an instance: Kafka Streams (in the background) and the HTTP server.
   *
   * @param httpPort the HTTP port, or -1 for the configured {@code sluice.http.port}; 0 picks a
   *     free one
   * @throws CliException when the HTTP port cannot be bound
   */
  public static SluiceInstance start(AppConfig config, int httpPort) {
    SluiceInstance instance =
        new SluiceInstance(config, httpPort < 0 ? config.sluice().httpPort() : httpPort);
    instance.replyTopics.start(FIRST_REPLY_TOPIC_CHECK);
    instance.streams.start();
    long stuckMs = config.sluice().stuckPartitionMs();
    if (stuckMs > 0) {
      long every = Math.max(200, Math.min(5_000, stuckMs / 5));
      instance.health.scheduleWithFixedDelay(
          instance::checkPartitions, every, every, TimeUnit.MILLISECONDS);
    }
    return instance;
  }

  /** The Kafka Streams client (for interactive queries and tests). */
  public KafkaStreams streams() {
    return streams;
  }

  /** The port the HTTP server listens on. */
  public int httpPort() {
    return http.port();
  }

  /** The metrics registry {@code /metrics} renders. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Waits until the instance is ready; returns false on timeout or when it stopped instead. */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (readiness().ready()) {
        return true;
      }
      if (stopped.getCount() == 0) {
        return false;
      }
      Thread.sleep(100);
    }
    return false;
  }

  /** Waits until Kafka Streams stops by itself (fatal error) or {@link #close} is called. */
  public void awaitStopped() throws InterruptedException {
    stopped.await();
  }

  /** True once Kafka Streams has stopped (closed or failed). */
  public boolean hasStopped() {
    return stopped.getCount() == 0;
  }

  /** True when Kafka Streams ended in ERROR (a fatal failure, not a requested close). */
  public boolean failed() {
    return streams.state() == KafkaStreams.State.ERROR;
  }

  /** Live, ready and why, as {@code /health/*} report them. */
  public Readiness readiness() {
    KafkaStreams.State state = streams.state();
    boolean live =
        state != KafkaStreams.State.ERROR
            && state != KafkaStreams.State.NOT_RUNNING
            && state != KafkaStreams.State.PENDING_ERROR;
    boolean caughtUp = state == KafkaStreams.State.RUNNING && rulesCaughtUp();
    double loaded = rulesLoaded();
    List<String> stuckNow = stuck.stream().map(StuckPartitions.Stuck::describe).toList();
    return new Readiness(
        live,
        caughtUp && stuckNow.isEmpty(),
        state.name(),
        caughtUp,
        Double.isNaN(loaded) ? -1 : (long) loaded,
        stuckNow);
  }

  /**
   * Health thread: the committed and end offsets of the requests partitions this instance owns now,
   * fed to {@link StuckPartitions}. Two admin calls; on failure the last answer stands.
   */
  private void checkPartitions() {
    try {
      String topic = config.sluice().requestsTopic();
      List<TopicPartition> owned = new ArrayList<>();
      for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
        for (TaskMetadata task : thread.activeTasks()) {
          for (TopicPartition tp : task.topicPartitions()) {
            if (tp.topic().equals(topic)) {
              owned.add(tp);
            }
          }
        }
      }
      Map<TopicPartition, StuckPartitions.Offsets> observed = new HashMap<>();
      if (!owned.isEmpty()) {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        owned.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        ListOffsetsResult ends = admin.listOffsets(latest);
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin
                .listConsumerGroupOffsets(config.applicationId())
                .partitionsToOffsetAndMetadata()
                .get(5, TimeUnit.SECONDS);
        for (TopicPartition tp : owned) {
          long end = ends.partitionResult(tp).get(5, TimeUnit.SECONDS).offset();
          OffsetAndMetadata c = committed.get(tp);
          observed.put(tp, new StuckPartitions.Offsets(c == null ? 0 : c.offset(), end));
        }
      }
      List<StuckPartitions.Stuck> now = stuckPartitions.update(System.nanoTime(), observed);
      if (!now.isEmpty() && !partitions(now).equals(partitions(stuck))) {
        LOG.warn(
            "Stuck requests partition(s): {}",
            now.stream().map(StuckPartitions.Stuck::describe).toList());
      }
      stuck = now;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.debug("Cannot check the requests partitions' progress", e);
    }
  }

  private static List<TopicPartition> partitions(List<StuckPartitions.Stuck> stuck) {
    return stuck.stream().map(StuckPartitions.Stuck::partition).toList();
  }

  /**
   * Number of rules in this instance's global rule store, or NaN while the store cannot be queried
   * (not started, rebalancing at startup, closed).
   */
  public double rulesLoaded() {
    RuleStore store = ruleStore(streams);
    return store == null ? Double.NaN : store.size();
  }

  /** The global rule store, or null while it cannot be queried. */
  static RuleStore ruleStore(KafkaStreams streams) {
    try {
      return streams.store(
          StoreQueryParameters.fromNameAndType(RateLimiterTopology.RULES_STORE, RULE_STORE_TYPE));
    } catch (InvalidStateStoreException e) {
      return null;
    }
  }

  private boolean rulesCaughtUp() {
    synchronized (readinessLock) {
      long now = System.nanoTime();
      if (rulesCheckedAtNanos != 0 && now - rulesCheckedAtNanos < READINESS_CACHE.toNanos()) {
        return rulesCaughtUp;
      }
      rulesCaughtUp = validatorLag() == 0;
      rulesCheckedAtNanos = now;
      return rulesCaughtUp;
    }
  }

  /**
   * Records of the rules topic the rule validator has not consumed yet (committed offsets of the
   * application's group against the topic's end), or -1 when it cannot be told.
   */
  long validatorLag() {
    String topic = config.sluice().rulesTopic();
    try {
      List<TopicPartition> partitions =
          admin
              .describeTopics(List.of(topic))
              .allTopicNames()
              .get(5, TimeUnit.SECONDS)
              .get(topic)
              .partitions()
              .stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
      ListOffsetsResult ends = admin.listOffsets(latest);
      ListConsumerGroupOffsetsResult committed =
          admin.listConsumerGroupOffsets(config.applicationId());
      Map<TopicPartition, OffsetAndMetadata> offsets =
          committed.partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
      long lag = 0;
      for (TopicPartition tp : partitions) {
        long end = ends.partitionResult(tp).get(5, TimeUnit.SECONDS).offset();
        OffsetAndMetadata c = offsets.get(tp);
        lag += Math.max(0, end - (c == null ? 0 : c.offset()));
      }
      return lag;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.debug("Cannot tell the rule validator's lag", e);
      return -1;
    }
  }

  /**
   * Stops gracefully: Kafka Streams closes (committing, leaving the group) within {@code timeout},
   * then the HTTP server and admin client. Idempotent.
   *
   * @return true when Kafka Streams closed within the timeout
   */
  public boolean close(Duration timeout) {
    synchronized (this) {
      if (closed) {
        return true;
      }
      closed = true;
    }
    boolean clean =
        streams.close(
            CloseOptions.timeout(timeout)
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    health.shutdownNow();
    http.close();
    synchronized (this) {
      if (streamsMetrics != null) {
        streamsMetrics.close();
      }
    }
    registry.close();
    replyTopics.close();
    admin.close(Duration.ofSeconds(5));
    stopped.countDown();
    return clean;
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  /**
   * What the health endpoints report.
   *
   * @param live the process is worth keeping (Kafka Streams has not failed or stopped)
   * @param ready it can serve decisions with every published rule
   * @param state the Kafka Streams state
   * @param rulesCaughtUp every rule on the rules topic has been validated
   * @param rulesLoaded rules in the global store, -1 when not queryable
   * @param stuckPartitions requests partitions of this instance that are stuck ({@code
   *     sluice.health.stuck.partition.ms}), each described; any makes the instance not ready
   */
  public record Readiness(
      boolean live,
      boolean ready,
      String state,
      boolean rulesCaughtUp,
      long rulesLoaded,
      List<String> stuckPartitions) {}

  /** Interactive-query access to the custom global {@link RuleStore}. */
  static final QueryableStoreType<RuleStore> RULE_STORE_TYPE =
      new QueryableStoreType<>() {
        @Override
        public boolean accepts(StateStore stateStore) {
          return stateStore instanceof RuleStore;
        }

        @Override
        public RuleStore create(StateStoreProvider storeProvider, String storeName) {
          List<RuleStore> stores = storeProvider.stores(storeName, this);
          if (stores.isEmpty()) {
            throw new InvalidStateStoreException("rule store " + storeName + " not available");
          }
          return stores.get(0);
        }
      };
}
