package dev.sluice.bench.e2e;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The physical limit: one consumer/producer loop that copies each request, unchanged, to the reply
 * partition it names (here always the driver's partition). No Streams, no state, no rules, no
 * decoding. Whatever Sluice costs beyond this is the price of Streams, the store and the rate
 * limiting itself.
 *
 * <p>Two forms of the same loop:
 *
 * <ul>
 *   <li>plain ({@code relay}): auto-commit, no transactions; at-least-once.
 *   <li>exactly-once ({@code relay-eos}): the plain-client form of what Kafka Streams does under
 *       {@code exactly_once_v2}, so that Sluice's exactly-once figures have a floor that pays the
 *       same price: a {@code read_committed} consumer without auto-commit and a transactional
 *       producer. A transaction begins when the first record arrives while none is open; once it
 *       has been open for the commit interval, the consumed offsets are added to it ({@code
 *       sendOffsetsToTransaction}) and it commits. Polls never wait past that moment, so commits
 *       are on time. A copy becomes visible to the driver's {@code read_committed} reader only at
 *       that commit, as a decision does.
 * </ul>
 *
 * <p>The exactly-once form records how long each commit takes ({@code sendOffsetsToTransaction}
 * plus {@code commitTransaction}, during which nothing is copied) in {@link #commitDurations()}.
 */
final class RawRelay implements AutoCloseable {
  private static final Duration IDLE_POLL = Duration.ofMillis(100);
  private static final long NONE = Long.MIN_VALUE;

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<byte[], byte[]> producer;
  private final String replyTopic;
  private final int replyPartition;
  // Negative for the plain relay, which never opens a transaction.
  private final long commitIntervalNanos;
  private final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
  private final Recorder commitMicros = new Recorder(60_000_000L, 3);
  private final Thread thread;
  private long openSinceNanos = NONE;
  private volatile long commits;
  private volatile boolean running = true;
  // Set by the polling thread: a consumer may only be queried from the thread that polls it.
  private volatile boolean assigned;

  /**
   * Starts the relay's thread.
   *
   * @param name the target's name, for client ids, the group and the thread
   * @param clientProps {@code relay.producer.X} and {@code relay.consumer.X} settings (others are
   *     ignored), applied over the relay's own, the exactly-once ones included (for instance {@code
   *     relay.producer.transactional.id})
   * @param commitInterval null for the plain relay; else the transactional one, which commits a
   *     transaction once it has been open this long ({@link Duration#ZERO}: after every poll that
   *     returned records)
   */
  RawRelay(
      String name,
      String bootstrap,
      String requestsTopic,
      String replyTopic,
      int replyPartition,
      Map<String, String> clientProps,
      Duration commitInterval) {
    this.replyTopic = replyTopic;
    this.replyPartition = replyPartition;
    this.commitIntervalNanos = commitInterval == null ? -1 : commitInterval.toNanos();
    long now = System.currentTimeMillis();
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + name + "-" + now);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-" + name + "-consumer");
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-" + name + "-producer");
    if (transactional()) {
      c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-" + name + "-" + now);
    }
    clientProps.forEach(
        (k, v) -> {
          if (k.startsWith("relay.producer.")) {
            p.put(k.substring("relay.producer.".length()), v);
          } else if (k.startsWith("relay.consumer.")) {
            c.put(k.substring("relay.consumer.".length()), v);
          }
        });
    consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    if (transactional()) {
      // Fences an earlier producer with the same transactional.id and aborts what it left open.
      producer.initTransactions();
    }
    consumer.subscribe(List.of(requestsTopic), new CommitOnRevoke());
    thread = new Thread(this::copyLoop, "bench-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  private boolean transactional() {
    return commitIntervalNanos >= 0;
  }

  private void copyLoop() {
    try {
      while (running) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout());
        for (ConsumerRecord<byte[], byte[]> r : records) {
          if (transactional() && openSinceNanos == NONE) {
            producer.beginTransaction();
            openSinceNanos = System.nanoTime();
          }
          producer.send(new ProducerRecord<>(replyTopic, replyPartition, r.key(), r.value()));
        }
        if (openSinceNanos != NONE) {
          offsets.putAll(records.nextOffsets());
          if (System.nanoTime() - openSinceNanos >= commitIntervalNanos) {
            commit();
          }
        }
        if (!assigned && !consumer.assignment().isEmpty()) {
          assigned = true;
        }
      }
    } catch (WakeupException e) {
      // closing; an open transaction is aborted when the producer closes
    } finally {
      consumer.close();
    }
  }

  /** Idle: the usual poll; a transaction open: no longer than until it is due to commit. */
  private Duration pollTimeout() {
    if (openSinceNanos == NONE) {
      return IDLE_POLL;
    }
    long left = openSinceNanos + commitIntervalNanos - System.nanoTime();
    // Rounded up to whole milliseconds (the consumer's resolution), so it does not spin.
    return Duration.ofMillis(Math.max(0, (left + 999_999) / 1_000_000));
  }

  private void commit() {
    long t0 = System.nanoTime();
    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
    producer.commitTransaction();
    commitMicros.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
    commits++;
    offsets.clear();
    openSinceNanos = NONE;
  }

  /**
   * Kafka Streams' rule too: what was consumed from a partition commits before it is given up. Not
   * when closing: {@link #close()} stops the relay as a crash would, and the open transaction is
   * aborted.
   */
  private final class CommitOnRevoke implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (running && openSinceNanos != NONE) {
        commit();
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
  }

  /** Waits until the relay's consumer owns its partitions, so the first step loses nothing. */
  void awaitAssigned(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (assigned) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the raw relay got no partitions within " + timeout);
  }

  /**
   * The commit durations (microseconds) since the previous call: empty for the plain relay. Safe to
   * call from any thread while the relay runs.
   */
  Histogram commitDurations() {
    return commitMicros.getIntervalHistogram();
  }

  /** Transactions committed since the start. */
  long commits() {
    return commits;
  }

  /**
   * Stops the relay. An open transaction is not committed but aborted (the producer's close), as
   * after a crash: its copies never become visible, and the consumed offsets stay uncommitted.
   */
  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(5));
  }
}
