package dev.sluice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Reason;
import dev.sluice.topology.DeadLetters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MicrometerDecisionMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private double decisions(String reason, String ruleId) {
    Counter c =
        registry.find("sluice.decisions").tag("reason", reason).tag("ruleId", ruleId).counter();
    return c == null ? -1 : c.count();
  }

  @Test
  void shouldFoldRulesBeyondTheCapIntoOther() {
    MicrometerDecisionMetrics m = new MicrometerDecisionMetrics(registry, 2);
    m.decided(Reason.ALLOWED, "a", 1);
    m.decided(Reason.ALLOWED, "b", 1);
    m.decided(Reason.RATE_LIMITED, "c", 1);
    m.decided(Reason.ALLOWED, "d", 1);
    m.decided(Reason.NO_MATCHING_RULE, null, 1);
    assertEquals(1, decisions("ALLOWED", "a"));
    assertEquals(1, decisions("ALLOWED", "b"));
    assertEquals(-1, decisions("RATE_LIMITED", "c"), "c has no series of its own");
    assertEquals(1, decisions("RATE_LIMITED", "_other"));
    assertEquals(1, decisions("ALLOWED", "_other"));
    assertEquals(1, decisions("NO_MATCHING_RULE", "none"));
    assertEquals(2, m.ruleTags());
  }

  @Test
  void shouldDropADeletedRulesSeriesAndFreeItsSlot() {
    MicrometerDecisionMetrics m = new MicrometerDecisionMetrics(registry, 1);
    m.decided(Reason.ALLOWED, "a", 1);
    m.ruleRemoved("a");
    assertNull(registry.find("sluice.decisions").tag("ruleId", "a").counter());
    m.decided(Reason.ALLOWED, "b", 1);
    assertEquals(1, decisions("ALLOWED", "b"));
    m.ruleRemoved("none");
    assertEquals(0, decisions("ALLOWED", "none"), "the no-rule series are never removed");
  }

  @Test
  void shouldCountDeadLettersAndTimeDecisions() {
    MicrometerDecisionMetrics m = new MicrometerDecisionMetrics(registry, 10);
    m.deadLettered(DeadLetters.Stage.PROCESSING);
    m.decided(Reason.ALLOWED, "a", 40);
    m.decided(Reason.ALLOWED, "a", -5);
    assertEquals(
        1, registry.get("sluice.dead.letters").tag("stage", "processing").counter().count());
    assertEquals(
        0, registry.get("sluice.dead.letters").tag("stage", "deserialization").counter().count());
    assertEquals(2, registry.get("sluice.decision.latency").timer().count());
    assertEquals(
        40,
        registry.get("sluice.decision.latency").timer().totalTime(TimeUnit.MILLISECONDS),
        "a negative latency (clock skew) counts as 0");
  }

  @Test
  void shouldValidateTheCapNamingTheKey() {
    assertEquals(1000, MicrometerDecisionMetrics.maxRuleTags(Map.of()));
    assertEquals(
        5, MicrometerDecisionMetrics.maxRuleTags(Map.of("sluice.metrics.max-rule-tags", "5")));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                MicrometerDecisionMetrics.maxRuleTags(Map.of("sluice.metrics.max-rule-tags", "x")));
    assertTrue(e.getMessage().startsWith("sluice.metrics.max-rule-tags: "), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                MicrometerDecisionMetrics.maxRuleTags(Map.of("sluice.metrics.max-rule-tag", "5")));
    assertTrue(e.getMessage().startsWith("sluice.metrics.max-rule-tag: unknown"), e.getMessage());
  }
}
