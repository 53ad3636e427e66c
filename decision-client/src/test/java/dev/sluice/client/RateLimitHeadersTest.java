package dev.sluice.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitHeadersTest {

  private static Verdict verdict(
      boolean allowed, Reason reason, long limit, long remaining, long resetMs, long retryMs) {
    return new Verdict(
        "id",
        "user:1",
        allowed,
        reason,
        "per-user",
        limit,
        remaining,
        resetMs,
        retryMs,
        -1,
        -1,
        0,
        false,
        null);
  }

  private static ClientDecision service(Verdict v) {
    return ClientDecision.fromService(v);
  }

  @Test
  void shouldRenderAnAllowedDecisionWithItsWindow() {
    Map<String, String> h =
        RateLimitHeaders.of(service(verdict(true, Reason.ALLOWED, 100, 42, 30_000, 0)), 60);
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("RateLimit-Policy", "\"per-user\";q=100;w=60");
    expected.put("RateLimit", "\"per-user\";r=42;t=30");
    assertEquals(expected, h);
    assertEquals(List.of("RateLimit-Policy", "RateLimit"), List.copyOf(h.keySet()));
  }

  @Test
  void shouldAddRetryAfterToADenialRoundingSecondsUp() {
    Map<String, String> h =
        RateLimitHeaders.of(service(verdict(false, Reason.RATE_LIMITED, 10, 0, 16_001, 1)), 60);
    assertEquals("\"per-user\";q=10;w=60", h.get("RateLimit-Policy"));
    assertEquals("\"per-user\";r=0;t=17", h.get("RateLimit"));
    assertEquals("1", h.get("Retry-After"));
    assertEquals(3, h.size());
  }

  @Test
  void shouldRoundResetAndRetryUpToWholeSeconds() {
    long[][] cases = {{0, 0}, {1, 1}, {999, 1}, {1000, 1}, {1001, 2}, {59_999, 60}};
    for (long[] c : cases) {
      Map<String, String> h =
          RateLimitHeaders.of(verdict(false, Reason.RATE_LIMITED, 5, 0, c[0], c[0]), 1);
      assertEquals("\"per-user\";r=0;t=" + c[1], h.get("RateLimit"), c[0] + " ms");
      assertEquals(Long.toString(c[1]), h.get("Retry-After"), c[0] + " ms");
    }
  }

  @Test
  void shouldOmitTheWindowWhenUnknownAndTakeItFromALocalDecision() {
    Verdict v = verdict(true, Reason.ALLOWED, 100, 99, 500, 0);
    assertEquals("\"per-user\";q=100", RateLimitHeaders.of(service(v)).get("RateLimit-Policy"));
    ClientDecision local =
        new ClientDecision(v, DecisionSource.LOCAL_FALLBACK, FailureCause.TIMEOUT, 3600);
    assertEquals("\"per-user\";q=100;w=3600", RateLimitHeaders.of(local).get("RateLimit-Policy"));
    assertEquals("\"per-user\";q=100;w=5", RateLimitHeaders.of(local, 5).get("RateLimit-Policy"));
  }

  @Test
  void shouldOmitRetryAfterWhenTheRequestCouldNeverPass() {
    Map<String, String> h =
        RateLimitHeaders.of(verdict(false, Reason.RATE_LIMITED, 5, 5, 1000, -1), 1);
    assertEquals(2, h.size());
    assertEquals("\"per-user\";r=5;t=1", h.get("RateLimit"));
  }

  @Test
  void shouldRenderNothingWhenNoRuleWasApplied() {
    assertEquals(Map.of(), RateLimitHeaders.of(Verdict.noMatchingRule("id", "k", 5), 60));
    assertEquals(
        Map.of(), RateLimitHeaders.of(Verdict.invalidRequest("id", "k", 5, "cost: x"), 60));
    for (boolean allow : new boolean[] {true, false}) {
      ClientDecision policy =
          ClientDecision.byStaticPolicy(allow, "id", "k", 5, FailureCause.TIMEOUT);
      assertEquals(Map.of(), RateLimitHeaders.of(policy), policy.source().name());
    }
  }

  @Test
  void shouldRenderNothingForAShadowRule() {
    Verdict shadow =
        new Verdict(
            "id",
            "k",
            true,
            Reason.RATE_LIMITED,
            "trial",
            10,
            0,
            1000,
            1000,
            -1,
            -1,
            0,
            true,
            null);
    assertEquals(Map.of(), RateLimitHeaders.of(shadow, 60));
  }

  @Test
  void shouldQuotePolicyNamesAsStructuredFieldStrings() {
    assertEquals("\"a\\\"b\\\\c\"", RateLimitHeaders.sfString("a\"b\\c"));
    assertEquals("\"api:v1.read-x_y\"", RateLimitHeaders.sfString("api:v1.read-x_y"));
    assertThrows(IllegalArgumentException.class, () -> RateLimitHeaders.sfString("caf\u00e9"));
  }

  @Test
  void shouldRefuseAMeaninglessWindow() {
    Verdict v = verdict(true, Reason.ALLOWED, 1, 0, 0, 0);
    assertThrows(IllegalArgumentException.class, () -> RateLimitHeaders.of(v, 0));
    assertThrows(IllegalArgumentException.class, () -> RateLimitHeaders.of(v, -2));
  }
}
