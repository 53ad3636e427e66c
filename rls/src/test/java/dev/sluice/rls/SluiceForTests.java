package dev.sluice.rls;

import dev.sluice.client.testing.TestKafka;
import dev.sluice.topology.RateLimiterTopology;
import dev.sluice.topology.SluiceConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * A real broker ({@link TestKafka}) and the real Sluice service (the streams-app topology, {@link
 * RateLimiterTopology#build}) in this JVM, with Sluice's default topic names, exactly-once and a
 * 100 ms commit interval; rules are published as JSON to the rules topic as operators do.
 */
final class SluiceForTests implements AutoCloseable {
  static final int DECISION_PARTITIONS = 4;

  /** Reply topics with this prefix are allowed besides the decisions topic. */
  static final String REPLY_TOPIC_PREFIX = "node-example.";

  private static final SluiceConfig CONFIG = config();

  private final TestKafka kafka;
  private KafkaStreams streams;
  private Path stateDir;

  private static SluiceConfig config() {
    Properties p = new Properties();
    p.put(SluiceConfig.REPLY_TOPIC_PREFIXES, REPLY_TOPIC_PREFIX);
    return SluiceConfig.fromProperties(p);
  }

  private SluiceForTests(TestKafka kafka) {
    this.kafka = kafka;
  }

  static SluiceForTests start() throws Exception {
    TestKafka kafka = TestKafka.start();
    SluiceForTests s = new SluiceForTests(kafka);
    try {
      Map<String, String> compacted =
          Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
        admin
            .createTopics(
                List.of(
                    new NewTopic(CONFIG.rulesTopic(), 1, (short) 1).configs(compacted),
                    new NewTopic(CONFIG.rulesAppliedTopic(), 1, (short) 1).configs(compacted),
                    new NewTopic(CONFIG.requestsTopic(), 2, (short) 1)
                        .configs(
                            Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime")),
                    new NewTopic(CONFIG.decisionsTopic(), DECISION_PARTITIONS, (short) 1),
                    new NewTopic(CONFIG.deadLettersTopic(), 1, (short) 1)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      s.startService();
      return s;
    } catch (Exception e) {
      s.close();
      throw e;
    }
  }

  /** Creates a topic with one partition. */
  void createTopic(String name) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
  }

  String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  String requestsTopic() {
    return CONFIG.requestsTopic();
  }

  String decisionsTopic() {
    return CONFIG.decisionsTopic();
  }

  /** Publishes rules given as JSON objects, keyed by their ids. */
  void publishRules(Map<String, String> idToJson) throws Exception {
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", kafka.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      for (Map.Entry<String, String> e : idToJson.entrySet()) {
        producer
            .send(
                new ProducerRecord<>(
                    CONFIG.rulesTopic(), e.getKey(), e.getValue().getBytes(StandardCharsets.UTF_8)))
            .get(10, TimeUnit.SECONDS);
      }
    }
  }

  /** An RLS config against this broker: any free ports, the given extra settings. */
  RlsConfig rlsConfig(Map<String, String> extra) {
    Map<String, String> p = new HashMap<>();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    p.put("sluice.rls.grpc.port", "0");
    p.put("sluice.rls.http.port", "0");
    p.put("sluice.rls.bind.address", "127.0.0.1");
    p.putAll(extra);
    return RlsConfig.fromProperties(p);
  }

  private void startService() throws Exception {
    stateDir = Files.createTempDirectory("sluice-rls-it-state");
    Properties p = CONFIG.streamsProperties();
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "sluice-rls-it");
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "1");
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "6000");
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), "1000");
    streams = new KafkaStreams(RateLimiterTopology.build(CONFIG), p);
    streams.setUncaughtExceptionHandler(
        e -> StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD);
    streams.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > deadline || !streams.state().isRunningOrRebalancing()) {
        throw new IllegalStateException("the Sluice service did not start: " + streams.state());
      }
      Thread.sleep(50);
    }
  }

  /** Stops the Sluice service (the broker keeps running): no decision comes any more. */
  void stopService() {
    if (streams != null) {
      streams.close(Duration.ofSeconds(30));
      streams = null;
    }
  }

  @Override
  public void close() {
    stopService();
    if (stateDir != null) {
      try {
        org.apache.kafka.common.utils.Utils.delete(stateDir.toFile());
      } catch (java.io.IOException e) {
        // a temp directory
      }
    }
    kafka.close();
  }
}
