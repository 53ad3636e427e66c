package dev.sluice.ha;

import dev.sluice.avro.Decision;
import dev.sluice.schema.AvroCodec;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Every decision on the decisions topic, read at the source by a read_committed consumer of all its
 * partitions from the beginning (the topics are fresh per scenario): which requests got decisions,
 * how many each, and when the decision became visible here. Undecodable records are counted, not
 * dropped.
 */
final class DecisionLog implements AutoCloseable {
  /**
   * One decision as read.
   *
   * @param seenNanos when this consumer received it (System.nanoTime)
   */
  record Seen(
      String requestId,
      String key,
      boolean allowed,
      String reason,
      String ruleId,
      long timestampMs,
      long remaining,
      int partition,
      long offset,
      long seenNanos) {}

  private final KafkaConsumer<String, byte[]> consumer;
  private final Map<String, List<Seen>> byRequest = new ConcurrentHashMap<>();
  private final Map<String, List<Seen>> byRecordKey = new ConcurrentHashMap<>();
  private final AtomicLong total = new AtomicLong();
  private final AtomicLong undecodable = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;

  DecisionLog(String bootstrapServers, String topic, int partitions) {
    consumer =
        TopicReader.fromBeginning(
            bootstrapServers,
            topic,
            partitions,
            "ha-decision-log",
            Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                50),
            new StringDeserializer());
    thread = new Thread(this::run, "ha-decision-log");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      while (running) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          long now = System.nanoTime();
          total.incrementAndGet();
          Decision d;
          try {
            d = AvroCodec.DECISION.decode(r.value());
          } catch (RuntimeException e) {
            undecodable.incrementAndGet();
            continue;
          }
          Seen s =
              new Seen(
                  d.getRequestId() == null ? null : d.getRequestId().toString(),
                  d.getKey() == null ? null : d.getKey().toString(),
                  d.getAllowed(),
                  String.valueOf(d.getReason()),
                  d.getRuleId() == null ? null : d.getRuleId().toString(),
                  d.getTimestampMs(),
                  d.getRemaining(),
                  r.partition(),
                  r.offset(),
                  now);
          if (s.requestId() != null) {
            byRequest.computeIfAbsent(s.requestId(), k -> new CopyOnWriteArrayList<>()).add(s);
          }
          if (r.key() != null) {
            byRecordKey.computeIfAbsent(r.key(), k -> new CopyOnWriteArrayList<>()).add(s);
          }
        }
      }
    } catch (WakeupException e) {
      // close()
    } finally {
      consumer.close();
    }
  }

  /** The decisions of one request, in topic order (empty when none yet). */
  List<Seen> of(String requestId) {
    return byRequest.getOrDefault(requestId, List.of());
  }

  /** The decisions whose record key is {@code key}. */
  List<Seen> ofRecordKey(String key) {
    return byRecordKey.getOrDefault(key, List.of());
  }

  /** Every request id seen with its decisions. */
  Map<String, List<Seen>> all() {
    return byRequest;
  }

  Collection<List<Seen>> values() {
    return byRequest.values();
  }

  long total() {
    return total.get();
  }

  long undecodable() {
    return undecodable.get();
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
