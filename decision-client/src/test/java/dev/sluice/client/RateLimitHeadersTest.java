package dev.sluice.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

  /** A decision of rule {@code api} whose binding limit is {@code index}. */
  private static Verdict bound(
      boolean allowed, int index, long limit, long remaining, long resetMs, long retryMs) {
    return new Verdict(
        "id",
        "user:1",
        allowed,
        allowed ? Reason.ALLOWED : Reason.RATE_LIMITED,
        "api",
        limit,
        remaining,
        resetMs,
        retryMs,
        allowed ? 1 : 0,
        index,
        0,
        false,
        null);
  }

  private static final List<RateLimitHeaders.Quota> THREE =
      List.of(
          new RateLimitHeaders.Quota(10, 1),
          new RateLimitHeaders.Quota(1000, 86_400),
          new RateLimitHeaders.Quota(50, 60));

  @Test
  void shouldListEveryLimitOfTheRuleAndReportTheBindingOne() {
    Map<String, String> h =
        RateLimitHeaders.of(bound(false, 1, 1000, 0, 3_600_000, 3_599_001), THREE);
    assertEquals(
        "\"api\";q=10;w=1, \"api#1\";q=1000;w=86400, \"api#2\";q=50;w=60",
        h.get("RateLimit-Policy"));
    assertEquals("\"api#1\";r=0;t=3600", h.get("RateLimit"));
    assertEquals("3600", h.get("Retry-After"));
    assertEquals(List.of("RateLimit-Policy", "RateLimit", "Retry-After"), List.copyOf(h.keySet()));
  }

  @Test
  void shouldTakeTheBindingQuotaFromTheDecisionItWasMadeAgainst() {
    // The caller's catalogue says 50 for index 2; the decision was made against 40.
    Map<String, String> h = RateLimitHeaders.of(bound(true, 2, 40, 39, 60_000, 0), THREE);
    assertEquals(
        "\"api\";q=10;w=1, \"api#1\";q=1000;w=86400, \"api#2\";q=40;w=60",
        h.get("RateLimit-Policy"));
    assertEquals("\"api#2\";r=39;t=60", h.get("RateLimit"));
    assertEquals(2, h.size());
  }

  @Test
  void shouldNameTheBindingLimitAloneWhenTheRuleIsUnknown() {
    ClientDecision second = service(bound(true, 2, 50, 49, 1_000, 0));
    assertEquals("\"api#2\";q=50", RateLimitHeaders.of(second).get("RateLimit-Policy"));
    assertEquals("\"api#2\";r=49;t=1", RateLimitHeaders.of(second).get("RateLimit"));
    assertEquals("\"api#2\";q=50;w=60", RateLimitHeaders.of(second, 60).get("RateLimit-Policy"));
    ClientDecision first = service(bound(true, 0, 10, 9, 1_000, 0));
    assertEquals("\"api\";q=10;w=1", RateLimitHeaders.of(first, 1).get("RateLimit-Policy"));
  }

  @Test
  void shouldListEveryLimitOfALocalFallbackDecision() {
    Verdict v = bound(true, 0, 10, 3, 400, 0);
    ClientDecision local =
        new ClientDecision(v, DecisionSource.LOCAL_FALLBACK, FailureCause.TIMEOUT, 1, THREE);
    Map<String, String> h = RateLimitHeaders.of(local);
    assertEquals(
        "\"api\";q=10;w=1, \"api#1\";q=1000;w=86400, \"api#2\";q=50;w=60",
        h.get("RateLimit-Policy"));
    assertEquals("\"api\";r=3;t=1", h.get("RateLimit"));
  }

  @Test
  void shouldGiveEveryLimitOfARuleADistinctNameNoRuleIdCanHave() {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < 8; i++) {
      names.add(RateLimitHeaders.policyName("a-1", i));
    }
    assertEquals(8, names.size());
    assertEquals("\"a-1\"", RateLimitHeaders.policyName("a-1", 0));
    assertEquals("\"a#1\"", RateLimitHeaders.policyName("a", 1));
    // '#' is outside the rule id alphabet [A-Za-z0-9._:-], so "a#1" is never another rule's name.
    assertFalse("a#1".matches("[A-Za-z0-9._:-]+"));
  }

  @Test
  void shouldRefuseQuotasThatMissTheBindingLimit() {
    Verdict v = bound(true, 2, 50, 49, 1_000, 0);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> RateLimitHeaders.of(v, THREE.subList(0, 2)));
    assertEquals("quotas: must hold the binding limit index 2 (got 2 entries)", e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new ClientDecision(
                v, DecisionSource.LOCAL_FALLBACK, FailureCause.TIMEOUT, 60, THREE.subList(0, 1)));
    assertThrows(IllegalArgumentException.class, () -> new RateLimitHeaders.Quota(-1, 1));
    e = assertThrows(IllegalArgumentException.class, () -> new RateLimitHeaders.Quota(1, 0));
    assertEquals("windowSeconds: must be >= 1 (got 0)", e.getMessage());
  }
}
