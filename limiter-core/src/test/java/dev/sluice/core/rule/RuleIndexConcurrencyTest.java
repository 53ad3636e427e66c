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
import java.util.function.ObjIntConsumer;
import org.junit.jupiter.api.Test;

/**
 * Readers racing one writer: no exception, and every answer is one that some state during the
 * lookup allows.
 *
 * <p>The writer moves one rule, {@code churn}, through a cycle of shapes (keys and metadata), some
 * matching the probe request and some not, with deletions in between, while it adds and deletes
 * noise rules that never match the probe but share its structures (tree path, hash tables, bucket),
 * so that edges split and merge, tables rehash and buckets switch between array and
 * metadata-indexed form under the readers. A base rule {@code *} of lower priority is always
 * present. Step {@code i} is fixed by {@code i} alone, gives churn the limit {@code i}, and is
 * published when complete.
 *
 * <p>A reader that saw step {@code before} published before its lookup and {@code after} after it
 * overlapped the states {@code before..after} and the step {@code after + 1} in flight. It may get
 * churn only at a version live in one of those, and the base rule only if churn did not match in
 * one of those (a step that moves churn from one matching shape to another must never leave it
 * unmatched). It must never get null or a noise rule.
 */
class RuleIndexConcurrencyTest {
  private static final int STEPS = 60_000;

  /** One state of the churn rule; {@code key} null means deleted. */
  private record Shape(String key, Map<String, String> metadata, boolean matchesProbe) {}

  private record Scenario(
      String probeKey,
      Map<String, String> probeMetadata,
      Shape[] shapes,
      ObjIntConsumer<RuleIndex> noise) {

    Shape shapeAfter(int step) {
      return step == 0 ? new Shape(null, Map.of(), false) : shapes[step % shapes.length];
    }

    /**
     * Churn's version live after {@code step} (step i writes version i), or the next if deleted.
     */
    int oldestVersionLiveAfter(int step) {
      return shapeAfter(step).key() == null ? step + 1 : step;
    }
  }

  @Test
  void shouldGiveReadersAnAnswerOfSomeStateWhileARuleMovesBetweenKeys() throws Exception {
    Shape[] shapes = {
      new Shape("user:1", Map.of(), true),
      new Shape("user:*", Map.of(), true),
      new Shape("u*", Map.of(), true),
      new Shape("zzz", Map.of(), false),
      new Shape(null, Map.of(), false),
    };
    run(new Scenario("user:1", Map.of(), shapes, RuleIndexConcurrencyTest::treeAndTableNoise));
  }

  @Test
  void shouldGiveReadersAnAnswerOfSomeStateWhileARuleMovesBetweenMetadataGroups() throws Exception {
    Shape[] shapes = {
      new Shape("user:1", Map.of("a", "1"), true),
      new Shape("user:1", Map.of("b", "2"), true),
      new Shape("user:1", Map.of(), true),
      new Shape("user:1", Map.of("a", "9"), false),
      new Shape("user:1", Map.of("a", "*"), true),
      new Shape("user:1", Map.of("a", "1", "b", "2"), true),
      new Shape(null, Map.of(), false),
    };
    run(
        new Scenario(
            "user:1",
            Map.of("a", "1", "b", "2"),
            shapes,
            RuleIndexConcurrencyTest::sameBucketNoise));
  }

  private static void run(Scenario scenario) throws Exception {
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
                  LimitRule r = index.match(scenario.probeKey(), scenario.probeMetadata());
                  int after = (int) published.get();
                  check(scenario, r, before, after);
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
      Shape shape = scenario.shapeAfter(i);
      if (shape.key() == null) {
        index.remove("churn");
      } else {
        index.upsert(rule("churn", shape.key(), 0, shape.metadata(), i));
      }
      scenario.noise().accept(index, i);
      published.set(i);
    }
    done.set(true);
    reader.join();

    assertEquals(List.of(), List.copyOf(failures));
    assertTrue(lookups[0] > 1000, "reader ran " + lookups[0] + " lookups");
    index.checkPatternTree();
  }

  /** Rules that never match the probe {@code user:1} but share its tree path and tables. */
  private static void treeAndTableNoise(RuleIndex index, int i) {
    int n = i % 4000;
    if ((i / 4000) % 2 == 0) {
      index.upsert(rule("n" + n, "user:1" + (char) ('a' + n % 26) + n + "*"));
      index.upsert(rule("m" + n, "user:" + (2 + n % 8) + n));
    } else {
      index.remove("n" + n);
      index.remove("m" + n);
    }
  }

  /**
   * Rules on the probe's own key whose metadata never matches it, between 0 and 20 of them, so the
   * bucket keeps crossing the size at which it is indexed by metadata.
   */
  private static void sameBucketNoise(RuleIndex index, int i) {
    int n = i % 20;
    if ((i / 20) % 2 == 0) {
      index.upsert(rule("x" + n, "user:1", n % 2, Map.of("a", "n" + n)));
    } else {
      index.remove("x" + n);
    }
  }

  private static void check(Scenario scenario, LimitRule r, int before, int after) {
    check(r != null, "no rule at all between steps " + before + " and " + after);
    if (r.id().equals("base")) {
      boolean someStateWithoutChurn = false;
      for (int s = before; s <= after + 1; s++) {
        someStateWithoutChurn |= !scenario.shapeAfter(s).matchesProbe();
      }
      check(
          someStateWithoutChurn,
          "base rule returned while churn matched in every state " + before + ".." + (after + 1));
      return;
    }
    check(r.id().equals("churn"), "unexpected rule " + r.id());
    int version = (int) r.limit();
    check(
        version >= scenario.oldestVersionLiveAfter(before) && version <= after + 1,
        "churn version " + version + " outside " + before + ".." + (after + 1));
    check(
        scenario.shapeAfter(version).matchesProbe(),
        "churn version " + version + " does not match the probe");
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new AssertionError(message);
    }
  }
}
