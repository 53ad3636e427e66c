package dev.sluice.rls;

import dev.sluice.core.rule.LimitRule;
import dev.sluice.core.rule.RuleValidation;
import dev.sluice.schema.CodecException;
import dev.sluice.schema.RuleCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The window of each rule, read from the rules topic, so that a status's {@code current_limit} can
 * say per SECOND, MINUTE, ... (a decision carries the limit but not its window). Reads every
 * partition from the beginning, no consumer group, nothing committed; invalid records keep the
 * previous version, a tombstone forgets the rule. Bounded: at most {@code maxRules} rules are
 * remembered; beyond that a new rule's window is unknown (and counted).
 *
 * <p>A decision may name a rule this reader has not seen yet (it trails the service by a poll): its
 * window is then unknown, as documented in docs/RLS.md.
 */
final class RuleWindows implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(RuleWindows.class);
  private static final Duration POLL = Duration.ofMillis(500);

  private final Consumer<byte[], byte[]> consumer;
  private final String topic;
  private final int maxRules;
  private final Map<String, long[]> windows = new ConcurrentHashMap<>();
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean running = true;

  RuleWindows(Consumer<byte[], byte[]> consumer, String topic, int maxRules) {
    this.consumer = consumer;
    this.topic = topic;
    this.maxRules = maxRules;
  }

  /**
   * The window in seconds of limit {@code limitIndex} of rule {@code ruleId}, or -1 when unknown.
   */
  long windowSeconds(String ruleId, int limitIndex) {
    if (ruleId == null) {
      return -1;
    }
    long[] w = windows.get(ruleId);
    int i = Math.max(0, limitIndex);
    return w == null || i >= w.length ? -1 : w[i];
  }

  /** Rules not remembered because {@code maxRules} were. */
  long dropped() {
    return dropped.get();
  }

  /** Rules remembered. */
  int size() {
    return windows.size();
  }

  /**
   * The windows of a rule's limits, by limit index (a decision names its binding limit by {@code
   * limitIndex}).
   */
  static long[] windowsOf(LimitRule rule) {
    return rule.limits().stream().mapToLong(LimitRule.Limit::windowSeconds).toArray();
  }

  void apply(byte[] key, byte[] value) {
    if (value == null) {
      if (key != null) {
        windows.remove(new String(key, StandardCharsets.UTF_8));
      }
      return;
    }
    RuleValidation v;
    try {
      v = RuleCodec.decodeAndValidate(value);
    } catch (CodecException e) {
      return; // the service rejects it too, keeping the previous version
    }
    if (!v.isValid()) {
      return;
    }
    LimitRule rule = v.rule();
    if (windows.size() >= maxRules && !windows.containsKey(rule.id())) {
      if (dropped.getAndIncrement() == 0) {
        LOG.warn(
            "more than {} rules: windows of further rules are unknown (sluice.rls.max.rules)",
            maxRules);
      }
      return;
    }
    windows.put(rule.id(), windowsOf(rule));
  }

  @Override
  public void run() {
    try {
      List<PartitionInfo> infos = null;
      while (running && (infos == null || infos.isEmpty())) {
        try {
          infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
        } catch (WakeupException e) {
          return;
        } catch (RuntimeException e) {
          LOG.debug("rules topic {} not readable yet: {}", topic, e.toString());
        }
        if (infos == null || infos.isEmpty()) {
          sleep(1000);
        }
      }
      if (!running) {
        return;
      }
      List<TopicPartition> tps = new ArrayList<>();
      for (PartitionInfo p : infos) {
        tps.add(new TopicPartition(topic, p.partition()));
      }
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      while (running) {
        try {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
            apply(r.key(), r.value());
          }
        } catch (WakeupException e) {
          // close() woke us
        } catch (RuntimeException e) {
          LOG.warn("reading the rules topic {} failed, retrying: {}", topic, e.toString());
          sleep(1000);
        }
      }
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
    }
  }

  void close() {
    running = false;
    consumer.wakeup();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
