package dev.sluice.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import org.junit.jupiter.api.Test;

class ClientDecisionTest {

  @Test
  void shouldDescribeAFailOpenDecisionWithoutARule() {
    ClientDecision d = ClientDecision.byStaticPolicy(true, "id", "k", 1234, FailureCause.TIMEOUT);
    assertEquals(DecisionSource.FAIL_OPEN, d.source());
    assertEquals(FailureCause.TIMEOUT, d.cause());
    assertTrue(d.allowed());
    assertEquals(Reason.ALLOWED, d.reason());
    assertNull(d.ruleId());
    assertEquals(-1, d.limit());
    assertEquals(-1, d.remaining());
    assertEquals(-1, d.resetAfterMs());
    assertEquals(-1, d.retryAfterMs());
    assertEquals(-1, d.granted());
    assertEquals(-1, d.limitIndex());
    assertEquals(1234, d.timestampMs());
    assertEquals("id", d.requestId());
    assertEquals("k", d.key());
    assertEquals(-1, d.windowSeconds());
  }

  @Test
  void shouldDescribeAFailClosedDecisionAsRateLimited() {
    ClientDecision d = ClientDecision.byStaticPolicy(false, "id", "k", 0, FailureCause.CLOSED);
    assertEquals(DecisionSource.FAIL_CLOSED, d.source());
    assertFalse(d.allowed());
    assertEquals(Reason.RATE_LIMITED, d.reason());
  }

  @Test
  void shouldRequireACauseExactlyForPolicyDecisions() {
    Verdict v = Verdict.noMatchingRule("id", "k", 0);
    assertThrows(
        IllegalArgumentException.class,
        () -> new ClientDecision(v, DecisionSource.SERVICE, FailureCause.TIMEOUT, -1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ClientDecision(v, DecisionSource.FAIL_OPEN, FailureCause.NONE, -1));
    assertEquals(FailureCause.NONE, ClientDecision.fromService(v).cause());
  }

  @Test
  void shouldExposeGrantedAndLimitIndexOfTheServicesVerdict() {
    ClientDecision d =
        ClientDecision.fromService(
            new Verdict(
                "q", "k", true, Reason.ALLOWED, "r", 1000, 4, 900, 0, 17, 1, 5, false, null));
    assertEquals(17, d.granted());
    assertEquals(1, d.limitIndex());
    ClientDecision shadowDenial =
        ClientDecision.fromService(
            new Verdict(
                "q", "k", true, Reason.RATE_LIMITED, "r", 10, 0, 900, 300, 0, 0, 5, true, null));
    assertTrue(shadowDenial.allowed());
    assertEquals(0, shadowDenial.granted(), "a would-be denial charges nothing");
    assertEquals(-1, ClientDecision.fromService(Verdict.noMatchingRule("q", "k", 5)).granted());
  }

  @Test
  void shouldMapEachPolicyToItsSource() {
    assertEquals(DecisionSource.FAIL_OPEN, FailurePolicy.FAIL_OPEN.source());
    assertEquals(DecisionSource.FAIL_CLOSED, FailurePolicy.FAIL_CLOSED.source());
    assertEquals(DecisionSource.LOCAL_FALLBACK, FailurePolicy.LOCAL_FALLBACK.source());
  }
}
