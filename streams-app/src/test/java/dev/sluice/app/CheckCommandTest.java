package dev.sluice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.client.CheckRequest;
import dev.sluice.client.ClientDecision;
import dev.sluice.client.DecisionSource;
import dev.sluice.client.FailureCause;
import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CheckCommandTest {
  private static ClientDecision decision(
      boolean allowed, Reason reason, long remaining, long retry) {
    return new ClientDecision(
        new Verdict(
            "id-1",
            "login:alice",
            allowed,
            reason,
            "login",
            3,
            remaining,
            40_000,
            retry,
            allowed ? 1 : 0,
            0,
            1_000,
            false,
            null),
        DecisionSource.SERVICE,
        FailureCause.NONE,
        -1);
  }

  @Test
  void shouldRenderADenialWithRetryAfter() {
    String text = CheckCommand.render(decision(false, Reason.RATE_LIMITED, 0, 39_500));
    assertTrue(text.startsWith("DENIED  login:alice"), text);
    assertTrue(text.contains("reason      RATE_LIMITED"), text);
    assertTrue(text.contains("remaining   0/3"), text);
    assertTrue(text.contains("retry after 39.5 s"), text);
  }

  @Test
  void shouldRenderEveryFieldAsJson() {
    String json = Decisions.toJson(decision(true, Reason.ALLOWED, 2, 0)).toString();
    assertEquals(
        "{\"requestId\":\"id-1\",\"key\":\"login:alice\",\"allowed\":true,\"reason\":\"ALLOWED\","
            + "\"ruleId\":\"login\",\"limit\":3,\"remaining\":2,\"resetAfterMs\":40000,"
            + "\"retryAfterMs\":0,\"limitIndex\":0,\"granted\":1,\"timestampMs\":1000,"
            + "\"shadow\":false,\"message\":null,"
            + "\"source\":\"SERVICE\",\"cause\":\"NONE\"}",
        json);
  }

  private static Args checkArgs(String... argv) {
    return Args.parse(
        List.of(argv), Set.of("--json"), Set.of("--key", "--cost", "--max-cost"), Set.of());
  }

  @Test
  void shouldAcceptACheckOnlyRequestAndAPartialGrant() {
    CheckRequest check = CheckCommand.request("k", Map.of(), checkArgs("--cost", "0"));
    assertEquals(0, check.cost());
    assertEquals(0, check.maxCost());
    CheckRequest partial =
        CheckCommand.request("k", Map.of(), checkArgs("--cost", "2", "--max-cost", "50"));
    assertEquals(2, partial.cost());
    assertEquals(50, partial.maxCost());
    CheckRequest plain = CheckCommand.request("k", Map.of(), checkArgs());
    assertEquals(1, plain.cost());
    assertEquals(1, plain.maxCost());
  }

  @Test
  void shouldRefuseAMaxCostSpecTwoRefusesNamingTheOption() {
    UsageException below =
        assertThrows(
            UsageException.class,
            () -> CheckCommand.request("k", Map.of(), checkArgs("--cost", "3", "--max-cost", "2")));
    assertEquals("--max-cost: must be cost (3) to 1000000000 (got 2)", below.getMessage());
    UsageException checkOnly =
        assertThrows(
            UsageException.class,
            () -> CheckCommand.request("k", Map.of(), checkArgs("--cost", "0", "--max-cost", "5")));
    assertEquals("--max-cost: must be 0 when cost is 0 (got 5)", checkOnly.getMessage());
    UsageException above =
        assertThrows(
            UsageException.class,
            () -> CheckCommand.request("k", Map.of(), checkArgs("--max-cost", "1000000001")));
    assertTrue(above.getMessage().startsWith("--max-cost: must be cost (1) to 1000000000"));
    assertThrows(
        UsageException.class, () -> CheckCommand.request("k", Map.of(), checkArgs("--cost", "-1")));
    UsageException word =
        assertThrows(
            UsageException.class,
            () -> CheckCommand.request("k", Map.of(), checkArgs("--max-cost", "lots")));
    assertTrue(word.getMessage().startsWith("--max-cost must be a whole number"));
  }

  @Test
  void shouldShowTheGrantAndTheBindingLimit() {
    ClientDecision partial =
        new ClientDecision(
            new Verdict(
                "id-2",
                "api:7",
                true,
                Reason.ALLOWED,
                "api",
                1000,
                0,
                3_600_000,
                0,
                40,
                1,
                5,
                false,
                null),
            DecisionSource.SERVICE,
            FailureCause.NONE,
            -1);
    String text = CheckCommand.render(partial);
    assertTrue(text.contains("granted     40"), text);
    assertTrue(text.contains("limit index 1"), text);
    assertTrue(text.contains("remaining   0/1000"), text);
    String none =
        CheckCommand.render(
            new ClientDecision(
                Verdict.noMatchingRule("id-3", "x", 5),
                DecisionSource.SERVICE,
                FailureCause.NONE,
                -1));
    assertTrue(none.contains("granted     -"), none);
    assertTrue(none.contains("limit index -"), none);
  }
}
