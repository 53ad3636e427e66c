package dev.sluice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.Decision;
import dev.sluice.avro.DecisionReason;
import dev.sluice.schema.AvroCodec;
import dev.sluice.topology.DeadLetters;
import dev.sluice.topology.InJvmBroker;
import dev.sluice.topology.SluiceConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
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
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 17 item 1 on a real broker, through a whole {@link SluiceInstance}: a request naming an
 * allowed but absent reply topic is answered at once ({@code INVALID_REQUEST} naming replyTopic on
 * the decisions topic, and a dead letter with the reason), and the requests behind it on the same
 * partition keep getting their decisions, under both processing guarantees. Every reader is
 * read_committed, so under exactly-once what it sees was committed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ReplyTopicIntegrationTest {
  private static final String PREFIX = "rel.replies.";
  private static final String MISSING = PREFIX + "missing";

  /** Far below the producer's 60 s metadata wait that used to stall the partition. */
  private static final long QUICKLY_MS = 15_000;

  private KafkaClusterTestKit cluster;
  @TempDir Path tmp;

  @BeforeAll
  void startBroker() throws Exception {
    // As in production: a producer asking for an absent topic must not create it.
    cluster = InJvmBroker.start(Map.of("auto.create.topics.enable", "false"));
  }

  @AfterAll
  void stopBroker() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"at_least_once", "exactly_once_v2"})
  void shouldAnswerARequestForAnAbsentReplyTopicAtOnceAndKeepThePartitionMoving(String guarantee)
      throws Exception {
    String n = guarantee.startsWith("exactly") ? "eos" : "alos";
    String requests = n + ".requests";
    String decisions = n + ".decisions";
    String deadLetters = n + ".dead-letters";
    String replies = PREFIX + n;
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(n + ".rules", 1, (short) 1),
                  new NewTopic(n + ".rules-applied", 1, (short) 1),
                  new NewTopic(requests, 1, (short) 1)
                      .configs(Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime")),
                  new NewTopic(decisions, 1, (short) 1),
                  new NewTopic(deadLetters, 1, (short) 1),
                  new NewTopic(replies, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    Map<String, String> o = new HashMap<>();
    o.put("bootstrap.servers", cluster.bootstrapServers());
    o.put("application.id", "reply-it-" + n);
    o.put("state.dir", tmp.resolve(n).toString());
    o.put("replication.factor", "1");
    o.put("num.standby.replicas", "0");
    o.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
    o.put("sluice.topic.rules", n + ".rules");
    o.put("sluice.topic.rules-applied", n + ".rules-applied");
    o.put("sluice.topic.requests", requests);
    o.put("sluice.topic.decisions", decisions);
    o.put("sluice.topic.dead-letters", deadLetters);
    o.put("sluice.reply.topic.allowed.prefixes", PREFIX);
    AppConfig config = AppConfig.forInstance(null, Map.of(), o);

    try (SluiceInstance instance = SluiceInstance.start(config, 0);
        KafkaProducer<String, byte[]> producer = producer();
        KafkaConsumer<String, byte[]> replyReader = consumer(replies);
        KafkaConsumer<String, byte[]> decisionReader = consumer(decisions);
        KafkaConsumer<String, byte[]> deadLetterReader = consumer(deadLetters)) {
      assertTrue(instance.awaitReady(Duration.ofSeconds(90)), "instance ready");
      // The partition works before the bad request.
      send(producer, requests, "warm", replies);
      assertEquals(1, awaitDecisions(replyReader, 1, 60_000).size(), "warm-up decision");

      long start = System.nanoTime();
      send(producer, requests, "bad", MISSING);
      int behind = 20;
      for (int i = 0; i < behind; i++) {
        send(producer, requests, "good-" + i, replies);
      }
      List<Decision> good = awaitDecisions(replyReader, behind, QUICKLY_MS);
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals(
          behind, good.size(), "decisions behind the bad request, after " + tookMs + " ms");
      for (int i = 0; i < behind; i++) {
        assertEquals("good-" + i, good.get(i).getRequestId(), "request order kept");
        assertEquals(DecisionReason.NO_MATCHING_RULE, good.get(i).getReason());
      }

      Decision bad = null;
      for (Decision d : awaitDecisions(decisionReader, 1, QUICKLY_MS)) {
        bad = d;
      }
      assertEquals("bad", bad.getRequestId());
      assertEquals(DecisionReason.INVALID_REQUEST, bad.getReason());
      assertFalse(bad.getAllowed());
      assertTrue(bad.getMessage().startsWith("replyTopic: "), bad.getMessage());
      assertTrue(bad.getMessage().contains(MISSING), bad.getMessage());

      ConsumerRecord<String, byte[]> dead = awaitRecords(deadLetterReader, 1, QUICKLY_MS).get(0);
      assertEquals("reply-topic", header(dead, DeadLetters.STAGE));
      assertTrue(
          header(dead, DeadLetters.MESSAGE).contains(MISSING), header(dead, DeadLetters.MESSAGE));
      assertEquals(requests, header(dead, DeadLetters.TOPIC));
      assertEquals(json("bad", MISSING), new String(dead.value(), StandardCharsets.UTF_8));

      // Once looked up, the topic is known absent: a second request says so, just as fast.
      Thread.sleep(500);
      send(producer, requests, "bad-2", MISSING);
      send(producer, requests, "good-last", replies);
      assertEquals("good-last", awaitDecisions(replyReader, 1, QUICKLY_MS).get(0).getRequestId());
      Decision bad2 = awaitDecisions(decisionReader, 1, QUICKLY_MS).get(0);
      assertEquals("replyTopic: does not exist (got \"" + MISSING + "\")", bad2.getMessage());
      ConsumerRecord<String, byte[]> dead2 = awaitRecords(deadLetterReader, 1, QUICKLY_MS).get(0);
      assertEquals(json("bad-2", MISSING), new String(dead2.value(), StandardCharsets.UTF_8));
      assertEquals(KafkaStreams.State.RUNNING, instance.streams().state());
    }
  }

  /**
   * The instance's list of reply topics: bounded (made-up names push out only other made-up names,
   * never a writable topic), and refreshed (a topic created after it was found absent becomes
   * writable at the next check).
   */
  @org.junit.jupiter.api.Test
  void shouldKeepTheReplyTopicListBoundedAndPickUpTopicsCreatedLater() throws Exception {
    // A prefix of its own: the other test's reply topics live on this broker too.
    String prefix = "cache.replies.";
    String used = prefix + "used";
    String later = prefix + "later";
    Properties p = new Properties();
    p.setProperty(SluiceConfig.REPLY_TOPIC_PREFIXES, prefix);
    p.setProperty(SluiceConfig.REPLY_TOPIC_CHECK_INTERVAL_MS, "300");
    p.setProperty(SluiceConfig.REPLY_TOPIC_CACHE_MAX_ENTRIES, "3");
    SluiceConfig config = SluiceConfig.fromProperties(p);
    try (Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
        ReplyTopicCache topics = new ReplyTopicCache(config, admin)) {
      admin.createTopics(List.of(new NewTopic(used, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      topics.start(Duration.ofSeconds(10));
      assertNull(topics.unavailable(used), "an existing topic is known from the first check");
      assertEquals(ReplyTopicCache.NOT_YET_KNOWN, topics.unavailable(later));
      await(() -> ReplyTopicCache.ABSENT.equals(topics.unavailable(later)), later + " absent");

      for (int i = 0; i < 50; i++) {
        topics.unavailable(prefix + "made-up-" + i);
      }
      Thread.sleep(1_000); // lookups and a few checks
      assertTrue(topics.unwritableCount() <= 3, "bounded: " + topics.unwritableCount());
      assertNull(topics.unavailable(used), "made-up names do not push out a real topic");

      admin
          .createTopics(List.of(new NewTopic(later, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
      await(() -> topics.unavailable(later) == null, later + " writable once created");
      assertTrue(topics.writable().containsAll(java.util.Set.of(used, later)), "both writable");

      // More topics than the list holds: whichever a request asks about gets in.
      List<String> all = List.of(used, later, prefix + "x1", prefix + "x2");
      admin
          .createTopics(
              List.of(
                  new NewTopic(all.get(2), 1, (short) 1), new NewTopic(all.get(3), 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
      Thread.sleep(1_000); // a few checks
      for (String t : all) {
        await(() -> topics.unavailable(t) == null, t + " writable once asked about");
        assertTrue(topics.writable().size() <= 3, "bounded: " + topics.writable());
      }
    }
  }

  private static void await(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(50);
    }
  }

  private static String json(String id, String replyTopic) {
    return "{\"id\":\"" + id + "\",\"key\":\"k\",\"replyTopic\":\"" + replyTopic + "\"}";
  }

  private static void send(
      KafkaProducer<String, byte[]> producer, String topic, String id, String replyTopic)
      throws Exception {
    producer
        .send(
            new ProducerRecord<>(topic, "k", json(id, replyTopic).getBytes(StandardCharsets.UTF_8)))
        .get();
  }

  private static String header(ConsumerRecord<?, ?> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  private static List<Decision> awaitDecisions(
      KafkaConsumer<String, byte[]> reader, int count, long withinMs) {
    List<Decision> out = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : awaitRecords(reader, count, withinMs)) {
      out.add(AvroCodec.DECISION.decode(r.value()));
    }
    return out;
  }

  private static List<ConsumerRecord<String, byte[]>> awaitRecords(
      KafkaConsumer<String, byte[]> reader, int count, long withinMs) {
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(withinMs);
    while (out.size() < count && System.nanoTime() < deadline) {
      reader.poll(Duration.ofMillis(100)).forEach(out::add);
    }
    return out;
  }

  private KafkaProducer<String, byte[]> producer() {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  private KafkaConsumer<String, byte[]> consumer(String topic) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    TopicPartition tp = new TopicPartition(topic, 0);
    c.assign(List.of(tp));
    c.seekToBeginning(List.of(tp));
    return c;
  }
}
