package dev.sluice.core.limit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Algorithm;
import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import dev.sluice.core.rule.LimitRule;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LimiterTest {
  static LimitRule rule(
      String id, Algorithm a, long limit, long windowSeconds, boolean shadow, long gen) {
    return new LimitRule(id, "user:*", limit, windowSeconds, 0, new TreeMap<>(), a, shadow, gen);
  }

  @Test
  void shouldFillEveryDecisionFieldFromTheAppliedRule() {
    LimitRule r = rule("r1", Algorithm.FIXED_WINDOW, 2, 60, false, 7);
    Limiter.Evaluation e = Limiter.evaluate(r, null, "req-1", "user:1", 1, 90_000);
    Verdict v = e.verdict();
    assertEquals(
        new Verdict(
            "req-1",
            "user:1",
            true,
            Reason.ALLOWED,
            "r1",
            2,
            1,
            30_000,
            0,
            1,
            0,
            90_000,
            false,
            null),
        v);
  }

  @Test
  void shouldForceShadowDecisionsAllowedButKeepWouldBeFieldsAndChargeNothingWhenDenied() {
    LimitRule r = rule("s", Algorithm.FIXED_WINDOW, 1, 60, true, 1);
    byte[] c = Limiter.evaluate(r, null, "a", "user:1", 1, 0).counter();
    Limiter.Evaluation denied = Limiter.evaluate(r, c, "b", "user:1", 1, 10);
    Verdict v = denied.verdict();
    assertTrue(v.allowed());
    assertTrue(v.shadow());
    assertEquals(Reason.RATE_LIMITED, v.reason());
    assertEquals(0, v.remaining());
    assertEquals(59_990, v.retryAfterMs());
    // The would-be denial consumed nothing: the counter still holds one permit used.
    LimitRule bigger = rule("s", Algorithm.FIXED_WINDOW, 2, 60, true, 1);
    assertEquals(
        Reason.ALLOWED,
        Limiter.evaluate(bigger, denied.counter(), "c", "user:1", 1, 20).verdict().reason());
  }

  @Test
  void shouldKeepCountersAcrossUpdatesOfTheSameGeneration() {
    byte[] c =
        Limiter.evaluate(
                rule("r", Algorithm.SLIDING_WINDOW_COUNTER, 1, 10, false, 5), null, "a", "k", 1, 0)
            .counter();
    LimitRule raised = rule("r", Algorithm.SLIDING_WINDOW_COUNTER, 2, 10, false, 5);
    assertEquals(0, Limiter.evaluate(raised, c, "b", "k", 1, 1).verdict().remaining());
  }

  @Test
  void shouldStartFreshUnderANewGenerationIncludingTheClock() {
    LimitRule r = rule("r", Algorithm.FIXED_WINDOW, 1, 10, false, 5);
    byte[] c = Limiter.evaluate(r, null, "a", "k", 1, 50_000).counter();
    Verdict v = Limiter.evaluate(r.withGeneration(9), c, "b", "k", 1, 1_000).verdict();
    assertTrue(v.allowed());
    assertEquals(1_000, v.timestampMs(), "a fresh counter has no clock");
  }

  @Test
  void shouldStartFreshWhenTheStoredAlgorithmOrWindowDiffers() {
    byte[] c =
        Limiter.evaluate(rule("r", Algorithm.FIXED_WINDOW, 1, 10, false, 5), null, "a", "k", 1, 0)
            .counter();
    assertTrue(
        Limiter.evaluate(rule("r", Algorithm.TOKEN_BUCKET, 1, 10, false, 5), c, "b", "k", 1, 0)
            .verdict()
            .allowed());
    assertTrue(
        Limiter.evaluate(rule("r", Algorithm.FIXED_WINDOW, 1, 20, false, 5), c, "b", "k", 1, 0)
            .verdict()
            .allowed());
    assertFalse(
        Limiter.evaluate(rule("r", Algorithm.FIXED_WINDOW, 1, 10, false, 5), c, "b", "k", 1, 0)
            .verdict()
            .allowed());
  }

  @Test
  void shouldCreateTheCounterEvenWhenTheFirstRequestIsDenied() {
    LimitRule r = rule("r", Algorithm.TOKEN_BUCKET, 0, 10, false, 1);
    Limiter.Evaluation e = Limiter.evaluate(r, null, "a", "k", 1, 5_000);
    assertFalse(e.verdict().allowed());
    assertEquals(5_000, Limiter.evaluate(r, e.counter(), "b", "k", 1, 10).verdict().timestampMs());
  }

  @Test
  void shouldKeepCountersSmall() {
    for (Algorithm a :
        new Algorithm[] {
          Algorithm.FIXED_WINDOW, Algorithm.SLIDING_WINDOW_COUNTER, Algorithm.TOKEN_BUCKET
        }) {
      LimitRule r = rule("r", a, 1_000_000_000L, 2_678_400, false, (1L << 49) - 1);
      byte[] c = null;
      long t = (1L << 53) - 10_000_000_000L;
      for (int i = 0; i < 3; i++) {
        c = Limiter.evaluate(r, c, "a", "k", 999_999_999L, t + i * 1_400_000_000L).counter();
        assertTrue(c.length <= 32, a + " counter is " + c.length + " bytes");
      }
    }
  }

  @Test
  void shouldSplitCountersByWildcardMetadataValuesOnly() {
    TreeMap<String, String> md = new TreeMap<>(Map.of("tenant", "*", "route", "/a"));
    LimitRule r = new LimitRule("r", "user:*", 5, 60, 0, md, Algorithm.FIXED_WINDOW, false, 1);
    byte[] a = Limiter.counterKey(r, "user:1", Map.of("tenant", "t1", "route", "/a", "x", "1"));
    byte[] b = Limiter.counterKey(r, "user:1", Map.of("tenant", "t1", "route", "/a", "x", "2"));
    byte[] c = Limiter.counterKey(r, "user:1", Map.of("tenant", "t2", "route", "/a"));
    assertArrayEquals(a, b);
    assertFalse(Arrays.equals(a, c));
    // Length prefixes keep ("ab","c") apart from ("a","bc").
    LimitRule plain = rule("ab", Algorithm.FIXED_WINDOW, 1, 1, false, 0);
    LimitRule other = rule("a", Algorithm.FIXED_WINDOW, 1, 1, false, 0);
    assertFalse(
        Arrays.equals(
            Limiter.counterKey(plain, "c", Map.of()), Limiter.counterKey(other, "bc", Map.of())));
    assertThrows(
        IllegalArgumentException.class,
        () -> Limiter.counterKey(r, "user:1", Map.of("route", "/a")));
  }

  @Test
  void shouldRejectBytesItDidNotWrite() {
    LimitRule r = rule("r", Algorithm.FIXED_WINDOW, 1, 10, false, 0);
    assertThrows(
        IllegalArgumentException.class,
        () -> Limiter.evaluate(r, new byte[] {1, 0}, "a", "k", 1, 0));
    assertThrows(IllegalArgumentException.class, () -> Limiter.idleAfterMs(new byte[] {9, 0, 0}));
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void shouldDecideLikeAFreshCounterOnceIdle(Algorithm a) {
    Random rnd = new Random(a.ordinal());
    for (int seq = 0; seq < 200; seq++) {
      long limit = 1 + rnd.nextInt(6);
      LimitRule r = rule("r", a, limit, 1 + rnd.nextInt(3), false, 3);
      byte[] c = null;
      long t = rnd.nextInt(10_000);
      for (int i = 0; i < 1 + rnd.nextInt(20); i++) {
        t += rnd.nextInt(700);
        c = Limiter.evaluate(r, c, "x", "k", 1 + rnd.nextInt(3), t).counter();
      }
      long idle = Limiter.idleAfterMs(c);
      for (long probe : new long[] {idle, idle + 1, idle + rnd.nextInt(50_000)}) {
        long cost = 1 + rnd.nextInt((int) limit + 1);
        Verdict kept = Limiter.evaluate(r, c, "p", "k", cost, probe).verdict();
        Verdict fresh = Limiter.evaluate(r, null, "p", "k", cost, probe).verdict();
        assertEquals(fresh, kept, a + " seq " + seq + " probe " + probe);
      }
    }
  }

  @Test
  void shouldLeaveNullMessageOnRuleDecisions() {
    assertNull(
        Limiter.evaluate(rule("r", Algorithm.TOKEN_BUCKET, 3, 1, false, 0), null, "a", "k", 1, 0)
            .verdict()
            .message());
  }
}
