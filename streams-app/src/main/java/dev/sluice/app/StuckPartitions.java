package dev.sluice.app;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;

/**
 * Which of this instance's request partitions are stuck: records are waiting (lag above 0) and the
 * committed offset has not moved for at least the threshold, while the lag grew in that time. A
 * healthy task commits every {@code commit.interval.ms} while it has work, so such a partition is
 * one whose stream thread is blocked, looping on a failing record, or restoring for that long.
 *
 * <p>Fed by {@link SluiceInstance}'s health thread with observed offsets; time is an argument, so a
 * test drives it on a fake clock. State: one entry per partition observed at the last update
 * (partitions no longer assigned are dropped), so it is bounded by the partitions this instance
 * owns.
 */
final class StuckPartitions {
  /** What was observed of one partition: the group's committed offset and the log end offset. */
  record Offsets(long committed, long end) {
    long lag() {
      return Math.max(0, end - committed);
    }
  }

  /**
   * One stuck partition.
   *
   * @param partition the requests-topic partition
   * @param committed its committed offset, unchanged since {@code stuckForMs} ago
   * @param lagThen the lag when the committed offset last moved
   * @param lag the lag now
   * @param stuckForMs how long the committed offset has not moved
   */
  record Stuck(TopicPartition partition, long committed, long lagThen, long lag, long stuckForMs) {
    /** E.g. {@code sluice.requests-3: committed offset 120 unmoved for 45000 ms, lag 3 -> 80}. */
    String describe() {
      return partition
          + ": committed offset "
          + committed
          + " unmoved for "
          + stuckForMs
          + " ms, lag "
          + lagThen
          + " -> "
          + lag;
    }
  }

  private record Since(long committed, long lag, long atNanos) {}

  private final long thresholdNanos;
  private final Map<TopicPartition, Since> since = new HashMap<>();

  /**
   * @param thresholdMs how long the committed offset may stand still with lag growing
   */
  StuckPartitions(long thresholdMs) {
    this.thresholdNanos = TimeUnit.MILLISECONDS.toNanos(thresholdMs);
  }

  /**
   * Records what was observed at {@code nowNanos} and returns the partitions stuck now, in
   * partition order.
   *
   * @param observed the offsets of every requests-topic partition this instance owns now
   */
  synchronized List<Stuck> update(long nowNanos, Map<TopicPartition, Offsets> observed) {
    since.keySet().retainAll(observed.keySet());
    List<Stuck> stuck = new ArrayList<>();
    for (Map.Entry<TopicPartition, Offsets> e : observed.entrySet()) {
      Offsets o = e.getValue();
      Since s = since.get(e.getKey());
      if (s == null || s.committed() != o.committed() || o.lag() == 0) {
        // Moved (or caught up): the clock starts again from here.
        since.put(e.getKey(), new Since(o.committed(), o.lag(), nowNanos));
        continue;
      }
      long still = nowNanos - s.atNanos();
      if (still >= thresholdNanos && o.lag() > s.lag()) {
        stuck.add(
            new Stuck(
                e.getKey(), o.committed(), s.lag(), o.lag(), TimeUnit.NANOSECONDS.toMillis(still)));
      }
    }
    stuck.sort(
        Comparator.comparing((Stuck x) -> x.partition().topic())
            .thenComparingInt(x -> x.partition().partition()));
    return stuck;
  }
}
