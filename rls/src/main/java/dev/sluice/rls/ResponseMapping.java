package dev.sluice.rls;

import com.google.protobuf.Duration;
import dev.sluice.client.ClientDecision;
import dev.sluice.client.DecisionSource;
import dev.sluice.client.RateLimitHeaders;
import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.DescriptorStatus;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.RateLimit;
import io.grpc.Status;
import java.util.List;
import java.util.Map;

/**
 * From Sluice's decisions (one per descriptor, in order) to the Envoy response (docs/RLS.md,
 * "Mapping"). Pure: no I/O, no state.
 *
 * <ul>
 *   <li>A descriptor is {@code OVER_LIMIT} when its decision is not allowed (a shadow rule's never
 *       is), else {@code OK}; {@code overall_code} is {@code OVER_LIMIT} when any descriptor is.
 *   <li>{@code current_limit}: the applied rule's id as {@code name}, its limit as {@code
 *       requests_per_unit} (capped at 2^32-1) and the unit when the window is exactly one SECOND,
 *       MINUTE, HOUR, DAY or WEEK; any other window, or one not known yet, gives {@code UNKNOWN}
 *       with {@code requests_per_unit} the limit per window. Absent when no rule applied.
 *   <li>{@code limit_remaining}: the decision's remaining (capped at 2^32-1; 0 when no rule).
 *   <li>{@code duration_until_reset}: the decision's {@code resetAfterMs}; absent when no rule.
 *   <li>Headers (when on): {@link RateLimitHeaders} of the binding descriptor: among the denied the
 *       one with the longest retry (a never-passing one first), else the smallest remaining.
 *   <li>A decision by the client's static policy (no answer in time) follows the {@link
 *       FailureMode}; a local-fallback decision counts as a decision.
 * </ul>
 */
final class ResponseMapping {
  private static final long UINT32_MAX = 0xFFFF_FFFFL;

  private final FailureMode failureMode;
  private final boolean headers;

  ResponseMapping(FailureMode failureMode, boolean headers) {
    this.failureMode = failureMode;
    this.headers = headers;
  }

  /** Windows by rule id and limit index; -1 when unknown. */
  interface Windows {
    long windowSeconds(String ruleId, int limitIndex);
  }

  Outcome response(List<ClientDecision> decisions, Windows windows) {
    RateLimitResponse.Builder out = RateLimitResponse.newBuilder();
    boolean over = false;
    int binding = -1;
    for (int i = 0; i < decisions.size(); i++) {
      ClientDecision d = decisions.get(i);
      if (d.source() == DecisionSource.FAIL_OPEN || d.source() == DecisionSource.FAIL_CLOSED) {
        if (failureMode == FailureMode.UNAVAILABLE) {
          return Outcome.failed(
              Status.UNAVAILABLE.withDescription(
                  "Sluice gave no decision for descriptors["
                      + i
                      + "] ("
                      + d.cause()
                      + "); sluice.rls.failure.mode is UNAVAILABLE"));
        }
        boolean deny = failureMode == FailureMode.DENY;
        over |= deny;
        out.addStatuses(DescriptorStatus.newBuilder().setCode(deny ? Code.OVER_LIMIT : Code.OK));
        continue;
      }
      Verdict v = d.verdict();
      if (v.reason() == Reason.INVALID_REQUEST) {
        return Outcome.failed(
            Status.INVALID_ARGUMENT.withDescription(
                "descriptors[" + i + "]: Sluice refused the request: " + v.message()));
      }
      DescriptorStatus.Builder s = DescriptorStatus.newBuilder();
      s.setCode(v.allowed() ? Code.OK : Code.OVER_LIMIT);
      over |= !v.allowed();
      if (v.ruleId() != null && v.limit() >= 0) {
        long window = windows.windowSeconds(v.ruleId(), v.limitIndex());
        s.setCurrentLimit(
            RateLimit.newBuilder()
                .setName(v.ruleId())
                .setRequestsPerUnit((int) Math.min(UINT32_MAX, v.limit()))
                .setUnit(unit(window)));
        s.setLimitRemaining((int) Math.min(UINT32_MAX, Math.max(0, v.remaining())));
        if (v.resetAfterMs() >= 0) {
          s.setDurationUntilReset(duration(v.resetAfterMs()));
        }
        if (binding < 0 || binds(v, decisions.get(binding).verdict())) {
          binding = i;
        }
      }
      out.addStatuses(s);
    }
    out.setOverallCode(over ? Code.OVER_LIMIT : Code.OK);
    if (headers && binding >= 0) {
      Verdict v = decisions.get(binding).verdict();
      long window = windows.windowSeconds(v.ruleId(), v.limitIndex());
      for (Map.Entry<String, String> h : RateLimitHeaders.of(v, window).entrySet()) {
        out.addResponseHeadersToAdd(
            HeaderValue.newBuilder().setKey(h.getKey()).setValue(h.getValue()));
      }
    }
    return Outcome.of(out.build());
  }

  /** The answer when no decision can be asked for at all ({@code why}: e.g. not connected). */
  Outcome withoutSluice(int descriptors, String why) {
    if (failureMode == FailureMode.UNAVAILABLE) {
      return Outcome.failed(
          Status.UNAVAILABLE.withDescription(why + "; sluice.rls.failure.mode is UNAVAILABLE"));
    }
    Code code = failureMode == FailureMode.DENY ? Code.OVER_LIMIT : Code.OK;
    RateLimitResponse.Builder out = RateLimitResponse.newBuilder().setOverallCode(code);
    for (int i = 0; i < descriptors; i++) {
      out.addStatuses(DescriptorStatus.newBuilder().setCode(code));
    }
    return Outcome.of(out.build());
  }

  /** Whether {@code a} binds more than {@code b} (the one the caller should hear about). */
  static boolean binds(Verdict a, Verdict b) {
    if (a.allowed() != b.allowed()) {
      return !a.allowed();
    }
    if (!a.allowed()) {
      long ra = a.retryAfterMs() < 0 ? Long.MAX_VALUE : a.retryAfterMs();
      long rb = b.retryAfterMs() < 0 ? Long.MAX_VALUE : b.retryAfterMs();
      return ra > rb;
    }
    return a.remaining() < b.remaining();
  }

  /** The unit of a window that is exactly one unit long; {@code UNKNOWN} otherwise. */
  static RateLimit.Unit unit(long windowSeconds) {
    if (windowSeconds == 1) {
      return RateLimit.Unit.SECOND;
    } else if (windowSeconds == 60) {
      return RateLimit.Unit.MINUTE;
    } else if (windowSeconds == 3_600) {
      return RateLimit.Unit.HOUR;
    } else if (windowSeconds == 86_400) {
      return RateLimit.Unit.DAY;
    } else if (windowSeconds == 604_800) {
      return RateLimit.Unit.WEEK;
    }
    return RateLimit.Unit.UNKNOWN;
  }

  static Duration duration(long ms) {
    return Duration.newBuilder()
        .setSeconds(ms / 1000)
        .setNanos((int) (ms % 1000) * 1_000_000)
        .build();
  }
}
