package dev.sluice.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.app.EmbeddedKafka;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.HdrHistogram.Histogram;
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
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relays against a real broker. The transactional relay ({@code relay-eos}): its copies become
 * visible to a {@code read_committed} reader only at its commit, each exactly once, and its
 * consumed offsets commit in the same transaction as the copies. The counting Streams relay ({@code
 * streams-state}): every request copied once to the reply partition, and counted per key in its
 * changelogged store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RawRelayIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir static Path tmp;
  private EmbeddedKafka kafka;

  @BeforeAll
  void startBroker() {
    kafka = EmbeddedKafka.start(tmp, 0);
  }

  @AfterAll
  void stopBroker() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void shouldShowCopiesToReadCommittedReadersOnlyAtCommitAndEachOnce() throws Exception {
    createTopics("first");
    try (RawRelay relay = relay("first", "first", Duration.ofSeconds(5));
        KafkaConsumer<String, String> committed = reader("first", "read_committed");
        KafkaConsumer<String, String> uncommitted = reader("first", "read_uncommitted")) {
      relay.awaitAssigned(WAIT);
      List<String> sent = send("first", "a", 200);

      // The copies are in the log already, inside the open transaction...
      assertEquals(sorted(sent), sorted(read(uncommitted, sent.size(), WAIT)));
      // ...and a read_committed reader sees none of them before the commit.
      List<String> early = read(committed, 1, Duration.ofMillis(500));
      assertEquals(
          0, relay.commits(), "the relay committed during the check, which then proves nothing");
      assertEquals(List.of(), early);

      List<String> after = read(committed, sent.size(), WAIT);
      after.addAll(read(committed, 1, Duration.ofSeconds(1))); // a duplicate would show here
      assertEquals(sorted(sent), sorted(after));
      // The reader may see the copies a moment before commitTransaction returns to the relay.
      awaitCommits(relay, 1);
      Histogram durations = relay.commitDurations();
      assertEquals(relay.commits(), durations.getTotalCount());
      assertTrue(durations.getMaxValue() > 0);
    }
  }

  @Test
  void shouldAbortTheOpenTransactionWhenStoppedAndCopyItAgainFromTheCommittedOffsets()
      throws Exception {
    createTopics("second");
    try (KafkaConsumer<String, String> committed = reader("second", "read_committed");
        KafkaConsumer<String, String> uncommitted = reader("second", "read_uncommitted")) {
      List<String> second;
      try (RawRelay relay = relay("second", "second", Duration.ofSeconds(3))) {
        relay.awaitAssigned(WAIT);
        List<String> first = send("second", "a", 100);
        assertEquals(sorted(first), sorted(read(committed, first.size(), WAIT)));
        awaitCommits(relay, 1);
        long commits = relay.commits();
        second = send("second", "b", 100);
        List<String> copies = read(uncommitted, first.size() + second.size(), WAIT);
        assertEquals(sorted(first, second), sorted(copies));
        assertEquals(commits, relay.commits(), "the second transaction must still be open");
      } // stops with the second transaction open: it is aborted
      assertEquals(List.of(), read(committed, 1, Duration.ofMillis(500)));

      // The successor resumes from the offsets committed with the first copies. Had they not
      // committed, it would start from the earliest record and copy the first batch again.
      try (RawRelay successor = relay("second", "second", Duration.ofMillis(100))) {
        successor.awaitAssigned(WAIT);
        List<String> redone = read(committed, second.size(), WAIT);
        redone.addAll(read(committed, 1, Duration.ofSeconds(1)));
        assertEquals(sorted(second), sorted(redone));
        // The aborted copies stay in the log, invisible to read_committed readers.
        assertEquals(sorted(second), sorted(read(uncommitted, second.size(), WAIT)));
      }
    }
  }

  @Test
  void shouldCopyEveryRequestToTheReplyPartitionAndCountItsKeyInTheChangelog() throws Exception {
    createTopics("counted");
    Properties props = new Properties();
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "it-streams-state");
    props.put(StreamsConfig.STATE_DIR_CONFIG, tmp.resolve("streams-state").toString());
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "1");
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    Map<String, Long> expected = new TreeMap<>(Map.of("k1", 3L, "k2", 1L, "k3", 7L, "k4", 2L));
    try (StreamsRelay relay =
            new StreamsRelay(props, "counted.requests", "counted.replies", 1, true);
        KafkaConsumer<String, String> replies = reader("counted", 1, "read_uncommitted")) {
      relay.awaitRunning(WAIT);
      List<String> sent = new ArrayList<>();
      expected.forEach((key, n) -> sent.addAll(send("counted", key, key, n.intValue())));
      List<String> copies = read(replies, sent.size(), WAIT);
      copies.addAll(read(replies, 1, Duration.ofSeconds(1))); // a duplicate would show here
      assertEquals(sorted(sent), sorted(copies));
      // Partition 0 of the replies gets nothing: every copy goes to the partition given.
      try (KafkaConsumer<String, String> other = reader("counted", 0, "read_uncommitted")) {
        assertEquals(List.of(), read(other, 1, Duration.ofMillis(500)));
      }
      assertEquals(expected, lastCounts("it-streams-state-counts-changelog", expected));
    }
  }

  /** The last value of each key in a changelog of 8-byte counts, once it is {@code expected}. */
  private Map<String, Long> lastCounts(String changelog, Map<String, Long> expected) {
    Map<String, Long> last = new TreeMap<>();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(
            Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          c.partitionsFor(changelog).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      long end = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() < end && !last.equals(expected)) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
          last.put(r.key(), ByteBuffer.wrap(r.value()).getLong());
        }
      }
      // Later updates of the same keys, if the first poll stopped early.
      for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofSeconds(1))) {
        last.put(r.key(), ByteBuffer.wrap(r.value()).getLong());
      }
    }
    return last;
  }

  private static void awaitCommits(RawRelay relay, long n) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    while (relay.commits() < n && System.nanoTime() < end) {
      Thread.sleep(10);
    }
    assertTrue(relay.commits() >= n, "commits: " + relay.commits());
  }

  private RawRelay relay(String topics, String id, Duration commitInterval) {
    return new RawRelay(
        "it-" + id,
        kafka.bootstrapServers(),
        topics + ".requests",
        topics + ".replies",
        0,
        Map.of(
            "relay.consumer.group.id", "it-relay-" + id,
            "relay.producer.transactional.id", "it-relay-" + id,
            // Nothing is lost between the assignment and the first position; and a relay whose
            // offsets did not commit would copy everything again.
            "relay.consumer.auto.offset.reset", "earliest"),
        commitInterval);
  }

  private void createTopics(String name) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(name + ".requests", 3, (short) 1),
                  new NewTopic(name + ".replies", 2, (short) 1)))
          .all()
          .get();
    }
  }

  private List<String> send(String topics, String prefix, int n) {
    return send(topics, null, prefix, n);
  }

  /** Sends {@code n} values {@code prefix-i} with the given key (null: each value its own key). */
  private List<String> send(String topics, String key, String prefix, int n) {
    List<String> values = IntStream.range(0, n).mapToObj(i -> prefix + "-" + i).toList();
    try (KafkaProducer<String, String> p =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new StringSerializer(),
            new StringSerializer())) {
      for (String v : values) {
        p.send(new ProducerRecord<>(topics + ".requests", key == null ? v : key, v));
      }
    }
    return values;
  }

  private KafkaConsumer<String, String> reader(String topics, String isolation) {
    return reader(topics, 0, isolation);
  }

  private KafkaConsumer<String, String> reader(String topics, int partition, String isolation) {
    KafkaConsumer<String, String> c =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                isolation,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                "false"),
            new StringDeserializer(),
            new StringDeserializer());
    TopicPartition tp = new TopicPartition(topics + ".replies", partition);
    c.assign(List.of(tp));
    c.seekToBeginning(List.of(tp));
    return c;
  }

  /** Polls until at least {@code n} more records were read or {@code timeout} passed. */
  private static List<String> read(KafkaConsumer<String, String> c, int n, Duration timeout) {
    List<String> got = new ArrayList<>();
    long end = System.nanoTime() + timeout.toNanos();
    while (got.size() < n && System.nanoTime() < end) {
      for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(50))) {
        got.add(r.value());
      }
    }
    return got;
  }

  @SafeVarargs
  private static List<String> sorted(List<String>... lists) {
    List<String> all = new ArrayList<>();
    for (List<String> l : lists) {
      all.addAll(l);
    }
    all.sort(null);
    return all;
  }
}
