package dev.sluice.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one reply thread: polls the reply partitions this instance owns and hands each record to
 * {@link DecisionClient#onReply}. It also decides which partitions requests may be stamped with.
 *
 * <p>A partition becomes usable only once the consumer's position on it is resolved to the end of
 * the log: a request stamped earlier could have its reply written before that position and never
 * seen. Explicit partitions are assigned directly; automatic ones come from the consumer group, and
 * a revoked or lost partition stops being used at once (requests already stamped with it are
 * answered to its new owner, which drops them as unknown, so they complete by policy at their
 * deadline). The consumer never commits and always seeks to the end on assignment, so it never
 * reads old replies.
 */
final class ReplyReader implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(ReplyReader.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration POSITION_TIMEOUT = Duration.ofMillis(500);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);
  private static final long ERROR_BACKOFF_MS = 500;

  private final Consumer<byte[], byte[]> consumer;
  private final String topic;
  private final List<Integer> explicitPartitions;
  private final DecisionClient client;
  private final CountDownLatch firstPartition = new CountDownLatch(1);
  // Touched only by the reply thread.
  private final TreeSet<Integer> owned = new TreeSet<>();
  private final Set<TopicPartition> unpositioned = new HashSet<>();
  private volatile boolean running = true;

  ReplyReader(
      Consumer<byte[], byte[]> consumer,
      String topic,
      List<Integer> explicitPartitions,
      DecisionClient client) {
    this.consumer = consumer;
    this.topic = topic;
    this.explicitPartitions = explicitPartitions;
    this.client = client;
  }

  @Override
  public void run() {
    try {
      if (explicitPartitions.isEmpty()) {
        consumer.subscribe(List.of(topic), new Listener());
      } else {
        List<TopicPartition> tps = new ArrayList<>();
        for (int p : explicitPartitions) {
          tps.add(new TopicPartition(topic, p));
        }
        consumer.assign(tps);
        consumer.seekToEnd(tps);
        unpositioned.addAll(tps);
      }
      while (running) {
        if (!unpositioned.isEmpty()) {
          resolvePositions();
        }
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = consumer.poll(POLL);
        } catch (WakeupException e) {
          continue; // close() woke us; the loop condition decides
        } catch (KafkaException e) {
          if (!running) {
            break;
          }
          LOG.warn("reply consumer for {} failed; retrying in {} ms", topic, ERROR_BACKOFF_MS, e);
          sleepQuietly(ERROR_BACKOFF_MS);
          continue;
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
          client.onReply(r.value());
        }
      }
    } catch (RuntimeException | Error e) {
      LOG.error("reply thread for {} died; checks will complete by policy", topic, e);
    } finally {
      owned.clear();
      client.setReplyPartitions(new int[0]);
      try {
        consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
      } catch (RuntimeException e) {
        LOG.warn("closing the reply consumer failed", e);
      }
    }
  }

  /** Waits until some reply partition is usable; false on timeout. */
  boolean awaitFirstPartition(long timeoutNanos) throws InterruptedException {
    return firstPartition.await(timeoutNanos, TimeUnit.NANOSECONDS);
  }

  /** Asks the thread to stop; it closes the consumer itself. */
  void shutdown() {
    running = false;
    consumer.wakeup();
  }

  private void resolvePositions() {
    boolean changed = false;
    for (var it = unpositioned.iterator(); it.hasNext(); ) {
      TopicPartition tp = it.next();
      try {
        consumer.position(tp, POSITION_TIMEOUT);
        it.remove();
        owned.add(tp.partition());
        changed = true;
      } catch (WakeupException e) {
        throw e;
      } catch (KafkaException e) {
        LOG.debug("position of {} not resolved yet: {}", tp, e.toString());
      }
    }
    if (changed) {
      publish();
    }
  }

  private void publish() {
    int[] partitions = owned.stream().mapToInt(Integer::intValue).toArray();
    client.setReplyPartitions(partitions);
    LOG.info("reply partitions of {} now {}", topic, owned);
    if (partitions.length > 0) {
      firstPartition.countDown();
    }
  }

  private void drop(Collection<TopicPartition> partitions) {
    boolean changed = false;
    for (TopicPartition tp : partitions) {
      unpositioned.remove(tp);
      changed |= owned.remove(tp.partition());
    }
    if (changed) {
      publish();
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Runs inside {@code poll} on the reply thread. */
  private final class Listener implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      // Never resume from a committed offset someone else left: only new replies matter.
      consumer.seekToEnd(partitions);
      unpositioned.addAll(partitions);
      resolvePositions();
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      drop(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      drop(partitions);
    }
  }
}
