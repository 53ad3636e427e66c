package dev.sluice.core.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Algorithm;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Seeded random properties: every algorithm agrees field by field with the naive {@link
 * ReferenceCounter} (which finds retryAfter by trying every wait, so agreement proves it exact and
 * least), and the exact algorithms never admit more than the limit in a window.
 */
class AlgorithmPropertiesTest {
  private static final int SEQUENCES = 300;

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  <S> void shouldAgreeWithTheReferenceModelOnRandomTraffic(Algorithm a) {
    RateAlgorithm<S> alg = AlgorithmContractTest.of(a);
    for (int seq = 0; seq < SEQUENCES; seq++) {
      long seed = a.ordinal() * 1_000_003L + seq;
      Random rnd = new Random(seed);
      long w = 1000L * (1 + rnd.nextInt(3));
      long limit = rnd.nextInt(4) == 0 ? rnd.nextInt(3) : 1 + rnd.nextInt(12);
      ReferenceCounter ref = new ReferenceCounter(a, limit, w);
      S state = null;
      long t = rnd.nextInt(5_000);
      for (int i = 0; i < 60; i++) {
        // Mostly forward, sometimes backwards (clock must hold), sometimes big jumps.
        int kind = rnd.nextInt(10);
        t =
            kind == 0
                ? Math.max(0, t - rnd.nextInt(2_000))
                : kind == 1 ? t + rnd.nextInt(5_000) : t + rnd.nextInt(300);
        long cost = rnd.nextInt(8) == 0 ? 1 + rnd.nextInt((int) limit + 3) : 1 + rnd.nextInt(3);
        if (rnd.nextInt(40) == 0) {
          limit = rnd.nextInt(12);
          ref.setLimit(limit);
        }
        Step<S> got = alg.apply(state, limit, w, cost, t);
        ReferenceCounter.Result want = ref.apply(t, cost);
        String ctx =
            a + " seed " + seed + " step " + i + " t=" + t + " cost=" + cost + " limit=" + limit;
        assertEquals(want.allowed(), got.allowed(), ctx);
        assertEquals(want.remaining(), got.remaining(), ctx + " remaining");
        assertEquals(want.reset(), got.resetAfterMs(), ctx + " reset");
        assertEquals(want.retry(), got.retryAfterMs(), ctx + " retry");
        assertEquals(want.time(), got.effectiveTime(), ctx + " time");
        state = got.state();
      }
    }
  }

  @Test
  void fixedWindowShouldNeverAdmitMoreThanTheLimitInAnyAlignedWindow() {
    for (int seq = 0; seq < SEQUENCES; seq++) {
      Random rnd = new Random(seq);
      long w = 1000L * (1 + rnd.nextInt(5));
      long limit = rnd.nextInt(20);
      List<long[]> admitted = run(FixedWindow.INSTANCE, rnd, limit, w);
      for (long[] x : admitted) {
        long s = Math.floorDiv(x[0], w) * w;
        assertTrue(sum(admitted, s, s + w - 1) <= limit, "seed " + seq);
      }
    }
  }

  @Test
  void slidingLogShouldNeverAdmitMoreThanTheLimitInAnyIntervalOfLengthW() {
    for (int seq = 0; seq < SEQUENCES; seq++) {
      Random rnd = new Random(seq);
      long w = 1000L * (1 + rnd.nextInt(5));
      long limit = rnd.nextInt(20);
      List<long[]> admitted = run(SlidingWindowLog.INSTANCE, rnd, limit, w);
      // The heaviest interval of length W ends at some admitted time.
      for (long[] x : admitted) {
        assertTrue(sum(admitted, x[0] - w + 1, x[0]) <= limit, "seed " + seq);
      }
    }
  }

  @Test
  void tokenBucketShouldNeverHoldMoreThanItsCapacityNorAdmitMoreThanItRefills() {
    for (int seq = 0; seq < SEQUENCES; seq++) {
      Random rnd = new Random(seq);
      long w = 1000L * (1 + rnd.nextInt(5));
      long limit = rnd.nextInt(20);
      TokenBucket.State state = null;
      List<long[]> admitted = new ArrayList<>();
      long t = 0;
      for (int i = 0; i < 300; i++) {
        t += rnd.nextInt(500);
        long cost = 1 + rnd.nextInt(4);
        Step<TokenBucket.State> s = TokenBucket.INSTANCE.apply(state, limit, w, cost, t);
        assertTrue(s.state().scaledTokens() <= limit * w && s.state().scaledTokens() >= 0);
        if (s.allowed()) {
          admitted.add(new long[] {t, cost});
        }
        state = s.state();
      }
      // Over any [a, b]: at most a full bucket plus what refills in b - a.
      for (long[] from : admitted) {
        for (long[] to : admitted) {
          if (to[0] >= from[0]) {
            long bound = limit + (to[0] - from[0]) * limit / w;
            assertTrue(sum(admitted, from[0], to[0]) <= bound, "seed " + seq);
          }
        }
      }
    }
  }

  private static <S> List<long[]> run(RateAlgorithm<S> alg, Random rnd, long limit, long w) {
    S state = null;
    List<long[]> admitted = new ArrayList<>();
    long t = rnd.nextInt(10_000);
    for (int i = 0; i < 300; i++) {
      t += rnd.nextInt(6) == 0 ? rnd.nextInt(3 * (int) w) : rnd.nextInt(200);
      long cost = 1 + rnd.nextInt(4);
      Step<S> s = alg.apply(state, limit, w, cost, t);
      if (s.allowed()) {
        admitted.add(new long[] {s.effectiveTime(), cost});
      }
      state = s.state();
    }
    return admitted;
  }

  private static long sum(List<long[]> admitted, long from, long to) {
    long total = 0;
    for (long[] x : admitted) {
      if (x[0] >= from && x[0] <= to) {
        total += x[1];
      }
    }
    return total;
  }
}
