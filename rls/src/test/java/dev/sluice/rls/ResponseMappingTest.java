package dev.sluice.rls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.client.ClientDecision;
import dev.sluice.client.DecisionSource;
import dev.sluice.client.FailureCause;
import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.RateLimit.Unit;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseMappingTest {
  private static final ResponseMapping.Windows SIXTY = (rule, index) -> 60;

  private static ClientDecision service(
      boolean allowed, String rule, long limit, long remaining, long reset, long retry) {
    Verdict v =
        new Verdict(
            "id",
            "k",
            allowed,
            allowed ? Reason.ALLOWED : Reason.RATE_LIMITED,
            rule,
            limit,
            remaining,
            reset,
            retry,
            allowed ? 1 : 0,
            0,
            1000,
            false,
            null);
    return new ClientDecision(v, DecisionSource.SERVICE, FailureCause.NONE, -1);
  }

  private static ClientDecision timedOut() {
    Verdict v =
        new Verdict("id", "k", true, Reason.ALLOWED, null, -1, -1, -1, -1, -1, -1, 0, false, null);
    return new ClientDecision(v, DecisionSource.FAIL_OPEN, FailureCause.TIMEOUT, -1);
  }

  @Test
  void shouldMapUnitsOfWholeWindowsOnly() {
    assertEquals(Unit.SECOND, ResponseMapping.unit(1));
    assertEquals(Unit.MINUTE, ResponseMapping.unit(60));
    assertEquals(Unit.HOUR, ResponseMapping.unit(3600));
    assertEquals(Unit.DAY, ResponseMapping.unit(86400));
    assertEquals(Unit.WEEK, ResponseMapping.unit(604800));
    assertEquals(Unit.UNKNOWN, ResponseMapping.unit(10));
    assertEquals(Unit.UNKNOWN, ResponseMapping.unit(120));
    assertEquals(Unit.UNKNOWN, ResponseMapping.unit(-1));
  }

  @Test
  void shouldBeOverLimitWhenAnyDescriptorIsAndHeadTheBindingOne() {
    Outcome o =
        new ResponseMapping(FailureMode.UNAVAILABLE, true)
            .response(
                List.of(
                    service(true, "a", 10, 4, 1500, 0),
                    service(false, "b", 3, 0, 20_000, 7_250),
                    service(false, "c", 5, 0, 2_000, 900)),
                SIXTY);
    RateLimitResponse r = o.response();
    assertEquals(Code.OVER_LIMIT, r.getOverallCode());
    assertEquals(Code.OK, r.getStatuses(0).getCode());
    assertEquals(Code.OVER_LIMIT, r.getStatuses(1).getCode());
    assertEquals(4, r.getStatuses(0).getLimitRemaining());
    assertEquals(1, r.getStatuses(0).getDurationUntilReset().getSeconds());
    assertEquals(500_000_000, r.getStatuses(0).getDurationUntilReset().getNanos());
    assertEquals("a", r.getStatuses(0).getCurrentLimit().getName());
    assertEquals(Unit.MINUTE, r.getStatuses(0).getCurrentLimit().getUnit());
    // b waits longest: its headers are the response's.
    assertEquals("RateLimit-Policy", r.getResponseHeadersToAdd(0).getKey());
    assertEquals("\"b\";q=3;w=60", r.getResponseHeadersToAdd(0).getValue());
    assertEquals("8", r.getResponseHeadersToAdd(2).getValue());
  }

  @Test
  void shouldLeaveOutTheLimitWhenNoRuleApplied() {
    Verdict none = Verdict.noMatchingRule("id", "k", 5);
    Outcome o =
        new ResponseMapping(FailureMode.UNAVAILABLE, true)
            .response(
                List.of(new ClientDecision(none, DecisionSource.SERVICE, FailureCause.NONE, -1)),
                SIXTY);
    assertEquals(Code.OK, o.response().getOverallCode());
    assertFalse(o.response().getStatuses(0).hasCurrentLimit());
    assertFalse(o.response().getStatuses(0).hasDurationUntilReset());
    assertEquals(0, o.response().getResponseHeadersToAddCount());
  }

  @Test
  void shouldApplyTheFailureModeToUnansweredDescriptors() {
    List<ClientDecision> ds = List.of(service(true, "a", 10, 4, 1500, 0), timedOut());
    Outcome unavailable = new ResponseMapping(FailureMode.UNAVAILABLE, false).response(ds, SIXTY);
    assertNull(unavailable.response());
    assertEquals(Status.Code.UNAVAILABLE, unavailable.error().getCode());
    assertTrue(unavailable.error().getDescription().contains("descriptors[1] (TIMEOUT)"));
    Outcome allow = new ResponseMapping(FailureMode.ALLOW, false).response(ds, SIXTY);
    assertEquals(Code.OK, allow.response().getOverallCode());
    assertFalse(allow.response().getStatuses(1).hasCurrentLimit());
    Outcome deny = new ResponseMapping(FailureMode.DENY, false).response(ds, SIXTY);
    assertEquals(Code.OVER_LIMIT, deny.response().getOverallCode());
    assertEquals(Code.OK, deny.response().getStatuses(0).getCode());
    assertEquals(Code.OVER_LIMIT, deny.response().getStatuses(1).getCode());
  }

  @Test
  void shouldCapLimitsAtTheUint32Range() {
    Outcome o =
        new ResponseMapping(FailureMode.ALLOW, false)
            .response(List.of(service(true, "a", 1_000_000_000, 999_999_999, 0, 0)), SIXTY);
    assertEquals(1_000_000_000, o.response().getStatuses(0).getCurrentLimit().getRequestsPerUnit());
  }
}
