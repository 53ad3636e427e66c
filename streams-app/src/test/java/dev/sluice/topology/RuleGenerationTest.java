package dev.sluice.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.core.Algorithm;
import dev.sluice.core.rule.LimitRule;
import dev.sluice.core.rule.RuleValidator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rule-generations store entry (SPEC 4 per limit index) and its versioned form. */
class RuleGenerationTest {
  private static LimitRule rule(String json) {
    return RuleValidator.validateJson(json).rule();
  }

  @Test
  void shouldReadEntriesWrittenBeforeRulesHadSeveralLimits() {
    // Written by RuleGeneration.encode of the release before contract version 2 (6285fd2),
    // whose form was ALGORITHM|windowSeconds|generation.
    RuleGeneration old = RuleGeneration.decode("SLIDING_WINDOW_COUNTER|60|1234");
    assertEquals(
        List.of(new RuleGeneration.Limit(Algorithm.SLIDING_WINDOW_COUNTER, 60, 1234)),
        old.limits());
    assertArrayEquals(new long[] {1234}, old.generations());
  }

  @Test
  void shouldWriteOneLimitRulesInTheOldFormSoOldInstancesReadThem() {
    LimitRule one = rule("{\"id\":\"r\",\"key\":\"k\",\"limit\":5,\"windowSeconds\":60}");
    assertEquals("SLIDING_WINDOW_COUNTER|60|7", RuleGeneration.next(null, one, 7).encode());
    LimitRule listed =
        rule("{\"id\":\"r\",\"key\":\"k\",\"limits\":[{\"limit\":5,\"windowSeconds\":60}]}");
    assertEquals("SLIDING_WINDOW_COUNTER|60|7", RuleGeneration.next(null, listed, 7).encode());
  }

  @Test
  void shouldVersionEntriesOfSeveralLimits() {
    LimitRule two =
        rule(
            "{\"id\":\"r\",\"key\":\"k\",\"limits\":[{\"limit\":5,\"windowSeconds\":1,"
                + "\"algorithm\":\"TOKEN_BUCKET\"},{\"limit\":500,\"windowSeconds\":86400}]}");
    RuleGeneration g = RuleGeneration.next(null, two, 3);
    assertEquals("v2|TOKEN_BUCKET|1|3|SLIDING_WINDOW_COUNTER|86400|3", g.encode());
    assertEquals(g, RuleGeneration.decode(g.encode()));
  }

  @Test
  void shouldKeepGenerationsPerIndexWhenAlgorithmAndWindowStay() {
    LimitRule v1 =
        rule(
            "{\"id\":\"r\",\"key\":\"k\",\"limits\":[{\"limit\":5,\"windowSeconds\":1},"
                + "{\"limit\":50,\"windowSeconds\":60},{\"limit\":500,\"windowSeconds\":3600}]}");
    RuleGeneration g1 = RuleGeneration.next(null, v1, 10);
    LimitRule v2 =
        rule(
            "{\"id\":\"r\",\"key\":\"k\",\"limits\":[{\"limit\":6,\"windowSeconds\":1},"
                + "{\"limit\":50,\"windowSeconds\":60,\"algorithm\":\"FIXED_WINDOW\"}]}");
    RuleGeneration g2 = RuleGeneration.next(RuleGeneration.decode(g1.encode()), v2, 20);
    assertArrayEquals(new long[] {10, 20}, g2.generations(), "index 1's algorithm changed");
    RuleGeneration g3 = RuleGeneration.next(g2, v1, 30);
    assertArrayEquals(new long[] {10, 30, 30}, g3.generations(), "changed back or re-added: fresh");
    LimitRule top = rule("{\"id\":\"r\",\"key\":\"k\",\"limit\":9,\"windowSeconds\":1}");
    assertArrayEquals(
        new long[] {10}, RuleGeneration.next(g3, top, 40).generations(), "the top-level form is 0");
  }

  @Test
  void shouldRejectCorruptEntries() {
    for (String bad :
        new String[] {
          "",
          "FIXED_WINDOW|60",
          "v2|FIXED_WINDOW|60",
          "FIXED_WINDOW|60|1|FIXED_WINDOW|1|1",
          "LEAKY|60|1",
          "FIXED_WINDOW|x|1",
          "v2"
        }) {
      assertThrows(IllegalStateException.class, () -> RuleGeneration.decode(bad), bad);
    }
  }
}
