/**
 * Envoy's rate-limit service (RLS v3, {@code envoy.service.ratelimit.v3.RateLimitService}) and
 * envoy ratelimit's HTTP {@code POST /json} check, answered by Sluice through the decision client.
 *
 * <p>A stateless process: each descriptor of a call becomes one Sluice check ({@link
 * dev.sluice.rls.DescriptorMapping}), and the decisions become the Envoy response ({@link
 * dev.sluice.rls.ResponseMapping}). {@link dev.sluice.rls.RlsMain} runs it; {@link
 * dev.sluice.rls.RlsConfig} is its configuration. docs/RLS.md describes the mapping.
 */
package dev.sluice.rls;
