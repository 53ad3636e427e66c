package dev.sluice.core.rule;

import static dev.sluice.core.rule.TestRules.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Readers racing one writer: no exception, and every answer is one that some state during the
 * lookup allows.
 *
 * <p>The writer moves one rule, {@code churn}, between keys that match the probe {@code user:1}
 * (exact, short and long patterns), a key that does not, and deletion, while it adds and deletes
 * thousands of noise rules whose keys branch off the probe's path in the radix tree (so edges
 * split and merge under the readers) and fill the hash tables (so they rehash). A base rule
 * {@code *} of lower priority is always present. Step {@code i} is fixed by {@code i} alone
 * ({@link #CHURN_KEYS}), gives churn the limit {@code i}, and is published when complete.
 *
 * <p>A reader that saw step {@code before} published before its lookup and {@code after} after
 * it overlapped the states {@code before..after} and the step {@code after + 1} in flight. It may
 * get churn only at a version live in one of those, and the base rule only if churn did not
 * match in one of those (a step that moves churn from one matching key to another must never
 * leave it unmatched). It must never get null or a noise rule.
 */
class RuleIndexConcurrencyTest {
  private static final int STEPS = 60_000;
  private static final String PROBE = "user:1";
  private static final String[] CHURN_KEYS = {"user:1", "user:*", "u*", "zzz", null};

  @Test
  void shouldGiveReadersAnAnswerOfSomeStateWhileTheWriterChurns() throws Exception {
    RuleIndex index = new RuleIndex();
    index.upsert(rule("base", "*", -1));
    AtomicLong published = new AtomicLong();
    AtomicBoolean done = new AtomicBoolean();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);
    long[] lookups = new long[1];

    Thread reader =
        new Thread(
            () -> {
              try {
                start.await();
                while (!done.get()) {
                  int before = (int) published.get();
                  LimitRule r = index.match(PROBE, Map.of());
                  int after = (int) published.get();
                  check(r, before, after);
                  check(index.get("base") != null, "base rule missing from get");
                  lookups[0]++;
                }
              } catch (Throwable t) {
                failures.add(t);
              }
            },
            "reader");
    reader.start();
    start.countDown();
    for (int i = 1; i <= STEPS; i++) {
      String key = churnKey(i);
      if (key == null) {
        index.remove("churn");
      } else {
        index.upsert(rule("churn", key, 0, Map.of(), i));
      }
      noise(index, i);
      published.set(i);
    }
    done.set(true);
    reader.join();

    assertEquals(List.of(), List.copyOf(failures));
    assertTrue(lookups[0] > 1000, "reader ran " + lookups[0] + " lookups");
  }

  /** Adds or removes rules that never match the probe but share its tree path. */
  private static void noise(RuleIndex index, int i) {
    int n = i % 4000;
    if ((i / 4000) % 2 == 0) {
      index.upsert(rule("n" + n, "user:1" + (char) ('a' + n % 26) + n + "*"));
      index.upsert(rule("m" + n, "user:" + (2 + n % 8) + n));
    } else {
      index.remove("n" + n);
      index.remove("m" + n);
    }
  }

  /** Churn's key after step i (0: before any step), null when it is deleted. */
  private static String churnKey(int step) {
    return step == 0 ? null : CHURN_KEYS[step % CHURN_KEYS.length];
  }

  private static boolean churnMatchesAfter(int step) {
    String key = churnKey(step);
    return key != null && !key.equals("zzz");
  }

  private static void check(LimitRule r, int before, int after) {
    check(r != null, "no rule at all between steps " + before + " and " + after);
    if (r.id().equals("base")) {
      boolean someStateWithoutChurn = false;
      for (int s = before; s <= after + 1; s++) {
        someStateWithoutChurn |= !churnMatchesAfter(s);
      }
      check(
          someStateWithoutChurn,
          "base rule returned while churn matched in every state " + before + ".." + (after + 1));
      return;
    }
    check(r.id().equals("churn"), "unexpected rule " + r.id());
    int version = (int) r.limit();
    check(
        version >= oldestVersionLiveAfter(before) && version <= after + 1,
        "churn version " + version + " outside " + before + ".." + (after + 1));
    check(churnMatchesAfter(version), "churn version " + version + " does not match the probe");
  }

  /** Churn's version live after {@code step} (step i writes version i), or the next if deleted. */
  private static int oldestVersionLiveAfter(int step) {
    return churnKey(step) == null ? step + 1 : step;
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new AssertionError(message);
    }
  }
}
