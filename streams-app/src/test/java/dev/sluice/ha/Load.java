package dev.sluice.ha;

import dev.sluice.client.CheckRequest;
import dev.sluice.client.ClientDecision;
import dev.sluice.client.DecisionClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.common.utils.Utils;

/**
 * Steady load through the real {@link DecisionClient}: one check every {@code 1/rate} seconds,
 * cycling over a fixed set of keys, each with a known correlation id, and a ledger of when each
 * check was sent and how (and when) its future completed.
 */
final class Load implements AutoCloseable {
  /** One check and what became of it. */
  static final class Check {
    final String id;
    final String key;
    final int requestPartition;
    final long sentNanos;
    volatile long doneNanos;
    volatile ClientDecision decision;
    volatile Throwable error;

    Check(String id, String key, int requestPartition, long sentNanos) {
      this.id = id;
      this.key = key;
      this.requestPartition = requestPartition;
      this.sentNanos = sentNanos;
    }

    boolean done() {
      return doneNanos != 0;
    }
  }

  private final DecisionClient client;
  private final List<String> keys;
  private final int partitions;
  private final long intervalNanos;
  private final String idPrefix;
  private final ConcurrentLinkedQueue<Check> checks = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * @param partitions partitions of the requests topic, to tell which one a key goes to
   * @param perSecond checks per second
   */
  Load(DecisionClient client, List<String> keys, int partitions, int perSecond, String idPrefix) {
    this.client = client;
    this.keys = List.copyOf(keys);
    this.partitions = partitions;
    this.intervalNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
    this.idPrefix = idPrefix;
    this.thread = new Thread(this::run, "ha-load-" + idPrefix);
    this.thread.setDaemon(true);
  }

  /** The requests-topic partition of {@code key}: the producer's default key partitioning. */
  static int partitionOf(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  Load start() {
    thread.start();
    return this;
  }

  private void run() {
    long next = System.nanoTime();
    long seq = 0;
    while (running) {
      long now = System.nanoTime();
      if (now < next) {
        LockSupport.parkNanos(next - now);
        continue;
      }
      // A check that blocked (no metadata while brokers are down) is not made up for in a burst.
      next = Math.max(next + intervalNanos, now - intervalNanos);
      String key = keys.get((int) (seq % keys.size()));
      String id = idPrefix + "-" + seq++;
      Check c = new Check(id, key, partitionOf(key, partitions), System.nanoTime());
      checks.add(c);
      try {
        CompletableFuture<ClientDecision> f = client.check(new CheckRequest(id, key, Map.of(), 1));
        f.whenComplete(
            (d, e) -> {
              c.decision = d;
              c.error = e;
              c.doneNanos = System.nanoTime();
            });
      } catch (RuntimeException e) {
        c.error = e;
        c.doneNanos = System.nanoTime();
      }
    }
  }

  /** Stops sending (checks in flight still complete). */
  void stop() {
    running = false;
    try {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Every check sent so far, in order. */
  List<Check> checks() {
    return new ArrayList<>(checks);
  }

  /** Waits until every check sent has completed; false on timeout. */
  boolean awaitCompleted(java.time.Duration timeout) {
    return Harness.await(timeout, () -> checks.stream().allMatch(Check::done));
  }

  @Override
  public void close() {
    stop();
  }
}
