package dev.sluice.core.limit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Algorithm;
import dev.sluice.core.Verdict;
import dev.sluice.core.rule.LimitRule;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * State written before rules had several limits must read the same after the upgrade, and old and
 * new instances must write the same bytes for a one-limit rule during a rolling upgrade.
 *
 * <p>The byte arrays below were produced by the release before contract version 2 (commit 6285fd2,
 * {@code Limiter.counterKey} and {@code Limiter.evaluate}) for the rule and requests in {@link
 * #rule} and {@link #TIMES}; they are hard-coded so that a change of layout fails here.
 */
class CounterCompatibilityTest {
  private static final long[] TIMES = {1_700_000_000_000L, 1_700_000_001_000L, 1_700_000_030_500L};
  private static final long[] COSTS = {2, 1, 1};

  /** 6285fd2's counterKey for rule r1, key user:42, metadata {tenant: *, plan: pro}. */
  private static final byte[] OLD_KEY = {
    2, 114, 49, 7, 117, 115, 101, 114, 58, 52, 50, 4, 97, 99, 109, 101
  };

  /** 6285fd2's counter after the three requests, per algorithm (limit 5, 60 s, generation 17). */
  private static final Map<Algorithm, byte[]> OLD_COUNTERS =
      Map.of(
          Algorithm.FIXED_WINDOW,
          new byte[] {1, 17, -32, -44, 3, 4, -92, -66, -105, -1, -68, 49},
          Algorithm.SLIDING_WINDOW,
          new byte[] {
            2, 17, -32, -44, 3, -92, -66, -105, -1, -68, 49, 3, 0, 1, -68, -26, 1, 1, -92, -18, 1, 2
          },
          Algorithm.SLIDING_WINDOW_COUNTER,
          new byte[] {3, 17, -32, -44, 3, 4, 0, -92, -66, -105, -1, -68, 49},
          Algorithm.TOKEN_BUCKET,
          new byte[] {4, 17, -32, -44, 3, -108, -4, 12, -92, -66, -105, -1, -68, 49});

  private static LimitRule rule(Algorithm a) {
    return new LimitRule(
        "r1",
        "user:*",
        5,
        60,
        0,
        Collections.unmodifiableSortedMap(new TreeMap<>(Map.of("tenant", "*", "plan", "pro"))),
        a,
        false,
        17);
  }

  @Test
  void shouldKeepTheIndexZeroCounterKeyOfTheOldRelease() {
    Map<String, String> md = Map.of("tenant", "acme", "plan", "pro");
    assertArrayEquals(OLD_KEY, Limiter.counterKey(rule(Algorithm.FIXED_WINDOW), "user:42", md));
    assertArrayEquals(OLD_KEY, Limiter.counterKey(rule(Algorithm.FIXED_WINDOW), 0, "user:42", md));
  }

  @Test
  void shouldWriteTheOldReleasesCounterBytesForAOneLimitRule() {
    for (Algorithm a : Algorithm.values()) {
      byte[] c = null;
      for (int i = 0; i < TIMES.length; i++) {
        c = Limiter.evaluate(rule(a), c, "x", "user:42", COSTS[i], TIMES[i]).counter();
      }
      assertArrayEquals(OLD_COUNTERS.get(a), c, a.name());
    }
  }

  @Test
  void shouldContinueCountingFromTheOldReleasesCounters() {
    // After 4 of 5 permits in the window [1_699_999_980_000, 1_700_000_040_000).
    Verdict fw =
        Limiter.evaluate(
                rule(Algorithm.FIXED_WINDOW),
                OLD_COUNTERS.get(Algorithm.FIXED_WINDOW),
                "x",
                "user:42",
                2,
                TIMES[2])
            .verdict();
    assertFalse(fw.allowed());
    assertEquals(1, fw.remaining());
    assertEquals(9_500, fw.retryAfterMs());
    Verdict sw =
        Limiter.evaluate(
                rule(Algorithm.SLIDING_WINDOW),
                OLD_COUNTERS.get(Algorithm.SLIDING_WINDOW),
                "x",
                "user:42",
                2,
                TIMES[2])
            .verdict();
    assertFalse(sw.allowed());
    assertEquals(29_500, sw.retryAfterMs(), "the first entry (2 permits) leaves at +60 s");
    // A clock older than the stored one is moved forward to it: the old clock was read.
    for (Algorithm a : Algorithm.values()) {
      Verdict v = Limiter.evaluate(rule(a), OLD_COUNTERS.get(a), "x", "user:42", 1, 0).verdict();
      assertEquals(TIMES[2], v.timestampMs(), a.name());
      assertEquals(0, v.limitIndex());
    }
  }

  @Test
  void shouldGiveIndexesAboveZeroTheirOwnKeysSharingTheRulePrefix() {
    LimitRule two =
        new LimitRule(
            "r1",
            "user:*",
            List.of(
                new LimitRule.Limit(5, 60, Algorithm.FIXED_WINDOW, 17),
                new LimitRule.Limit(50, 3_600, Algorithm.FIXED_WINDOW, 17)),
            true,
            0,
            rule(Algorithm.FIXED_WINDOW).metadata(),
            Algorithm.FIXED_WINDOW,
            false);
    Map<String, String> md = Map.of("tenant", "acme", "plan", "pro");
    assertArrayEquals(OLD_KEY, Limiter.counterKey(two, 0, "user:42", md));
    byte[] one = Limiter.counterKey(two, 1, "user:42", md);
    byte[] expected = new byte[OLD_KEY.length + 3];
    System.arraycopy(OLD_KEY, 0, expected, 0, OLD_KEY.length);
    expected[OLD_KEY.length] = 2;
    expected[OLD_KEY.length + 1] = (byte) 0xFF;
    expected[OLD_KEY.length + 2] = 1;
    assertArrayEquals(expected, one);
    byte[][] all = Limiter.counterKeys(two, "user:42", md);
    assertEquals(2, all.length);
    assertArrayEquals(OLD_KEY, all[0]);
    assertArrayEquals(expected, all[1]);
  }

  /** A rule id, a request key and star values (their number varies, as across rule versions). */
  record Identity(String id, String key, List<String> values) {}

  @Provide
  Arbitrary<List<Identity>> identities() {
    Arbitrary<String> text =
        Arbitraries.strings().withChars("ab\u00e9\u00ff\uffff").ofMinLength(0).ofMaxLength(4);
    Arbitrary<Identity> one =
        net.jqwik.api.Combinators.combine(
                text.filter(s -> !s.isEmpty()),
                text.filter(s -> !s.isEmpty()),
                text.list().ofMaxSize(3))
            .as(Identity::new);
    return one.list().ofMinSize(2).ofMaxSize(12);
  }

  @Property(tries = 300)
  void countersOfDistinctIdentitiesOrIndexesShouldNeverShareAKey(
      @ForAll("identities") List<Identity> identities) {
    Map<ByteBuffer, String> seen = new HashMap<>();
    Set<String> distinct = new HashSet<>();
    for (Identity x : identities) {
      TreeMap<String, String> ruleMd = new TreeMap<>();
      Map<String, String> requestMd = new HashMap<>();
      List<String> names = new ArrayList<>();
      for (int i = 0; i < x.values().size(); i++) {
        names.add("m" + i);
        ruleMd.put("m" + i, "*");
        requestMd.put("m" + i, x.values().get(i));
      }
      List<LimitRule.Limit> limits = new ArrayList<>();
      for (int i = 0; i < LimitRule.MAX_LIMITS; i++) {
        limits.add(new LimitRule.Limit(1, i + 1, Algorithm.FIXED_WINDOW, 0));
      }
      LimitRule r =
          new LimitRule(
              x.id(),
              "*",
              limits,
              true,
              0,
              Collections.unmodifiableSortedMap(ruleMd),
              Algorithm.FIXED_WINDOW,
              false);
      for (int index = 0; index < LimitRule.MAX_LIMITS; index++) {
        String who = x + "#" + index;
        if (!distinct.add(who)) {
          continue;
        }
        ByteBuffer key = ByteBuffer.wrap(Limiter.counterKey(r, index, x.key(), requestMd));
        String before = seen.put(key, who);
        assertTrue(before == null || before.equals(who), who + " collides with " + before);
      }
    }
    assertNotEquals(0, seen.size());
  }
}
