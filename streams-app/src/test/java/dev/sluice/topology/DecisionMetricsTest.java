package dev.sluice.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Reason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topology's reports to its {@link DecisionMetrics}, driven through the whole topology. */
class DecisionMetricsTest {
  @TempDir Path dir;

  /** Records every call, as an application's implementation would count them. */
  static final class Recorder implements DecisionMetrics {
    final Map<String, Integer> decisions = new ConcurrentHashMap<>();
    final Map<DeadLetters.Stage, Integer> deadLetters = new ConcurrentHashMap<>();
    final List<Long> latencies = new ArrayList<>();
    final List<String> removed = new ArrayList<>();

    @Override
    public void decided(Reason reason, String ruleId, long latencyMs) {
      decisions.merge(reason + "/" + ruleId, 1, Integer::sum);
      latencies.add(latencyMs);
    }

    @Override
    public void ruleRemoved(String ruleId) {
      removed.add(ruleId);
    }

    @Override
    public void deadLettered(DeadLetters.Stage stage) {
      deadLetters.merge(stage, 1, Integer::sum);
    }
  }

  private final Recorder metrics = new Recorder();
  private TopologyFixture f;

  @BeforeEach
  void start() {
    f = new TopologyFixture(dir, new Properties(), metrics);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  private static String fixed(String id, String key, long limit) {
    return "{\"id\":\""
        + id
        + "\",\"key\":\""
        + key
        + "\",\"limit\":"
        + limit
        + ",\"windowSeconds\":10,\"algorithm\":\"FIXED_WINDOW\"}";
  }

  @Test
  void shouldCountDecisionsByReasonAndAppliedRule() {
    f.rule("two", fixed("two", "a", 2));
    f.rule("zero", fixed("zero", "b", 0));
    for (int i = 0; i < 3; i++) {
      f.request("a" + i, "a", 1, 0);
    }
    f.request("b0", "b", 1, 0);
    f.request("c0", "c", 1, 0);
    f.request("k", "{\"id\":\"\",\"key\":\"k\"}", 0);

    assertEquals(
        Map.of(
            "ALLOWED/two", 2,
            "RATE_LIMITED/two", 1,
            "RATE_LIMITED/zero", 1,
            "NO_MATCHING_RULE/null", 1,
            "INVALID_REQUEST/null", 1),
        metrics.decisions);
  }

  @Test
  void shouldMeasureLatencyAsWallClockAtEmissionMinusRecordTime() {
    f.advanceWallClock(Duration.ofMillis(5_000));
    f.requests.pipeInput(
        new TestRecord<>(
            "k",
            TopologyFixture.utf8("{\"id\":\"1\",\"key\":\"k\"}"),
            new RecordHeaders(),
            4_250L));
    f.onlyDecision();
    assertEquals(List.of(750L), metrics.latencies);
  }

  @Test
  void shouldCountDeadLettersByStage() {
    f.requests.pipeInput("k", TopologyFixture.utf8("not json"));
    f.rule("bad", "{\"id\":\"bad\",\"key\":\"k\",\"limit\":-1,\"windowSeconds\":10}");
    f.rule("junk", "\u0001junk");
    assertEquals(
        Map.of(DeadLetters.Stage.DESERIALIZATION, 1, DeadLetters.Stage.RULE_VALIDATOR, 2),
        metrics.deadLetters);
    assertEquals(3, f.deadLetters.readRecordsToList().size(), "one count per dead letter");
  }

  @Test
  void shouldReportRemovedRulesSoTheirTagsCanBeDropped() {
    f.rule("r", fixed("r", "a", 2));
    f.deleteRule("r");
    assertEquals(List.of("r"), metrics.removed);
    assertTrue(metrics.decisions.isEmpty());
  }
}
