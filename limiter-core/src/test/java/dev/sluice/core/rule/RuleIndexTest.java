package dev.sluice.core.rule;

import static dev.sluice.core.rule.TestRules.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Algorithm;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RuleIndexTest {
  private final RuleIndex index = new RuleIndex();

  private LimitRule add(LimitRule rule) {
    index.upsert(rule);
    return rule;
  }

  private String matchId(String key, Map<String, String> metadata) {
    LimitRule r = index.match(key, metadata);
    return r == null ? null : r.id();
  }

  private String matchId(String key) {
    return matchId(key, Map.of());
  }

  @Test
  void shouldMatchNothingWhenEmpty() {
    assertNull(index.match("user:1", Map.of()));
    assertEquals(0, index.size());
  }

  @Test
  void shouldMatchAnExactKeyOnlyItself() {
    add(rule("r", "user:1"));

    assertEquals("r", matchId("user:1"));
    assertNull(matchId("user:10"));
    assertNull(matchId("user:"));
    assertNull(matchId("user"));
  }

  @Test
  void shouldTellApartExactKeysWithTheSameHashThroughRemovalsAndReAdds() {
    // All four have one String hash, so they share a probe sequence in the exact-key table,
    // which compares the keys it keeps beside each slot rather than the rules' keys.
    List<String> keys = List.of("AaAa", "AaBB", "BBAa", "BBBB");
    assertEquals(1, keys.stream().mapToInt(String::hashCode).distinct().count());
    for (String k : keys) {
      add(rule("r-" + k, new String(k)));
    }
    index.remove("r-AaBB");
    add(rule("s-BBBB", "BBBB", 1));

    assertEquals("r-AaAa", matchId("AaAa"));
    assertNull(matchId("AaBB"));
    assertEquals("r-BBAa", matchId("BBAa"));
    assertEquals("s-BBBB", matchId("BBBB"));

    // Tombstones left by removals, then filled again by other rules on the same keys.
    index.remove("r-AaAa");
    add(rule("t-AaBB", "AaBB"));
    assertNull(matchId("AaAa"));
    assertEquals("t-AaBB", matchId("AaBB"));
    add(rule("t-AaAa", "AaAa"));
    assertEquals("t-AaAa", matchId("AaAa"));
    assertEquals("t-AaBB", matchId("AaBB"));
    assertEquals("r-BBAa", matchId("BBAa"));
    assertEquals(5, index.size());
  }

  @Test
  void shouldMatchAPrefixPatternOnEveryKeyStartingWithThePrefix() {
    add(rule("r", "user:*"));

    assertEquals("r", matchId("user:1"));
    assertEquals("r", matchId("user:"));
    assertEquals("r", matchId("user:1:orders/" + "x".repeat(400)));
    assertNull(matchId("user"));
    assertNull(matchId("users:1"));
    assertNull(matchId("USER:1"));
  }

  @Test
  void shouldMatchEveryKeyWithAStarAlone() {
    add(rule("all", "*"));

    assertEquals("all", matchId("user:1"));
    assertEquals("all", matchId("x"));
    assertEquals("all", matchId(""));
  }

  @Test
  void shouldTreatStarOnlyAsAPatternAtTheEndOfTheRuleKey() {
    add(rule("r", "a*"));

    assertNull(matchId("b*"));
    assertEquals("r", matchId("a*"));
  }

  @Test
  void shouldPreferHigherPriorityOverEveryOtherTier() {
    add(rule("exact", "user:1", 0, Map.of("plan", "gold")));
    add(rule("broad", "*", 1));

    assertEquals("broad", matchId("user:1", Map.of("plan", "gold")));
  }

  @Test
  void shouldPreferAnExactKeyOverAPatternAtEqualPriority() {
    add(rule("a-long-pattern", "user:1*", 0, Map.of("p", "1", "q", "2")));
    add(rule("z-exact", "user:1"));

    assertEquals("z-exact", matchId("user:1", Map.of("p", "1", "q", "2")));
  }

  @Test
  void shouldPreferTheLongerPrefixAmongPatterns() {
    add(rule("a", "u*", 0, Map.of("p", "1")));
    add(rule("b", "user:*"));
    add(rule("c", "user:12*"));
    add(rule("d", "user:123*"));

    assertEquals("d", matchId("user:1234", Map.of("p", "1")));
    assertEquals("c", matchId("user:129", Map.of("p", "1")));
    assertEquals("b", matchId("user:2", Map.of("p", "1")));
    assertEquals("a", matchId("ux", Map.of("p", "1")));
  }

  @Test
  void shouldPreferMoreMetadataEntriesAtEqualPriorityAndKey() {
    add(rule("a0", "user:1"));
    add(rule("b1", "user:1", 0, Map.of("region", "eu")));
    add(rule("c2", "user:1", 0, Map.of("region", "eu", "plan", "*")));
    Map<String, String> both = Map.of("region", "eu", "plan", "gold");

    assertEquals("c2", matchId("user:1", both));
    assertEquals("b1", matchId("user:1", Map.of("region", "eu")));
    assertEquals("a0", matchId("user:1", Map.of("plan", "gold")));
  }

  @Test
  void shouldPreferTheSmallerIdInPlainStringOrderWhenAllElseTies() {
    add(rule("r9", "user:*"));
    add(rule("r10", "user:*"));
    add(rule("R99", "user:*"));

    assertEquals("R99", matchId("user:1"), "'R' (0x52) sorts before 'r' (0x72)");
    index.remove("R99");
    assertEquals("r10", matchId("user:1"), "\"r10\" < \"r9\" as strings");
  }

  @Test
  void shouldSkipAHigherRankedRuleWhoseMetadataDoesNotMatch() {
    add(rule("top", "user:1", 10, Map.of("region", "us")));
    add(rule("mid", "user:*", 5, Map.of("region", "eu")));
    add(rule("low", "*", 0));

    assertEquals("mid", matchId("user:1", Map.of("region", "eu")));
    assertEquals("top", matchId("user:1", Map.of("region", "us")));
    assertEquals("low", matchId("user:1", Map.of("region", "ap")));
    assertEquals("low", matchId("user:1", Map.of()));
  }

  @Test
  void shouldRequireTheKeyWithAnyValueForAStarConstraint() {
    add(rule("r", "*", 0, Map.of("tenant", "*")));

    assertEquals("r", matchId("k", Map.of("tenant", "acme")));
    assertEquals("r", matchId("k", Map.of("tenant", "")));
    assertEquals("r", matchId("k", Map.of("tenant", "*")));
    assertNull(matchId("k", Map.of("other", "acme")));
    assertNull(matchId("k", Map.of()));
  }

  @Test
  void shouldMatchAnEmptyValueConstraintOnlyOnTheEmptyValue() {
    add(rule("r", "*", 0, Map.of("beta", "")));

    assertEquals("r", matchId("k", Map.of("beta", "")));
    assertNull(matchId("k", Map.of("beta", "yes")));
  }

  @Test
  void shouldMatchALiteralValueOnlyOnThatValue() {
    add(rule("r", "*", 0, Map.of("region", "eu", "plan", "gold")));

    assertEquals("r", matchId("k", Map.of("region", "eu", "plan", "gold", "x", "y")));
    assertNull(matchId("k", Map.of("region", "eu", "plan", "*")));
    assertNull(matchId("k", Map.of("region", "eu")));
  }

  @Test
  void shouldTakeNullRequestMetadataAsEmpty() {
    add(rule("plain", "*"));
    add(rule("constrained", "*", 1, Map.of("a", "*")));

    assertEquals("plain", matchId("k", null));
  }

  @Test
  void shouldReplaceARuleWithTheSameId() {
    add(rule("r", "user:1", 0, Map.of(), 10));
    add(rule("r", "user:1", 0, Map.of(), 20));

    assertEquals(1, index.size());
    assertEquals(20, index.match("user:1", Map.of()).limit());
    assertEquals(20, index.get("r").limit());
  }

  @Test
  void shouldMoveARuleWhoseKeyChanged() {
    add(rule("r", "user:1"));
    add(rule("r", "user:2"));
    assertNull(matchId("user:1"));
    assertEquals("r", matchId("user:2"));

    add(rule("r", "user:*"));
    assertEquals("r", matchId("user:1"));
    assertEquals("r", matchId("user:2"));

    add(rule("r", "admin:*"));
    assertNull(matchId("user:1"));
    assertEquals("r", matchId("admin:1"));

    add(rule("r", "admin:1"));
    assertNull(matchId("admin:2"));
    assertEquals("r", matchId("admin:1"));
    assertEquals(1, index.size());
  }

  @Test
  void shouldKeepOtherRulesOfABucketWhenOneIsReplacedOrRemoved() {
    add(rule("a", "user:*", 2));
    add(rule("b", "user:*", 1));
    add(rule("c", "user:*", 0));

    add(rule("a", "user:*", -1));
    assertEquals("b", matchId("user:1"));
    index.remove("b");
    assertEquals("c", matchId("user:1"));
    index.remove("c");
    assertEquals("a", matchId("user:1"));
  }

  @Test
  void shouldRemoveARule() {
    add(rule("r", "user:*"));
    add(rule("s", "user:1"));

    assertTrue(index.remove("s"));
    assertEquals("r", matchId("user:1"));
    assertTrue(index.remove("r"));
    assertNull(matchId("user:1"));
    assertFalse(index.remove("r"));
    assertNull(index.get("r"));
    assertEquals(0, index.size());
  }

  @Test
  void shouldAnswerGetAndSizeAndSnapshot() {
    LimitRule b = add(rule("b", "user:*"));
    LimitRule a = add(rule("a", "user:1"));

    assertSame(a, index.get("a"));
    assertNull(index.get("c"));
    assertEquals(2, index.size());
    assertEquals(List.of(a, b), index.snapshot());
    List<LimitRule> seen = new ArrayList<>();
    index.forEach(seen::add);
    assertEquals(2, seen.size());
    assertTrue(seen.containsAll(List.of(a, b)));
  }

  @Test
  void shouldMatchRulesWhoseMetadataIsAnyKindOfSortedMap() {
    LimitRule direct =
        new LimitRule(
            "direct",
            "user:*",
            10,
            60,
            0,
            new TreeMap<>(Map.of("region", "*")),
            Algorithm.FIXED_WINDOW,
            false,
            0);
    index.upsert(direct);

    assertEquals("direct", matchId("user:1", Map.of("region", "eu")));
    assertNull(matchId("user:1", Map.of()));
  }

  @Test
  void shouldFindPatternsAtEveryLengthAlongALongKey() {
    String key = "k".repeat(512);
    for (int length = 0; length < 512; length++) {
      // Longer patterns get lower priority, so each removal of the winner exposes the next one.
      add(rule("p" + length, key.substring(0, length) + "*", -length));
    }
    add(rule("exact", key, -1000));

    for (int length = 0; length < 512; length++) {
      assertEquals("p" + length, matchId(key));
      assertEquals("p" + length, matchId(key.substring(0, length) + "x"));
      index.remove("p" + length);
    }
    assertEquals("exact", matchId(key));
    assertNull(matchId(key.substring(0, 511)));
  }

  @Test
  void shouldKeepMatchingWhileTheTreeSplitsAndMergesEdges() {
    // Insert in an order that splits edges, then remove in an order that merges them back.
    String[] prefixes = {"abcdef", "abcxyz", "abc", "ab", "abcdeg", "a", "abcdefgh", "b"};
    for (String p : prefixes) {
      add(rule(p, p + "*"));
    }
    Map<String, String> expected = new HashMap<>();
    expected.put("abcdefghi", "abcdefgh");
    expected.put("abcdefg", "abcdef");
    expected.put("abcdeg", "abcdeg");
    expected.put("abcde", "abc");
    expected.put("abcxy", "abc");
    expected.put("abx", "ab");
    expected.put("ax", "a");
    expected.put("bb", "b");
    expected.put("c", null);
    expected.forEach((k, id) -> assertEquals(id, matchId(k), k));

    for (String p : new String[] {"abc", "ab", "abcdef"}) {
      index.remove(p);
    }
    assertEquals("abcdefgh", matchId("abcdefghi"));
    assertEquals("a", matchId("abcdefg"));
    assertEquals("abcdeg", matchId("abcdeg"));
    assertEquals("abcxyz", matchId("abcxyz1"));
    assertEquals("a", matchId("abcxy"));

    add(rule("abc", "abc*"));
    assertEquals("abc", matchId("abcdefg"));
    for (String p : prefixes) {
      index.remove(p);
    }
    assertEquals(0, index.size());
    assertNull(matchId("abcdefghi"));
    add(rule("again", "abcd*"));
    assertEquals("again", matchId("abcdefghi"));
  }

  @Test
  void shouldFindOneRuleAmongThousandsOnOneKeyByItsMetadata() {
    add(rule("fallback", "*", -1));
    add(rule("any-tenant", "*", 0, Map.of("tenant", "*", "plan", "free")));
    for (int t = 0; t < 3000; t++) {
      add(rule("tenant-" + t, "*", 0, Map.of("tenant", "t" + t)));
      add(rule("tenant-gold-" + t, "*", 0, Map.of("tenant", "t" + t, "plan", "gold")));
    }

    assertEquals("tenant-17", matchId("k", Map.of("tenant", "t17")));
    assertEquals("tenant-gold-17", matchId("k", Map.of("tenant", "t17", "plan", "gold")));
    assertEquals("any-tenant", matchId("k", Map.of("tenant", "t17", "plan", "free")));
    assertEquals("any-tenant", matchId("k", Map.of("tenant", "nobody", "plan", "free")));
    assertEquals("fallback", matchId("k", Map.of("tenant", "nobody")));
    assertEquals("fallback", matchId("k", Map.of()));
    index.checkPatternTree();
  }

  @Test
  void shouldKeepMatchingAsALargeBucketShrinksBackToAnArray() {
    add(rule("plain", "user:1", -1));
    for (int t = 0; t < 20; t++) {
      add(rule("r" + t, "user:1", 0, Map.of("tenant", "t" + t)));
    }

    for (int removed = 0; removed <= 20; removed++) {
      for (int t = 0; t < 20; t++) {
        String expected = t < removed ? "plain" : "r" + t;
        assertEquals(expected, matchId("user:1", Map.of("tenant", "t" + t)), "tenant t" + t);
      }
      if (removed < 20) {
        assertTrue(index.remove("r" + removed));
      }
    }
    assertEquals(1, index.size());
  }

  @Test
  void shouldNotAllocateOnLookup() {
    for (int i = 0; i < 200; i++) {
      add(rule("e" + i, "user:" + i, i % 3, i % 4 == 0 ? Map.of("region", "eu") : Map.of()));
      add(rule("p" + i, "tenant:" + i + ":*", i % 2, Map.of("plan", "*")));
      add(rule("s" + i, "*", 0, Map.of("tenant", "t" + i)));
    }
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      keys.add(i % 2 == 0 ? "user:" + i : "tenant:" + i + ":x");
    }
    Map<String, String> metadata =
        new HashMap<>(Map.of("region", "eu", "plan", "p", "tenant", "t7"));
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long sink = 0;
    for (int round = 0; round < 50; round++) {
      for (String key : keys) {
        sink += index.match(key, metadata) == null ? 0 : 1;
      }
    }

    long before = threads.getCurrentThreadAllocatedBytes();
    for (int round = 0; round < 25; round++) {
      for (String key : keys) {
        sink += index.match(key, metadata) == null ? 0 : 1;
      }
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;

    assertTrue(sink > 0);
    assertTrue(allocated < 1024, allocated + " bytes allocated by 10,000 lookups");
  }

  @Test
  void shouldGrowAndShrinkThroughManyRules() {
    for (int i = 0; i < 5000; i++) {
      add(rule("e" + i, "user:" + i));
      add(rule("p" + i, "tenant:" + i + ":*"));
    }
    for (int i = 0; i < 5000; i += 2) {
      index.remove("e" + i);
      index.remove("p" + i);
    }

    assertEquals(5000, index.size());
    for (int i = 0; i < 5000; i++) {
      assertEquals(i % 2 == 0 ? null : "e" + i, matchId("user:" + i));
      assertEquals(i % 2 == 0 ? null : "p" + i, matchId("tenant:" + i + ":x"));
    }
  }
}
