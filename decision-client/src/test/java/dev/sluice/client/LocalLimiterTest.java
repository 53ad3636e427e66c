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
import java.util.List;
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

  /** A burst limit and a daily quota, fixed windows, in the {@code limits} form. */
  private static byte[] burstAndDaily(String id, long burst, long burstWindow, long daily) {
    return json(
        "{\"id\":\""
            + id
            + "\",\"key\":\"user:*\",\"algorithm\":\"FIXED_WINDOW\",\"limits\":["
            + "{\"limit\":"
            + burst
            + ",\"windowSeconds\":"
            + burstWindow
            + "},{\"limit\":"
            + daily
            + ",\"windowSeconds\":86400}]}");
  }

  @Test
  void shouldHonourEveryLimitOfARuleEachScaledToItsShare() {
    LocalLimiter l = new LocalLimiter(0.5, 100);
    assertNull(l.apply("r", burstAndDaily("r", 10, 1, 20), 0)); // here: 5 a second, 10 a day
    assertEquals(5, allowedOf(l, "user:1", 8, T0));
    ClientDecision burst = l.decide("b", "user:1", Map.of(), 1, T0, FailureCause.TIMEOUT);
    assertFalse(burst.allowed());
    assertEquals(0, burst.limitIndex(), "the burst limit denies");
    assertEquals(5, burst.limit());
    assertEquals(1, burst.windowSeconds());
    assertEquals(1_000, burst.retryAfterMs());
    assertEquals(5, allowedOf(l, "user:1", 8, T0 + 1_000), "the next second: 5 more");
    ClientDecision daily = l.decide("d", "user:1", Map.of(), 1, T0 + 2_000, FailureCause.TIMEOUT);
    assertFalse(daily.allowed(), "10 of the day's 10 are spent although the burst window is new");
    assertEquals(Reason.RATE_LIMITED, daily.reason());
    assertEquals(1, daily.limitIndex(), "the daily quota denies");
    assertEquals(10, daily.limit());
    assertEquals(0, daily.remaining());
    assertEquals(86_400, daily.windowSeconds());
    assertEquals(
        List.of(new RateLimitHeaders.Quota(5, 1), new RateLimitHeaders.Quota(10, 86_400)),
        daily.quotas());
    assertEquals(0, daily.granted());
    assertEquals(2, l.counters(), "one counter per limit of the rule");
  }

  @Test
  void shouldReportTheLimitWithFewestPermitsLeftWhenAllowed() {
    LocalLimiter l = new LocalLimiter(1, 100);
    l.apply("r", burstAndDaily("r", 10, 1, 12), 0);
    ClientDecision first = l.decide("a", "user:1", Map.of(), 1, T0, FailureCause.TIMEOUT);
    assertEquals(0, first.limitIndex(), "9 left of the burst, 11 of the day");
    assertEquals(9, first.remaining());
    ClientDecision second = l.decide("b", "user:1", Map.of(), 8, T0 + 1_000, FailureCause.TIMEOUT);
    assertEquals(0, second.limitIndex(), "2 left of the burst, 3 of the day");
    assertEquals(2, second.remaining());
    ClientDecision third = l.decide("c", "user:1", Map.of(), 1, T0 + 2_000, FailureCause.TIMEOUT);
    assertEquals(1, third.limitIndex(), "9 left of the burst, 2 of the day");
    assertEquals(2, third.remaining());
    assertEquals(12, third.limit());
  }

  @Test
  void shouldGrantAsManyPermitsAsEveryLimitAllowsUpToMaxCost() {
    LocalLimiter l = new LocalLimiter(1, 100);
    l.apply("r", burstAndDaily("r", 10, 1, 15), 0);
    ClientDecision d = l.decide("a", "user:1", Map.of(), 1, 8, T0, FailureCause.TIMEOUT);
    assertTrue(d.allowed());
    assertEquals(8, d.granted());
    d = l.decide("b", "user:1", Map.of(), 1, 8, T0, FailureCause.TIMEOUT);
    assertEquals(2, d.granted(), "the burst limit has 2 left");
    d = l.decide("c", "user:1", Map.of(), 1, 8, T0 + 1_000, FailureCause.TIMEOUT);
    assertEquals(5, d.granted(), "the daily quota has 5 left");
    assertEquals(1, d.limitIndex());
    d = l.decide("d", "user:1", Map.of(), 1, 8, T0 + 2_000, FailureCause.TIMEOUT);
    assertFalse(d.allowed());
    assertEquals(0, d.granted(), "a denial charges nothing");
  }

  @Test
  void shouldChangeNothingOnACheckOnlyRequest() {
    LocalLimiter l = new LocalLimiter(1, 100);
    l.apply("r", burstAndDaily("r", 2, 60, 100), 0);
    ClientDecision check = l.decide("c", "user:1", Map.of(), 0, 0, T0, FailureCause.TIMEOUT);
    assertTrue(check.allowed());
    assertEquals(0, check.granted());
    assertEquals(2, check.remaining());
    assertEquals(0, l.counters(), "a check creates no counter");
    assertEquals(2, allowedOf(l, "user:1", 5, T0));
    check = l.decide("c", "user:1", Map.of(), 0, 0, T0, FailureCause.TIMEOUT);
    assertTrue(check.allowed(), "at the limit, not over it");
    assertEquals(0, check.remaining());
    assertEquals(0, allowedOf(l, "user:1", 1, T0));
  }

  @Test
  void shouldKeepEachLimitsCountersAcrossAnUpdateThatKeepsItsWindow() {
    LocalLimiter l = new LocalLimiter(1, 100);
    l.apply("r", burstAndDaily("r", 3, 60, 4), 10);
    assertEquals(3, allowedOf(l, "user:1", 5, T0));
    l.apply("r", burstAndDaily("r", 3, 30, 4), 11); // index 0's window changed, index 1's kept
    assertEquals(11, l.rule("r").limits().get(0).generation());
    assertEquals(10, l.rule("r").limits().get(1).generation());
    assertEquals(1, allowedOf(l, "user:1", 5, T0), "a fresh burst counter; 3 of 4 spent today");
  }
}
