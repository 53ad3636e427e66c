package dev.sluice.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.Decision;
import dev.sluice.avro.DecisionReason;
import dev.sluice.schema.AvroCodec;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The topology on a real (in-JVM, single KRaft node) broker: rules published and applied, decisions
 * on the requested partitions, dead letters, and counters and rules surviving a restart of the
 * Kafka Streams instance on an empty state directory (restored from the changelog and the
 * rules-applied topic).
 */
@Timeout(value = 110, unit = TimeUnit.SECONDS)
class RateLimiterIntegrationTest {
  private static final int DECISION_PARTITIONS = 4;
  private static KafkaClusterTestKit cluster;
  private static final SluiceConfig CONFIG = SluiceConfig.defaultConfig();

  @TempDir Path dir;

  @BeforeAll
  static void startBroker() throws Exception {
    cluster = InJvmBroker.start(Map.of());
    try (Admin admin = cluster.admin()) {
      Map<String, String> compacted =
          Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
      admin
          .createTopics(
              List.of(
                  new NewTopic(CONFIG.rulesTopic(), 1, (short) 1).configs(compacted),
                  new NewTopic(CONFIG.rulesAppliedTopic(), 1, (short) 1).configs(compacted),
                  new NewTopic(CONFIG.requestsTopic(), 2, (short) 1)
                      .configs(Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime")),
                  new NewTopic(CONFIG.decisionsTopic(), DECISION_PARTITIONS, (short) 1),
                  new NewTopic(CONFIG.deadLettersTopic(), 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private KafkaStreams start(Path stateDir) {
    return start(stateDir, "sluice-it", null);
  }

  private KafkaStreams start(Path stateDir, String applicationId, String guarantee) {
    Properties p = CONFIG.streamsProperties();
    if (guarantee != null) {
      p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
    }
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "1");
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "6000");
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), "1000");
    KafkaStreams streams = new KafkaStreams(RateLimiterTopology.build(CONFIG), p);
    streams.start();
    return streams;
  }

  @Test
  void shouldDecideOnTheRequestedPartitionsAndKeepCountersAcrossARestart() throws Exception {
    try (KafkaProducer<String, byte[]> producer = producer();
        KafkaConsumer<String, byte[]> decisions = consumer(CONFIG.decisionsTopic());
        KafkaConsumer<String, byte[]> deadLetters = consumer(CONFIG.deadLettersTopic())) {
      KafkaStreams streams = start(Files.createDirectory(dir.resolve("first")));
      try {
        // Published before r1, so applied once r1 is (one rules partition, applied in order).
        send(
            producer,
            CONFIG.rulesTopic(),
            "r3",
            "{\"id\":\"r3\",\"key\":\"team:*\",\"algorithm\":\"FIXED_WINDOW\",\"limits\":["
                + "{\"limit\":5,\"windowSeconds\":3600},{\"limit\":2,\"windowSeconds\":86400}]}");
        send(
            producer,
            CONFIG.rulesTopic(),
            "r1",
            "{\"id\":\"r1\",\"key\":\"user:*\",\"limit\":2,\"windowSeconds\":3600,"
                + "\"algorithm\":\"FIXED_WINDOW\"}");
        send(
            producer, CONFIG.rulesTopic(), "r2", "{\"id\":\"r2\",\"key\":\"user:*\",\"limit\":-1}");
        awaitRule(producer, decisions, "r1");

        send(
            producer,
            CONFIG.requestsTopic(),
            "user:1",
            "{\"id\":\"a1\",\"key\":\"user:1\",\"replyPartition\":3}");
        ConsumerRecord<String, byte[]> a1 = awaitDecision(decisions, "a1");
        send(
            producer,
            CONFIG.requestsTopic(),
            "user:1",
            "{\"id\":\"a2\",\"key\":\"user:1\",\"replyPartition\":3}");
        ConsumerRecord<String, byte[]> a2 = awaitDecision(decisions, "a2");
        send(producer, CONFIG.requestsTopic(), "user:1", "{\"id\":\"a3\",\"key\":\"user:1\"}");
        ConsumerRecord<String, byte[]> a3 = awaitDecision(decisions, "a3");

        assertEquals(3, a1.partition(), "replyPartition is honoured");
        assertEquals(3, a2.partition());
        int byKey =
            Utils.toPositive(Utils.murmur2("user:1".getBytes(StandardCharsets.UTF_8)))
                % DECISION_PARTITIONS;
        assertEquals(byKey, a3.partition(), "no replyPartition: partitioned by key");
        assertTrue(decode(a1).getAllowed());
        assertTrue(decode(a2).getAllowed());
        assertEquals(DecisionReason.RATE_LIMITED, decode(a3).getReason());
        assertEquals("user:1", a1.key());

        send(
            producer,
            CONFIG.requestsTopic(),
            "team:1",
            "{\"id\":\"b1\",\"key\":\"team:1\",\"cost\":1,\"maxCost\":9}");
        Decision b1 = decode(awaitDecision(decisions, "b1"));
        assertEquals("r3", b1.getRuleId());
        assertEquals(2, b1.getGranted(), "the daily limit (index 1) allows 2 of the 9 asked");
        assertEquals(1, b1.getLimitIndex());

        producer
            .send(
                new ProducerRecord<>(
                    CONFIG.requestsTopic(), "user:1", "garbage".getBytes(StandardCharsets.UTF_8)))
            .get();
        List<ConsumerRecord<byte[], byte[]>> dead = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (dead.size() < 2 && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, byte[]> r : deadLetters.poll(Duration.ofMillis(200))) {
            dead.add(
                new ConsumerRecord<>(
                    r.topic(),
                    r.partition(),
                    r.offset(),
                    r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8),
                    r.value()));
            dead.get(dead.size() - 1)
                .headers()
                .add("stage", r.headers().lastHeader(DeadLetters.STAGE).value());
          }
        }
        assertEquals(2, dead.size(), "the rejected rule and the undecodable request");
        assertEquals(
            "rule-validator",
            new String(dead.get(0).headers().lastHeader("stage").value(), StandardCharsets.UTF_8));
        assertEquals(
            "deserialization",
            new String(dead.get(1).headers().lastHeader("stage").value(), StandardCharsets.UTF_8));
      } finally {
        streams.close(Duration.ofSeconds(30));
      }

      // A new instance on an empty state directory: counters come back from the changelog,
      // rules from the rules-applied topic.
      KafkaStreams restarted = start(Files.createDirectory(dir.resolve("second")));
      try {
        send(producer, CONFIG.requestsTopic(), "user:1", "{\"id\":\"a4\",\"key\":\"user:1\"}");
        Decision a4 = decode(awaitDecision(decisions, "a4"));
        assertEquals("r1", a4.getRuleId());
        assertFalse(a4.getAllowed(), "the two permits spent before the restart stay spent");
        assertEquals(DecisionReason.RATE_LIMITED, a4.getReason());
        send(producer, CONFIG.requestsTopic(), "team:1", "{\"id\":\"b2\",\"key\":\"team:1\"}");
        Decision b2 = decode(awaitDecision(decisions, "b2"));
        assertFalse(b2.getAllowed(), "limit index 1's counter came back from the changelog too");
        assertEquals(1, b2.getLimitIndex());
        assertEquals(0, b2.getGranted());
      } finally {
        restarted.close(Duration.ofSeconds(30));
      }
    }
  }

