package dev.sluice.core.limit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Algorithm;
import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import dev.sluice.core.rule.LimitRule;
import dev.sluice.core.rule.LimitRule.Limit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Rules of several limits (SPEC 4, 5): one effective time, all-or-nothing, the binding limit. */
class MultiLimitTest {
  static final long DAY = 86_400_000L;

  static LimitRule rule(boolean shadow, Limit... limits) {
    return new LimitRule(
        "r", "user:*", List.of(limits), true, 0, new TreeMap<>(), Algorithm.DEFAULT, shadow);
  }

  static Limit limit(long limit, long windowSeconds, Algorithm a) {
    return new Limit(limit, windowSeconds, a, 1);
  }

  /** Counters of one rule and key, kept across requests as a store would keep them. */
  static final class Counters {
    final LimitRule rule;
    byte[][] stored;

    Counters(LimitRule rule) {
      this.rule = rule;
      this.stored = new byte[rule.limits().size()][];
    }

    Verdict request(long cost, long maxCost, long t) {
      Limiter.Evaluation e = Limiter.evaluate(rule, stored, "q", "user:1", cost, maxCost, t);
      if (e.counters() != null) {
        stored = e.counters();
      }
      return e.verdict();
    }

    Verdict request(long cost, long t) {
      return request(cost, cost, t);
    }
  }

  @Test
  void shouldEnforceABurstLimitAndADailyQuotaTogether() {
    Counters c =
        new Counters(
            rule(
                false,
                limit(2, 1, Algorithm.TOKEN_BUCKET),
                limit(5, 86_400, Algorithm.FIXED_WINDOW)));
    assertTrue(c.request(1, 0).allowed());
    Verdict second = c.request(1, 0);
    assertTrue(second.allowed());
    assertEquals(0, second.limitIndex(), "the bucket is empty, the quota has 3 left");
    assertEquals(0, second.remaining());

    Verdict burst = c.request(1, 0);
    assertFalse(burst.allowed());
    assertEquals(Reason.RATE_LIMITED, burst.reason());
    assertEquals(0, burst.limitIndex());
    assertEquals(2, burst.limit());
    assertEquals(500, burst.retryAfterMs(), "one token refills in W / L");
    assertEquals(0, burst.granted());

    assertTrue(c.request(1, 500).allowed());
    assertTrue(c.request(1, 1_000).allowed());
    Verdict fifth = c.request(1, 2_000);
    assertTrue(fifth.allowed());
    assertEquals(1, fifth.limitIndex(), "the quota (0 left) binds now, the bucket has 1");
    assertEquals(0, fifth.remaining());
    assertEquals(5, fifth.limit());

    Verdict daily = c.request(1, 2_500);
    assertFalse(daily.allowed());
    assertEquals(1, daily.limitIndex());
    assertEquals(DAY - 2_500, daily.retryAfterMs());
    assertEquals(DAY - 2_500, daily.resetAfterMs());
    assertTrue(c.request(1, DAY).allowed());
  }

  @Test
  void shouldGrantAsMuchAsEveryLimitAllowsUpToMaxCost() {
    Counters c =
        new Counters(
            rule(
                false,
                limit(10, 60, Algorithm.FIXED_WINDOW),
                limit(4, 3_600, Algorithm.FIXED_WINDOW)));
    Verdict v = c.request(1, 10, 0);
    assertTrue(v.allowed());
    assertEquals(4, v.granted());
    assertEquals(1, v.limitIndex());
    assertEquals(0, v.remaining());
    Verdict first = Limiter.evaluate(c.rule, c.stored, "q", "k", 0, 0, 1).verdict();
    assertEquals(0, first.granted());
    assertFalse(c.request(1, 10, 1).allowed(), "both limits were charged 4: the second is full");

    Counters d = new Counters(rule(false, limit(10, 60, Algorithm.FIXED_WINDOW)));
    Verdict capped = d.request(3, 5, 0);
    assertEquals(5, capped.granted(), "never more than maxCost");
    assertEquals(5, capped.remaining());
    Verdict tooMuch = d.request(6, 9, 0);
    assertFalse(tooMuch.allowed(), "cost itself must fit: a partial grant is at least cost");
    assertEquals(0, tooMuch.granted());
    assertEquals(5, d.request(5, 9, 0).granted());
  }

