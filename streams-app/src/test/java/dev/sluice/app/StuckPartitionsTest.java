package dev.sluice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The stuck-partition rule on a fake clock (issue 17 item 2). */
class StuckPartitionsTest {
  private static final TopicPartition P0 = new TopicPartition("sluice.requests", 0);
  private static final TopicPartition P1 = new TopicPartition("sluice.requests", 1);
  private static final long S = TimeUnit.SECONDS.toNanos(1);

  private static StuckPartitions.Offsets at(long committed, long end) {
    return new StuckPartitions.Offsets(committed, end);
  }

  private static List<String> names(List<StuckPartitions.Stuck> stuck) {
    return stuck.stream().map(s -> s.partition().toString()).toList();
  }

  @Test
  void shouldReportAPartitionWhoseLagGrowsWhileItsCommitStandsStillForTheThreshold() {
    StuckPartitions rule = new StuckPartitions(30_000);
    assertEquals(List.of(), rule.update(0, Map.of(P0, at(100, 100), P1, at(50, 50))));
    // P0 stops committing while requests keep coming; P1 keeps up.
    assertEquals(List.of(), rule.update(10 * S, Map.of(P0, at(100, 140), P1, at(90, 92))));
    assertEquals(List.of(), rule.update(29 * S, Map.of(P0, at(100, 400), P1, at(300, 300))));
    List<StuckPartitions.Stuck> stuck =
        rule.update(40 * S, Map.of(P0, at(100, 500), P1, at(350, 351)));
    assertEquals(List.of("sluice.requests-0"), names(stuck));
    assertEquals(
        "sluice.requests-0: committed offset 100 unmoved for 40000 ms, lag 0 -> 400",
        stuck.get(0).describe());
    // It commits again: no longer stuck, and the clock starts over.
    assertEquals(List.of(), rule.update(41 * S, Map.of(P0, at(450, 520), P1, at(351, 351))));
    assertEquals(List.of(), rule.update(60 * S, Map.of(P0, at(450, 600), P1, at(351, 351))));
    assertEquals(
        List.of("sluice.requests-0"),
        names(rule.update(72 * S, Map.of(P0, at(450, 700), P1, at(351, 351)))));
  }

  @Test
  void shouldNotReportAnIdlePartitionOrOneWhoseBacklogDoesNotGrow() {
    StuckPartitions rule = new StuckPartitions(1_000);
    rule.update(0, Map.of(P0, at(7, 7), P1, at(3, 10)));
    assertEquals(List.of(), rule.update(60 * S, Map.of(P0, at(7, 7), P1, at(3, 10))));
  }

  @Test
  void shouldForgetPartitionsThisInstanceNoLongerOwns() {
    StuckPartitions rule = new StuckPartitions(1_000);
    rule.update(0, Map.of(P0, at(5, 6)));
    rule.update(10 * S, Map.of(P1, at(0, 0)));
    // P0 comes back (reassigned): observed afresh, not stuck for the time it was elsewhere.
    assertEquals(List.of(), rule.update(11 * S, Map.of(P0, at(5, 9))));
    assertEquals(List.of("sluice.requests-0"), names(rule.update(13 * S, Map.of(P0, at(5, 12)))));
  }
}