  /**
   * The counter store's write-back layer reaches the changelog at each commit: after many charges
   * over many keys and a restart on an empty state directory, every one of them is back.
   */
  @ParameterizedTest
  @ValueSource(strings = {StreamsConfig.AT_LEAST_ONCE, StreamsConfig.EXACTLY_ONCE_V2})
  @Timeout(value = 170, unit = TimeUnit.SECONDS)
  void shouldRestoreEveryChargeWrittenBackAtCommit(String guarantee) throws Exception {
    String tag = guarantee.equals(StreamsConfig.AT_LEAST_ONCE) ? "alo" : "eos";
    String app = "sluice-it-writeback-" + tag;
    int keys = 200;
    int limit = 3;
    try (KafkaProducer<String, byte[]> producer = producer();
        KafkaConsumer<String, byte[]> decisions = consumer(CONFIG.decisionsTopic())) {
      KafkaStreams streams = start(Files.createDirectory(dir.resolve("first")), app, guarantee);
      try {
        send(
            producer,
            CONFIG.rulesTopic(),
            "wb-" + tag,
            "{\"id\":\"wb-"
                + tag
                + "\",\"key\":\"wb-"
                + tag
                + ":*\",\"limit\":"
                + limit
                + ",\"windowSeconds\":86400,\"algorithm\":\"FIXED_WINDOW\"}");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int probe = 0; ; probe++) {
          String key = "wb-" + tag + ":probe-" + probe;
          String id = tag + "-probe-" + probe;
          send(producer, CONFIG.requestsTopic(), key, request(id, key));
          if (("wb-" + tag).equals(awaitDecisions(decisions, List.of(id)).get(id).getRuleId())) {
            break;
          }
          assertTrue(System.nanoTime() < deadline, "rule wb-" + tag + " never applied");
          Thread.sleep(200);
        }
        List<String> ids = new java.util.ArrayList<>();
        for (int round = 0; round < limit; round++) {
          for (int k = 0; k < keys; k++) {
            String key = "wb-" + tag + ":" + k;
            String id = tag + "-" + k + "-" + round;
            ids.add(id);
            producer.send(
                new ProducerRecord<>(
                    CONFIG.requestsTopic(),
                    key,
                    request(id, key).getBytes(StandardCharsets.UTF_8)));
          }
        }
        producer.flush();
        Map<String, Decision> first = awaitDecisions(decisions, ids);
        assertTrue(
            first.values().stream().allMatch(Decision::getAllowed),
            "each key's first " + limit + " requests are allowed");
      } finally {
        streams.close(Duration.ofSeconds(30));
      }

      KafkaStreams restarted = start(Files.createDirectory(dir.resolve("second")), app, guarantee);
      try {
        List<String> ids = new java.util.ArrayList<>();
        for (int k = 0; k < keys; k++) {
          String key = "wb-" + tag + ":" + k;
          String id = tag + "-" + k + "-after";
          ids.add(id);
          producer.send(
              new ProducerRecord<>(
                  CONFIG.requestsTopic(), key, request(id, key).getBytes(StandardCharsets.UTF_8)));
        }
        producer.flush();
        Map<String, Decision> after = awaitDecisions(decisions, ids);
        for (String id : ids) {
          assertEquals(
              DecisionReason.RATE_LIMITED,
              after.get(id).getReason(),
              id + ": every charge before the restart came back from the changelog");
        }
      } finally {
        restarted.close(Duration.ofSeconds(30));
      }
    }
  }

  private static String request(String id, String key) {
    return "{\"id\":\"" + id + "\",\"key\":\"" + key + "\"}";
  }

  private static Map<String, Decision> awaitDecisions(
      KafkaConsumer<String, byte[]> decisions, List<String> requestIds) {
    java.util.Set<String> wanted = new java.util.HashSet<>(requestIds);
    Map<String, Decision> got = new HashMap<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (got.size() < wanted.size() && System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> r : decisions.poll(Duration.ofMillis(100))) {
        Decision d = decode(r);
        if (wanted.contains(d.getRequestId())) {
          got.put(d.getRequestId(), d);
        }
      }
    }
    assertEquals(wanted.size(), got.size(), "a decision for every request");
    return got;
  }

  private void awaitRule(
      KafkaProducer<String, byte[]> producer,
      KafkaConsumer<String, byte[]> decisions,
      String ruleId)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int probe = 0;
    while (System.nanoTime() < deadline) {
      String id = "probe-" + probe++;
      send(
          producer,
          CONFIG.requestsTopic(),
          "user:probe" + probe,
          "{\"id\":\"" + id + "\",\"key\":\"user:probe" + probe + "\"}");
      if (ruleId.equals(decode(awaitDecision(decisions, id)).getRuleId())) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("rule " + ruleId + " never applied");
  }

  private static ConsumerRecord<String, byte[]> awaitDecision(
      KafkaConsumer<String, byte[]> decisions, String requestId) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> r : decisions.poll(Duration.ofMillis(100))) {
        if (requestId.equals(decode(r).getRequestId())) {
          return r;
        }
      }
    }
    throw new AssertionError("no decision for " + requestId);
  }

  private static Decision decode(ConsumerRecord<String, byte[]> r) {
    return AvroCodec.DECISION.decode(r.value());
  }

  private static void send(
      KafkaProducer<String, byte[]> producer, String topic, String key, String json)
      throws Exception {
    producer.send(new ProducerRecord<>(topic, key, json.getBytes(StandardCharsets.UTF_8))).get();
  }

  private static KafkaProducer<String, byte[]> producer() {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  private static KafkaConsumer<String, byte[]> consumer(String topic) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts =
        c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    c.assign(parts);
    c.seekToBeginning(parts);
    return c;
  }
}
