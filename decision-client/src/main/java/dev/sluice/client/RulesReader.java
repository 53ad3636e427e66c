package dev.sluice.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local fallback's rules thread: reads every partition of the rules topic from the beginning
 * (no consumer group, nothing committed) and applies each record to the {@link LocalLimiter}.
 * Invalid records are logged and skipped, keeping the previous version of that rule. The rules
 * topic's partition count is read once at start.
 */
final class RulesReader implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(RulesReader.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration META_TIMEOUT = Duration.ofSeconds(5);
  private static final long ERROR_BACKOFF_MS = 1000;

  private final Consumer<byte[], byte[]> consumer;
  private final String topic;
  private final LocalLimiter limiter;
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private volatile boolean running = true;

  RulesReader(Consumer<byte[], byte[]> consumer, String topic, LocalLimiter limiter) {
    this.consumer = consumer;
    this.topic = topic;
    this.limiter = limiter;
  }

  @Override
  public void run() {
    try {
      List<TopicPartition> tps = partitions();
      if (tps == null) {
        return;
      }
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> end = null;
      while (running) {
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = consumer.poll(POLL);
        } catch (WakeupException e) {
          continue;
        } catch (KafkaException e) {
          if (!running) {
            break;
          }
          LOG.warn("rules consumer for {} failed; retrying", topic, e);
          Thread.sleep(ERROR_BACKOFF_MS);
          continue;
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
          String id = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
          String rejection = limiter.apply(id, r.value(), r.offset());
          if (rejection != null) {
            LOG.warn(
                "rule {} at {}-{}@{} rejected, previous version kept: {}",
                id,
                r.topic(),
                r.partition(),
                r.offset(),
                rejection);
          }
        }
        if (caughtUp.getCount() > 0 && end == null) {
          end = endOffsets(tps);
        }
        if (caughtUp.getCount() > 0 && end != null && reached(end)) {
          LOG.info("local fallback loaded {} rules from {}", limiter.rules(), topic);
          caughtUp.countDown();
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      LOG.error("rules thread for {} died; the local fallback keeps the rules it has", topic, e);
    } finally {
      try {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
      } catch (RuntimeException e) {
        LOG.warn("closing the rules consumer failed", e);
      }
    }
  }

  /** Waits until the rules present at start are applied; false on timeout. */
  boolean awaitCaughtUp(long timeoutNanos) throws InterruptedException {
    return caughtUp.await(timeoutNanos, TimeUnit.NANOSECONDS);
  }

  void shutdown() {
    running = false;
    consumer.wakeup();
  }

  private List<TopicPartition> partitions() throws InterruptedException {
    while (running) {
      try {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, META_TIMEOUT);
        if (infos != null && !infos.isEmpty()) {
          List<TopicPartition> tps = new ArrayList<>();
          for (PartitionInfo i : infos) {
            tps.add(new TopicPartition(topic, i.partition()));
          }
          return tps;
        }
        LOG.warn("rules topic {} not found yet; the local fallback has no rules", topic);
      } catch (WakeupException e) {
        return null;
      } catch (KafkaException e) {
        LOG.warn("rules topic {} metadata unavailable: {}", topic, e.toString());
      }
      Thread.sleep(ERROR_BACKOFF_MS);
    }
    return null;
  }

  /** The end offsets at start, or null when the broker did not say yet. */
  private Map<TopicPartition, Long> endOffsets(List<TopicPartition> tps) {
    try {
      return consumer.endOffsets(tps, META_TIMEOUT);
    } catch (WakeupException e) {
      throw e;
    } catch (KafkaException e) {
      LOG.debug("rules end offsets unavailable: {}", e.toString());
      return null;
    }
  }

  private boolean reached(Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      try {
        if (consumer.position(e.getKey(), META_TIMEOUT) < e.getValue()) {
          return false;
        }
      } catch (WakeupException ex) {
        throw ex;
      } catch (KafkaException ex) {
        return false;
      }
    }
    return true;
  }
}