  @Test
  void shouldDecideACostZeroCheckWithoutChangingAnything() {
    Counters c =
        new Counters(
            rule(
                false,
                limit(1, 60, Algorithm.FIXED_WINDOW),
                limit(3, 60, Algorithm.SLIDING_WINDOW)));
    Limiter.Evaluation fresh = Limiter.evaluate(c.rule, c.stored, "q", "k", 0, 0, 9_000);
    assertNull(fresh.counters(), "no counter is created");
    assertTrue(fresh.verdict().allowed());
    assertEquals(0, fresh.verdict().granted());
    assertEquals(9_000, fresh.verdict().timestampMs());
    assertEquals(0, fresh.verdict().limitIndex());
    assertEquals(1, fresh.verdict().remaining());

    assertTrue(c.request(1, 1_000).allowed());
    byte[][] before = c.stored;
    Verdict check = c.request(0, 0, 50_000);
    assertTrue(check.allowed(), "not over the limit: a check passes even when the limit is full");
    assertEquals(0, check.remaining());
    assertEquals(50_000, check.timestampMs());
    assertArrayEquals(before, c.stored);
    assertEquals(1_000, c.request(1, 0).timestampMs(), "the check moved no clock");
  }

  @Test
  void shouldDenyACheckOnlyWhereALoweredLimitLeftACounterOverIt() {
    LimitRule wide = rule(false, limit(5, 60, Algorithm.FIXED_WINDOW));
    Counters c = new Counters(wide);
    c.request(5, 1_000);
    LimitRule lowered = rule(false, limit(3, 60, Algorithm.FIXED_WINDOW));
    Verdict check = Limiter.evaluate(lowered, c.stored, "q", "k", 0, 0, 2_000).verdict();
    assertFalse(check.allowed());
    assertEquals(0, check.granted());
    assertEquals(0, check.remaining());
    assertEquals(58_000, check.retryAfterMs());

    LimitRule bucket = rule(false, limit(0, 60, Algorithm.TOKEN_BUCKET));
    assertTrue(
        Limiter.evaluate(bucket, new byte[1][], "q", "k", 0, 0, 0).verdict().allowed(),
        "a token bucket is never over its limit");
  }

  @Test
  void shouldEvaluateEveryLimitAtTheLatestClockAndCreateEveryCounterEvenWhenDenied() {
    LimitRule r =
        rule(false, limit(1, 10, Algorithm.FIXED_WINDOW), limit(1, 20, Algorithm.FIXED_WINDOW));
    byte[] first =
        Limiter.evaluate(
                rule(false, limit(1, 10, Algorithm.FIXED_WINDOW)), null, "a", "k", 1, 7_000)
            .counter();
    Limiter.Evaluation e = Limiter.evaluate(r, new byte[][] {first, null}, "b", "k", 1, 1, 3_000);
    Verdict v = e.verdict();
    assertFalse(v.allowed());
    assertEquals(7_000, v.timestampMs(), "t' is the latest clock of the existing counters");
    assertEquals(0, v.limitIndex());
    assertEquals(3_000, v.retryAfterMs());
    assertNotNull(e.counters()[1], "the absent counter is created although denied");
    Verdict later = Limiter.evaluate(r, e.counters(), "c", "k", 1, 1, 0).verdict();
    assertEquals(7_000, later.timestampMs(), "both clocks moved to t'");
  }

