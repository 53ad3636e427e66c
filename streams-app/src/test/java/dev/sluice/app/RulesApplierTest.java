package dev.sluice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.core.rule.LimitRule;
import dev.sluice.core.rule.RuleValidation;
import dev.sluice.core.rule.RuleValidator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RulesApplierTest {
  private static RuleValidation rule(String id, long limit) {
    return RuleValidator.validate(
        Map.of("id", id, "key", id + ":*", "limit", limit, "windowSeconds", 60L));
  }

  private static Map<String, LimitRule> desired(RuleValidation... rules) {
    Map<String, LimitRule> out = new LinkedHashMap<>();
    for (RuleValidation r : rules) {
      out.put(r.rule().id(), r.rule());
    }
    return out;
  }

  @Test
  void shouldPublishOnlyWhatChanged() {
    Map<String, RuleValidation> current =
        Map.of("same", rule("same", 5), "changed", rule("changed", 5), "extra", rule("extra", 1));
    RulesApplier.Plan plan =
        RulesApplier.plan(
            current, desired(rule("same", 5), rule("changed", 6), rule("new", 1)), false);
    assertEquals(List.of("new"), plan.created());
    assertEquals(List.of("changed"), plan.updated());
    assertEquals(List.of("same"), plan.unchanged());
    assertEquals(List.of(), plan.deleted());
    assertEquals(List.of("extra"), plan.kept());
    assertEquals(List.of("changed", "new"), List.copyOf(plan.toPublish().keySet()));
    assertEquals("created 1, updated 1, unchanged 1, deleted 0", plan.summary());
  }

  @Test
  void shouldTombstoneRulesMissingFromTheFileOnlyWithPrune() {
    Map<String, RuleValidation> current = Map.of("gone", rule("gone", 1), "kept", rule("kept", 1));
    RulesApplier.Plan plan = RulesApplier.plan(current, desired(rule("kept", 1)), true);
    assertEquals(List.of("gone"), plan.deleted());
    assertEquals(List.of(), plan.kept());
    assertEquals(Map.of(), plan.toPublish());
  }

  @Test
  void shouldReplaceAnInvalidVersionOnTheTopic() {
    RuleValidation broken = RulesCommand.decode("r", new byte[] {1, 2, 3});
    RulesApplier.Plan plan = RulesApplier.plan(Map.of("r", broken), desired(rule("r", 1)), false);
    assertEquals(List.of("r"), plan.updated());
  }

  @Test
  void shouldTreatExplicitDefaultsAsUnchanged() {
    RuleValidation explicit =
        RuleValidator.validate(
            Map.of(
                "id",
                "r",
                "key",
                "r:*",
                "limit",
                3L,
                "windowSeconds",
                60L,
                "priority",
                0,
                "algorithm",
                "SLIDING_WINDOW_COUNTER",
                "shadow",
                false));
    RulesApplier.Plan plan = RulesApplier.plan(Map.of("r", explicit), desired(rule("r", 3)), false);
    assertEquals(List.of("r"), plan.unchanged());
  }

  private static RuleValidation limits(String id, String... entries) {
    return RuleValidator.validateJson(
        "{\"id\":\"" + id + "\",\"key\":\"k\",\"limits\":[" + String.join(",", entries) + "]}");
  }

  @Test
  void shouldCompareEveryLimitOfARule() {
    String burst = "{\"limit\":10,\"windowSeconds\":1}";
    String daily = "{\"limit\":1000,\"windowSeconds\":86400}";
    String dailyMore = "{\"limit\":2000,\"windowSeconds\":86400}";
    String dailyExplicit =
        "{\"limit\":1000,\"windowSeconds\":86400,\"algorithm\":\"SLIDING_WINDOW_COUNTER\"}";
    Map<String, RuleValidation> current =
        Map.of(
            "same", limits("same", burst, daily),
            "second", limits("second", burst, daily),
            "added", limits("added", burst),
            "explicit", limits("explicit", burst, daily));
    RulesApplier.Plan plan =
        RulesApplier.plan(
            current,
            desired(
                limits("same", burst, daily),
                limits("second", burst, dailyMore),
                limits("added", burst, daily),
                limits("explicit", burst, dailyExplicit)),
            false);
    assertEquals(List.of("same", "explicit"), plan.unchanged());
    assertEquals(List.of("second", "added"), plan.updated());
  }

  @Test
  void shouldPublishARuleRewrittenInTheOtherForm() {
    // The same single limit in the limits form: counters survive (SPEC 4: index 0, same algorithm
    // and window), but the published rule reads differently, so it is sent.
    RuleValidation topLevel = rule("r", 5);
    RuleValidation asLimits =
        RuleValidator.validateJson(
            "{\"id\":\"r\",\"key\":\"r:*\",\"limits\":[{\"limit\":5,\"windowSeconds\":60}]}");
    RulesApplier.Plan plan = RulesApplier.plan(Map.of("r", topLevel), desired(asLimits), false);
    assertEquals(List.of("r"), plan.updated());
    assertEquals(
        0L, asLimits.rule().generationsAfter(topLevel.rule(), 7)[0], "index 0 keeps its counters");
  }
}
