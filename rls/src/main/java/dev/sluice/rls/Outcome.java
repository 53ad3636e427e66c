package dev.sluice.rls;

import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.grpc.Status;

/**
 * The answer to one call: a response, or a gRPC status when the call fails as a whole (malformed
 * descriptor, Sluice unavailable with {@link FailureMode#UNAVAILABLE}, too many calls at once).
 *
 * @param response the response, or null when {@code error} is set
 * @param error the failure, or null when {@code response} is set
 */
record Outcome(RateLimitResponse response, Status error) {
  static Outcome of(RateLimitResponse response) {
    return new Outcome(response, null);
  }

  static Outcome failed(Status error) {
    return new Outcome(null, error);
  }
}
