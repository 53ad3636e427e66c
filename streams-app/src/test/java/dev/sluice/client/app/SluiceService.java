package dev.sluice.client.app;

import dev.sluice.client.testing.TestKafka;
import dev.sluice.topology.RateLimiterTopology;
import dev.sluice.topology.SluiceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * The real Sluice service (the streams-app topology, {@link RateLimiterTopology#build}) running in
 * this JVM against a {@link TestKafka}, with its default topic names, exactly-once processing and a
 * 100 ms commit interval. A stream thread that dies (e.g. while the broker is down) is replaced, so
 * the service comes back with the broker.
 */
public final class SluiceService implements AutoCloseable {
  /** Reply topics starting with this prefix are allowed besides the decisions topic. */
  public static final String REPLY_TOPIC_PREFIX = "client-it.";

  /** The service's configuration: Sluice's defaults, plus the allowed reply-topic prefix. */
  public static final SluiceConfig CONFIG = config();

  private final KafkaStreams streams;
  private final Path stateDir;

  private SluiceService(KafkaStreams streams, Path stateDir) {
    this.streams = streams;
    this.stateDir = stateDir;
  }

  private static SluiceConfig config() {
    Properties p = new Properties();
    p.put(SluiceConfig.REPLY_TOPIC_PREFIXES, REPLY_TOPIC_PREFIX);
    return SluiceConfig.fromProperties(p);
  }

  /** Creates the service's topics (decisions with {@code decisionPartitions}). */
  public static void createTopics(TestKafka kafka, int requestPartitions, int decisionPartitions)
      throws Exception {
    Map<String, String> compacted =
        Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(CONFIG.rulesTopic(), 1, (short) 1).configs(compacted),
                  new NewTopic(CONFIG.rulesAppliedTopic(), 1, (short) 1).configs(compacted),
                  new NewTopic(CONFIG.requestsTopic(), requestPartitions, (short) 1)
                      .configs(Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime")),
                  new NewTopic(CONFIG.decisionsTopic(), decisionPartitions, (short) 1),
                  new NewTopic(CONFIG.deadLettersTopic(), 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  /** Starts the service and waits until it is RUNNING. */
  public static SluiceService start(TestKafka kafka) throws Exception {
    return start(kafka, StreamsConfig.EXACTLY_ONCE_V2);
  }

  /**
   * Starts the service with another processing guarantee ({@code at_least_once}: no commit interval
   * in the reply latency) and waits until it is RUNNING.
   */
  public static SluiceService start(TestKafka kafka, String processingGuarantee) throws Exception {
    Path stateDir = Files.createTempDirectory("sluice-client-it-state");
    Properties p = CONFIG.streamsProperties();
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "sluice-client-it");
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "1");
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "6000");
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), "1000");
    KafkaStreams streams = new KafkaStreams(RateLimiterTopology.build(CONFIG), p);
    streams.setUncaughtExceptionHandler(
        e -> StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD);
    streams.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > deadline || !streams.state().isRunningOrRebalancing()) {
        streams.close(Duration.ofSeconds(10));
        throw new IllegalStateException("the Sluice service did not start: " + streams.state());
      }
      Thread.sleep(50);
    }
    return new SluiceService(streams, stateDir);
  }

  /** The Kafka Streams state of the service. */
  public KafkaStreams.State state() {
    return streams.state();
  }

  /** Stops the service and deletes its state directory. */
  @Override
  public void close() {
    streams.close(Duration.ofSeconds(30));
    try {
      Utils.delete(stateDir.toFile());
    } catch (java.io.IOException e) {
      // a temp directory; nothing to do
    }
  }
}