  @Test
  void shouldReportTheLongestWaitAndNeverAsLongestOnDenial() {
    Counters c =
        new Counters(
            rule(
                false,
                limit(2, 10, Algorithm.FIXED_WINDOW),
                limit(2, 20, Algorithm.FIXED_WINDOW),
                limit(2, 20, Algorithm.SLIDING_WINDOW)));
    c.request(2, 0);
    Verdict v = c.request(1, 1_000);
    assertFalse(v.allowed());
    assertEquals(1, v.limitIndex(), "19 s at index 1 and 2 beats 9 s; the tie goes to index 1");
    assertEquals(19_000, v.retryAfterMs());
    assertEquals(19_000, v.resetAfterMs());

    Counters n =
        new Counters(
            rule(
                false, limit(5, 10, Algorithm.FIXED_WINDOW), limit(3, 20, Algorithm.TOKEN_BUCKET)));
    n.request(5, 0);
    Verdict never = n.request(4, 0);
    assertEquals(-1, never.retryAfterMs(), "cost 4 > 3: never, even though index 0 has a wait");
    assertEquals(1, never.limitIndex());
    assertEquals(0, never.granted());
  }

  @Test
  void shouldBindTheSmallestRemainingWhenAllowedWithTiesToTheLowestIndex() {
    Counters c =
        new Counters(
            rule(
                false,
                limit(3, 10, Algorithm.FIXED_WINDOW),
                limit(3, 20, Algorithm.FIXED_WINDOW),
                limit(9, 30, Algorithm.FIXED_WINDOW)));
    Verdict v = c.request(1, 0);
    assertEquals(0, v.limitIndex());
    assertEquals(2, v.remaining());
    assertEquals(10_000, v.resetAfterMs());
  }

  @Test
  void shouldKeepWouldBeFieldsOfAShadowRule() {
    Counters c =
        new Counters(
            rule(true, limit(1, 10, Algorithm.FIXED_WINDOW), limit(1, 20, Algorithm.TOKEN_BUCKET)));
    c.request(1, 0);
    Verdict v = c.request(1, 0);
    assertTrue(v.allowed());
    assertTrue(v.shadow());
    assertEquals(Reason.RATE_LIMITED, v.reason());
    assertEquals(0, v.granted());
    assertEquals(20_000, v.retryAfterMs());
    assertEquals(1, v.limitIndex());
  }

  @Test
  void shouldTreatACounterOfAnotherGenerationAsAbsentPerLimit() {
    LimitRule r =
        rule(false, limit(1, 10, Algorithm.FIXED_WINDOW), limit(1, 20, Algorithm.FIXED_WINDOW));
    Counters c = new Counters(r);
    c.request(1, 0);
    LimitRule renewed = r.withGenerations(new long[] {1, 2});
    Verdict v = Limiter.evaluate(renewed, c.stored, "q", "k", 1, 1, 1).verdict();
    assertFalse(v.allowed(), "index 0 kept its counter");
    assertEquals(0, v.limitIndex());
    LimitRule both = r.withGenerations(new long[] {3, 2});
    assertTrue(Limiter.evaluate(both, c.stored, "q", "k", 1, 1, 1).verdict().allowed());
  }

  @Test
  void shouldKeepIndexZeroKeysAndGiveOtherIndexesDistinctKeys() {
    LimitRule r =
        rule(false, limit(1, 10, Algorithm.FIXED_WINDOW), limit(1, 20, Algorithm.FIXED_WINDOW));
    byte[] zero = Limiter.counterKey(r, "user:1", Map.of());
    assertArrayEquals(zero, Limiter.counterKey(r, 0, "user:1", Map.of()));
    byte[] one = Limiter.counterKey(r, 1, "user:1", Map.of());
    assertFalse(Arrays.equals(zero, one));
    assertArrayEquals(zero, Arrays.copyOf(one, zero.length), "same prefix: one prefix scan");
    assertThrows(
        IllegalArgumentException.class, () -> Limiter.counterKey(r, 2, "user:1", Map.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> Limiter.evaluate(r, new byte[1][], "q", "k", 1, 1, 0),
        "one stored counter per limit");
    assertThrows(
        IllegalArgumentException.class,
        () -> Limiter.evaluate(r, (byte[]) null, "q", "k", 1, 0),
        "the one-counter form is for one-limit rules");
  }
}
