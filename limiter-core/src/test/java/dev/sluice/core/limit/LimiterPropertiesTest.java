package dev.sluice.core.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Algorithm;
import dev.sluice.core.Verdict;
import dev.sluice.core.rule.LimitRule;
import dev.sluice.core.rule.LimitRule.Limit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of rules of several limits (SPEC 4, 5) over random rules and request sequences: the
 * exact algorithms never charge more than a limit in a window, grants stay within {@code [cost,
 * maxCost]}, checks change nothing, and {@code retryAfterMs} is the least wait.
 */
class LimiterPropertiesTest {

  /** One request: time step from the previous one (may go back), cost, extra permits accepted. */
  record Req(long dt, long cost, long extra) {}

  @Provide
  Arbitrary<LimitRule> rules() {
    Arbitrary<Limit> limit =
        Combinators.combine(
                Arbitraries.longs().between(0, 12),
                Arbitraries.longs().between(1, 3),
                Arbitraries.of(Algorithm.class))
            .as((l, w, a) -> new Limit(l, w, a, 1));
    return limit
        .list()
        .ofMinSize(1)
        .ofMaxSize(4)
        .map(LimiterPropertiesTest::distinct)
        .map(ls -> new LimitRule("r", "k", ls, true, 0, new TreeMap<>(), Algorithm.DEFAULT, false));
  }

  private static List<Limit> distinct(List<Limit> limits) {
    Set<String> seen = new HashSet<>();
    List<Limit> out = new ArrayList<>();
    for (Limit l : limits) {
      if (seen.add(l.algorithm() + "/" + l.windowSeconds())) {
        out.add(l);
      }
    }
    return out;
  }

  @Provide
  Arbitrary<List<Req>> requests() {
    Arbitrary<Long> dt =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(6, Arbitraries.longs().between(0, 400)),
            net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(-1_500, 0)),
            net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(0, 7_000)));
    Arbitrary<Long> cost =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(2, Arbitraries.just(0L)),
            net.jqwik.api.Tuple.of(8, Arbitraries.longs().between(1, 4)),
            net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(5, 15)));
    Arbitrary<Long> extra =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(3, Arbitraries.just(0L)),
            net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(1, 10)));
    return Combinators.combine(dt, cost, extra).as(Req::new).list().ofMinSize(1).ofMaxSize(60);
  }

  /** A run's outcome: every verdict, and every charge as (t', granted). */
  record Run(List<Verdict> verdicts, List<long[]> charges) {}

  static Run run(LimitRule rule, List<Req> requests) {
    byte[][] stored = new byte[rule.limits().size()][];
    List<Verdict> verdicts = new ArrayList<>();
    List<long[]> charges = new ArrayList<>();
    long t = 10_000;
    for (Req r : requests) {
      t = Math.max(0, t + r.dt());
      long maxCost = r.cost() == 0 ? 0 : r.cost() + r.extra();
      Limiter.Evaluation e = Limiter.evaluate(rule, stored, "q", "k", r.cost(), maxCost, t);
      if (e.counters() != null) {
        stored = e.counters();
      }
      Verdict v = e.verdict();
      verdicts.add(v);
      if (v.allowed() && v.granted() > 0) {
        charges.add(new long[] {v.timestampMs(), v.granted()});
      }
    }
    return new Run(verdicts, charges);
  }

  @Property(tries = 400)
  void exactAlgorithmsShouldNeverChargeMoreThanTheLimitInAnyWindow(
      @ForAll("rules") LimitRule rule, @ForAll("requests") List<Req> requests) {
    List<long[]> charges = run(rule, requests).charges();
    for (Limit l : rule.limits()) {
      long w = l.windowMillis();
      for (long[] at : charges) {
        long from;
        long to;
        if (l.algorithm() == Algorithm.FIXED_WINDOW) {
          from = Math.floorDiv(at[0], w) * w;
          to = from + w - 1;
        } else if (l.algorithm() == Algorithm.SLIDING_WINDOW) {
          from = at[0] - w + 1;
          to = at[0];
        } else {
          continue;
        }
        long sum = 0;
        for (long[] c : charges) {
          if (c[0] >= from && c[0] <= to) {
            sum += c[1];
          }
        }
        assertTrue(sum <= l.limit(), l + " charged " + sum + " in [" + from + ", " + to + "]");
      }
    }
  }

  @Property(tries = 400)
  void grantedShouldLieWithinCostAndMaxCost(
      @ForAll("rules") LimitRule rule, @ForAll("requests") List<Req> requests) {
    List<Verdict> verdicts = run(rule, requests).verdicts();
    for (int i = 0; i < requests.size(); i++) {
      Req r = requests.get(i);
      Verdict v = verdicts.get(i);
      long maxCost = r.cost() == 0 ? 0 : r.cost() + r.extra();
      if (v.allowed()) {
        assertTrue(v.granted() >= r.cost() && v.granted() <= maxCost, v + " for " + r);
        assertEquals(0, v.retryAfterMs());
      } else {
        assertEquals(0, v.granted());
      }
      assertTrue(v.limitIndex() >= 0 && v.limitIndex() < rule.limits().size());
      assertEquals(rule.limits().get(v.limitIndex()).limit(), v.limit());
    }
  }

  @Property(tries = 400)
  void checksShouldChangeNoLaterDecision(
      @ForAll("rules") LimitRule rule, @ForAll("requests") List<Req> requests) {
    // The same requests without the checks, each at the same absolute time as in the full run.
    List<Req> withoutChecks = new ArrayList<>();
    List<Integer> kept = new ArrayList<>();
    long t = 10_000;
    long lastKept = 10_000;
    for (int i = 0; i < requests.size(); i++) {
      Req r = requests.get(i);
      t = Math.max(0, t + r.dt());
      if (r.cost() > 0) {
        withoutChecks.add(new Req(t - lastKept, r.cost(), r.extra()));
        lastKept = t;
        kept.add(i);
      }
    }
    List<Verdict> all = run(rule, requests).verdicts();
    List<Verdict> some = run(rule, withoutChecks).verdicts();
    for (int j = 0; j < kept.size(); j++) {
      assertEquals(some.get(j), all.get(kept.get(j)), "request " + kept.get(j));
    }
  }

  @Property(tries = 400)
  void retryAfterShouldBeTheLeastWaitOverEveryLimit(
      @ForAll("rules") LimitRule rule, @ForAll("requests") List<Req> requests) {
    byte[][] stored = new byte[rule.limits().size()][];
    long t = 10_000;
    for (Req r : requests) {
      t = Math.max(0, t + r.dt());
      long maxCost = r.cost() == 0 ? 0 : r.cost() + r.extra();
      Limiter.Evaluation e = Limiter.evaluate(rule, stored, "q", "k", r.cost(), maxCost, t);
      if (e.counters() != null) {
        stored = e.counters();
      }
      Verdict v = e.verdict();
      if (!v.allowed()) {
        long retry = v.retryAfterMs();
        boolean never = rule.limits().stream().anyMatch(l -> r.cost() > l.limit());
        assertEquals(never, retry == -1, v.toString());
        if (!never) {
          assertTrue(retry > 0, v.toString());
          long at = v.timestampMs() + retry;
          assertFalse(
              Limiter.evaluate(rule, stored, "p", "k", r.cost(), maxCost, at - 1)
                  .verdict()
                  .allowed(),
              "still denied 1 ms earlier: " + v);
          assertTrue(
              Limiter.evaluate(rule, stored, "p", "k", r.cost(), maxCost, at).verdict().allowed(),
              "allowed after retryAfterMs: " + v);
        }
      }
    }
  }
}
