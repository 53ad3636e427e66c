package dev.sluice.core.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Algorithm;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link RuleIndex#match} against the definition of SPEC 3 written the slow, obvious way: filter
 * every rule with {@link LimitRule#matches}, sort by {@link RulePrecedence}, take the first.
 *
 * <p>Keys, ids and metadata come from tiny alphabets so that rules collide all the time: shared
 * keys, nested prefixes, same-id replacements that move a rule between exact and pattern, ties
 * broken only by id.
 */
class RuleIndexPropertyTest {

  /** One step: upsert {@code rule}, or remove {@code removeId} when rule is null. */
  record Op(LimitRule rule, String removeId) {
    @Override
    public String toString() {
      return rule == null
          ? "remove " + removeId
          : "upsert "
              + rule.id()
              + " "
              + rule.key()
              + " p"
              + rule.priority()
              + " "
              + rule.metadata();
    }
  }

  record Request(String key, Map<String, String> metadata) {}

  /**
   * {@code largeAt} varies the size past which a bucket is indexed by metadata, so that small
   * arrays, {@link LargeBucket}s and the conversions both ways all meet the same requests.
   */
  @Property(tries = 2000)
  void shouldAgreeWithTheBruteForceDefinitionAfterEveryStep(
      @ForAll("ops") List<Op> ops,
      @ForAll("requests") List<Request> requests,
      @ForAll @IntRange(min = 1, max = 9) int largeAt) {
    RuleIndex index = new RuleIndex(largeAt);
    Map<String, LimitRule> reference = new HashMap<>();

    for (Op op : ops) {
      if (op.rule() != null) {
        index.upsert(op.rule());
        reference.put(op.rule().id(), op.rule());
      } else {
        assertEquals(reference.remove(op.removeId()) != null, index.remove(op.removeId()));
      }
      assertEquals(reference.size(), index.size());
      long patterns =
          reference.values().stream()
              .filter(LimitRule::isPrefixPattern)
              .map(LimitRule::key)
              .distinct()
              .count();
      int nodes = index.checkPatternTree();
      assertTrue(
          nodes <= 2 * patterns + 1, nodes + " tree nodes for " + patterns + " distinct patterns");
      for (Request r : requests) {
        LimitRule expected = bruteForce(reference, r);
        LimitRule actual = index.match(r.key(), r.metadata());
        assertSame(expected, actual, () -> "request " + r + " after " + ops);
      }
    }
    List<LimitRule> sorted = new ArrayList<>(reference.values());
    sorted.sort(Comparator.comparing(LimitRule::id));
    assertEquals(sorted, index.snapshot());
  }

  static LimitRule bruteForce(Map<String, LimitRule> rules, Request r) {
    return rules.values().stream()
        .filter(rule -> rule.matches(r.key(), r.metadata()))
        .min(RulePrecedence.ORDER)
        .orElse(null);
  }

  private static Arbitrary<String> text(int maxLength) {
    return Arbitraries.strings().withChars("ab:").ofMaxLength(maxLength);
  }

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<String> ids = Arbitraries.of("a", "b", "c", "r1", "r10", "r2", "Z", "a.b", "x-1");
    Arbitrary<String> keys =
        Combinators.combine(text(4), Arbitraries.integers().between(0, 2))
            .as((s, kind) -> kind == 0 || s.isEmpty() ? s + "*" : s);
    Arbitrary<Map<String, String>> metadata =
        Arbitraries.maps(Arbitraries.of("m", "n", "o"), Arbitraries.of("x", "y", "*", ""))
            .ofMaxSize(3);
    Arbitrary<LimitRule> rules =
        Combinators.combine(
                ids,
                keys,
                Arbitraries.integers().between(-1, 1),
                metadata,
                Arbitraries.integers().between(0, 3))
            .as(RuleIndexPropertyTest::rule);
    Arbitrary<Op> upserts = rules.map(r -> new Op(r, null));
    Arbitrary<Op> removes = ids.map(id -> new Op(null, id));
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(4, upserts), net.jqwik.api.Tuple.of(1, removes))
        .list()
        .ofMaxSize(30);
  }

  /**
   * Mostly through the validator; sometimes built directly with a TreeMap, as tests elsewhere may.
   */
  private static LimitRule rule(
      String id, String key, int priority, Map<String, String> metadata, int style) {
    if (style == 0) {
      return new LimitRule(
          id, key, 1, 1, priority, new TreeMap<>(metadata), Algorithm.FIXED_WINDOW, false, 0);
    }
    return TestRules.rule(id, key, priority, metadata, style);
  }

  @Provide
  Arbitrary<List<Request>> requests() {
    Arbitrary<Map<String, String>> metadata =
        Arbitraries.maps(Arbitraries.of("m", "n", "o", "p"), Arbitraries.of("x", "y", "*", ""))
            .ofMaxSize(4);
    return Combinators.combine(text(6), metadata)
        .as(Request::new)
        .list()
        .ofMinSize(1)
        .ofMaxSize(12);
  }
}
