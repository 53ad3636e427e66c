package dev.sluice.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.rule.LimitRule;
import dev.sluice.core.rule.RuleValidation;
import dev.sluice.schema.RuleCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkloadTest {
  @Test
  void shouldGenerateRulesTheServiceAcceptsWithEveryLimitCount() {
    for (int limits = 1; limits <= LimitRule.MAX_LIMITS; limits++) {
      List<LimitRule> rules = Workload.rules(50, limits);
      assertEquals(50, rules.size());
      for (LimitRule rule : rules) {
        // Published as the bench publishes it, then validated as the service validates it.
        RuleValidation v = RuleCodec.validate(RuleCodec.toAvro(rule));
        assertTrue(v.isValid(), limits + " limits: " + v.errorMessage());
        assertEquals(rule, v.rule(), "the rule reads back as generated");
        assertEquals(limits, v.rule().limits().size());
        assertEquals(limits > 1, v.rule().limitsForm());
        for (LimitRule.Limit l : rule.limits()) {
          assertTrue(l.limit() >= 16_666, "far above the load: " + l);
        }
      }
    }
  }

  @Test
  void shouldKeepTheOneLimitRuleAsItWas() {
    LimitRule rule = Workload.rules(1, 1).get(0);
    assertEquals(Workload.rules(1).get(0), rule);
    assertFalse(rule.limitsForm());
    assertEquals(1_000_000, rule.limit());
    assertEquals(60, rule.windowSeconds());
  }

  @Test
  void shouldRefuseMoreLimitsThanARuleMayHave() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Workload.rules(1, 9));
    assertEquals("limits: 1 to 8 per rule (got 9)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Workload.rules(1, 0));
  }
}
