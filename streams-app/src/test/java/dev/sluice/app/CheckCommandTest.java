package dev.sluice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.client.ClientDecision;
import dev.sluice.client.DecisionSource;
import dev.sluice.client.FailureCause;
import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
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
}
