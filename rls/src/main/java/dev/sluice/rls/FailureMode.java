package dev.sluice.rls;

/**
 * What the server answers for a descriptor when Sluice gives no decision in time (timeout, send
 * failure, the decision client overloaded, closed or not connected yet).
 */
public enum FailureMode {
  /** The descriptor's status is {@code OK}: availability over strictness. */
  ALLOW,
  /** The descriptor's status is {@code OVER_LIMIT}: strictness over availability. */
  DENY,
  /**
   * The whole call fails with gRPC {@code UNAVAILABLE} (HTTP 503 on {@code /json}), so that the
   * caller's own setting decides (Envoy's {@code failure_mode_deny}). The default.
   */
  UNAVAILABLE
}
