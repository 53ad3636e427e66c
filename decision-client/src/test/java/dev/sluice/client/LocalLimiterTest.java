package dev.sluice.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.RateLimitAlgorithm;
import dev.sluice.avro.Rule;
import dev.sluice.core.Reason;
import dev.sluice.schema.AvroCodec;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalLimiterTest {
  private static final long T0 = 1_700_000_000_000L; // a window boundary for 60 s windows

  private static byte[] json(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] fixedRule(String id, String key, long limit, long windowSeconds) {
    return json(
        "{\"id\":\""
            + id
            + "\",\"key\":\""
            + key
            + "\",\"limit\":"
            + limit
            + ",\"windowSeconds\":"
            + windowSeconds
            + ",\"algorithm\":\"FIXED_WINDOW\"}");
  }

  private static int allowedOf(LocalLimiter l, String key, int attempts, long nowMs) {
    int allowed = 0;
    for (int i = 0; i < attempts; i++) {
      if (l.decide("id" + i, key, Map.of(), 1, nowMs, FailureCause.TIMEOUT).allowed()) {
        allowed++;
      }
    }
    return allowed;
  }

  @Test
  void shouldAllowOnlyThisInstancesShareOfTheLimit() {
    LocalLimiter l = new LocalLimiter(0.5, 100);
    assertNull(l.apply("r1", fixedRule("r1", "user:*", 10, 60), 0));
    assertEquals(5, allowedOf(l, "user:1", 8, T0));
    ClientDecision d = l.decide("x", "user:1", Map.of(), 1, T0, FailureCause.SEND_FAILED);
    assertEquals(DecisionSource.LOCAL_FALLBACK, d.source());
    assertEquals(FailureCause.SEND_FAILED, d.cause());
    assertFalse(d.allowed());
    assertEquals(Reason.RATE_LIMITED, d.reason());
    assertEquals("r1", d.ruleId());
    assertEquals(5, d.limit());
    assertEquals(60, d.windowSeconds());
    assertEquals(5, allowedOf(l, "user:2", 8, T0), "each key has its own counter");
    assertEquals(5, allowedOf(l, "user:1", 8, T0 + 60_000), "a new window starts afresh");
  }

  @Test
  void shouldKeepAtLeastOnePermitAndKeepBlockListsClosed() {
    LocalLimiter l = new LocalLimiter(0.1, 100);
    l.apply("one", fixedRule("one", "a", 1, 60), 0);
    l.apply("none", fixedRule("none", "b", 0, 60), 1);
    assertEquals(1, allowedOf(l, "a", 3, T0));
    assertEquals(0, allowedOf(l, "b", 3, T0));
  }

  @Test
  void shouldAllowKeysNoRuleMatches() {
    LocalLimiter l = new LocalLimiter(1, 100);
    ClientDecision d = l.decide("x", "anything", Map.of(), 1, T0, FailureCause.TIMEOUT);
    assertTrue(d.allowed());
    assertEquals(Reason.NO_MATCHING_RULE, d.reason());
    assertEquals(DecisionSource.LOCAL_FALLBACK, d.source());
    assertEquals(-1, d.windowSeconds());
  }

  @Test
  void shouldReadAvroRulesToo() {
    LocalLimiter l = new LocalLimiter(1, 100);
    Rule rule =
        Rule.newBuilder()
            .setId("avro")
            .setKey("k")
            .setLimit(2L)
            .setWindowSeconds(60L)
            .setAlgorithm(RateLimitAlgorithm.FIXED_WINDOW)
            .setMetadata(Map.of("tenant", "*"))
            .build();
    assertNull(l.apply("avro", AvroCodec.RULE.encode(rule), 0));
    assertEquals(1, l.rules());
    for (String tenant : new String[] {"a", "b"}) {
      int allowed = 0;
      for (int i = 0; i < 4; i++) {
        if (l.decide("i", "k", Map.of("tenant", tenant), 1, T0, FailureCause.TIMEOUT).allowed()) {
          allowed++;
        }
      }
      assertEquals(2, allowed, "one counter per tenant value");
    }
  }

  @Test
  void shouldSkipInvalidRulesKeepingThePreviousVersion() {
    LocalLimiter l = new LocalLimiter(1, 100);
    l.apply("r", fixedRule("r", "k", 3, 60), 0);
    String why = l.apply("r", fixedRule("r", "k", -1, 60), 1);
    assertTrue(why.startsWith("limit:"), why);
    assertEquals(3, l.rule("r").limit());
    assertTrue(l.apply("r", json("not json"), 2).startsWith("value:"));
    assertTrue(l.apply("r", new byte[] {(byte) 0xC3, 1, 2}, 3).startsWith("value:"));
    String mismatch = l.apply("other", fixedRule("r", "k", 3, 60), 4);
    assertTrue(mismatch.startsWith("id: must equal the record key other"), mismatch);
    assertTrue(l.apply(null, fixedRule("r", "k", 3, 60), 5).startsWith("key:"));
    assertEquals(5, l.rejected());
    assertEquals(1, l.rules());
    assertEquals(3, allowedOf(l, "k", 5, T0));
  }

  @Test
  void shouldDeleteARuleOnATombstone() {
    LocalLimiter l = new LocalLimiter(1, 100);
    l.apply("r", fixedRule("r", "k", 0, 60), 0);
    assertEquals(0, allowedOf(l, "k", 1, T0));
    assertNull(l.apply("r", null, 1));
    assertEquals(0, l.rules());
    assertEquals(
        Reason.NO_MATCHING_RULE,
        l.decide("i", "k", Map.of(), 1, T0, FailureCause.TIMEOUT).reason());
  }

  @Test
  void shouldKeepCountersAcrossALimitChangeButNotAWindowChange() {
    LocalLimiter l = new LocalLimiter(1, 100);
    l.apply("r", fixedRule("r", "k", 3, 60), 10);
    assertEquals(3, allowedOf(l, "k", 3, T0));
    l.apply("r", fixedRule("r", "k", 4, 60), 11); // same algorithm and window: same generation
    assertEquals(10, l.rule("r").generation());
    assertEquals(1, allowedOf(l, "k", 3, T0));
    l.apply("r", fixedRule("r", "k", 4, 30), 12); // window changed: fresh counters
    assertEquals(12, l.rule("r").generation());
    assertEquals(4, allowedOf(l, "k", 5, T0));
  }

  @Test
  void shouldBoundItsCountersAndDropIdleOnes() {
    LocalLimiter l = new LocalLimiter(1, 3);
    l.apply("r", fixedRule("r", "*", 100, 1), 0);
    for (int i = 0; i < 10; i++) {
      l.decide("i", "key" + i, Map.of(), 1, T0, FailureCause.TIMEOUT);
    }
    assertEquals(3, l.counters(), "least recently used counters are dropped beyond the bound");
    // Two seconds later every 1-second fixed window is over: the next decision sweeps them.
    l.decide("i", "fresh", Map.of(), 1, T0 + 2_000, FailureCause.TIMEOUT);
    assertEquals(1, l.counters());
  }
}
