package dev.sluice.core.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Algorithm;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The contract every algorithm passes, run once per algorithm. */
class AlgorithmContractTest {
  private static final long W = 10_000;

  @SuppressWarnings("unchecked")
  static <S> RateAlgorithm<S> of(Algorithm a) {
    return (RateAlgorithm<S>)
        switch (a) {
          case FIXED_WINDOW -> FixedWindow.INSTANCE;
          case SLIDING_WINDOW -> SlidingWindowLog.INSTANCE;
          case SLIDING_WINDOW_COUNTER -> SlidingWindowCounter.INSTANCE;
          case TOKEN_BUCKET -> TokenBucket.INSTANCE;
        };
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  <S> void shouldAllowUpToLimitOnAFreshCounterThenDeny(Algorithm a) {
    RateAlgorithm<S> alg = of(a);
    S state = null;
    long t = 5 * W; // aligned, so the previous window of the counter estimate is empty
    for (int i = 0; i < 3; i++) {
      Step<S> s = alg.apply(state, 3, W, 1, t);
      assertTrue(s.allowed(), a + " request " + i);
      assertEquals(2 - i, s.remaining());
      assertEquals(0, s.retryAfterMs());
      state = s.state();
    }
    Step<S> denied = alg.apply(state, 3, W, 1, t);
    assertFalse(denied.allowed());
    assertEquals(0, denied.remaining());
    assertTrue(denied.retryAfterMs() > 0);
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  <S> void shouldDenyEverythingWhenLimitIsZero(Algorithm a) {
    RateAlgorithm<S> alg = of(a);
    Step<S> s = alg.apply(null, 0, W, 1, 123);
    assertFalse(s.allowed());
    assertEquals(0, s.remaining());
    assertEquals(-1, s.retryAfterMs());
    assertEquals(123, s.effectiveTime());
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  <S> void shouldNeverAllowCostAboveLimitAndChargeNothingForIt(Algorithm a) {
    RateAlgorithm<S> alg = of(a);
    Step<S> big = alg.apply(null, 5, W, 6, 0);
    assertFalse(big.allowed());
    assertEquals(-1, big.retryAfterMs());
    assertEquals(5, big.remaining());
    Step<S> after = alg.apply(big.state(), 5, W, 5, 0);
    assertTrue(after.allowed(), "the denial consumed nothing");
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  <S> void shouldNeverLetTimeRunBackwards(Algorithm a) {
    RateAlgorithm<S> alg = of(a);
    Step<S> first = alg.apply(null, 10, W, 1, 50_000);
    Step<S> older = alg.apply(first.state(), 10, W, 1, 1_000);
    assertEquals(50_000, older.effectiveTime());
    assertEquals(50_000, alg.lastTime(older.state()));
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  <S> void shouldRoundTripItsEncoding(Algorithm a) {
    RateAlgorithm<S> alg = of(a);
    Random rnd = new Random(7);
    S state = null;
    for (int i = 0; i < 200; i++) {
      state = alg.apply(state, 50, W, 1 + rnd.nextInt(5), i * 37L).state();
      VarCodec.Writer out = new VarCodec.Writer(8);
      alg.encode(state, out);
      VarCodec.Reader in = new VarCodec.Reader(out.toByteArray());
      assertEquals(state, alg.decode(in));
      assertTrue(in.atEnd());
    }
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  <S> void shouldAdmitTheRequestAfterWaitingRetryAfter(Algorithm a) {
    RateAlgorithm<S> alg = of(a);
    Random rnd = new Random(11);
    S state = null;
    long t = 0;
    int checked = 0;
    for (int i = 0; i < 5_000; i++) {
      t += rnd.nextInt(400);
      long cost = 1 + rnd.nextInt(4);
      Step<S> s = alg.apply(state, 8, W, cost, t);
      if (!s.allowed()) {
        long retry = s.retryAfterMs();
        assertTrue(retry > 0, "denied with retry " + retry);
        assertTrue(alg.apply(s.state(), 8, W, cost, s.effectiveTime() + retry).allowed());
        checked++;
      }
      state = s.state();
    }
    assertTrue(checked > 100, "too few denials to mean anything: " + checked);
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  <S> void shouldStayExactAtTheExtremes(Algorithm a) {
    RateAlgorithm<S> alg = of(a);
    long limit = a == Algorithm.SLIDING_WINDOW ? 10_000 : 1_000_000_000L;
    long w = 2_678_400L * 1000;
    long t = (1L << 53) - 3 * w;
    Step<S> s = alg.apply(null, limit, w, limit, t);
    assertTrue(s.allowed());
    assertEquals(0, s.remaining());
    Step<S> denied = alg.apply(s.state(), limit, w, limit, t + 1);
    assertFalse(denied.allowed());
    assertTrue(denied.retryAfterMs() > 0 && denied.retryAfterMs() <= 2 * w);
    assertTrue(denied.resetAfterMs() >= 0 && denied.resetAfterMs() <= w);
    Step<S> later = alg.apply(denied.state(), limit, w, limit, t + 1 + denied.retryAfterMs());
    assertTrue(later.allowed());
    assertTrue(later.effectiveTime() <= 1L << 53);
    assertEquals(1L << 53, alg.apply(later.state(), limit, w, 1, 1L << 53).effectiveTime());
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  <S> void shouldAllowACheckUnlessOverTheLimitAndChargeNothing(Algorithm a) {
    RateAlgorithm<S> alg = of(a);
    Step<S> full = alg.apply(null, 3, W, 3, 5 * W);
    Step<S> check = alg.apply(full.state(), 3, W, 0, 5 * W);
    assertTrue(check.allowed(), a + ": a full counter is not over its limit");
    assertEquals(0, check.remaining());
    assertEquals(full.state(), check.state(), "a check charges nothing");
    Step<S> lowered = alg.apply(full.state(), 2, W, 0, 5 * W);
    assertEquals(a != Algorithm.TOKEN_BUCKET, !lowered.allowed(), a + " over a lowered limit");
    if (!lowered.allowed()) {
      long w = lowered.retryAfterMs();
      assertFalse(alg.apply(full.state(), 2, W, 0, 5 * W + w - 1).allowed());
      assertTrue(alg.apply(full.state(), 2, W, 0, 5 * W + w).allowed());
    }
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  <S> void shouldAllowExactlyTheCostsUpToItsLargestCost(Algorithm a) {
    RateAlgorithm<S> alg = of(a);
    Random rnd = new Random(3);
    S state = null;
    long t = 0;
    for (int i = 0; i < 2_000; i++) {
      t += rnd.nextInt(600);
      S now = alg.at(state, 9, W, state == null ? t : Math.max(t, alg.lastTime(state)));
      long g = alg.largestCost(now, 9, W);
      for (long c = 0; c <= 10; c++) {
        assertEquals(c <= g, alg.apply(state, 9, W, c, t).allowed(), a + " c=" + c + " g=" + g);
      }
      state = alg.apply(state, 9, W, 1 + rnd.nextInt(4), t).state();
    }
  }
}
