/**
 * Ask Sluice for rate-limit decisions over Kafka, request-reply.
 *
 * <p>The public surface is small: build a {@link dev.sluice.client.DecisionClientConfig}, create a
 * {@link dev.sluice.client.DecisionClient}, call {@link dev.sluice.client.DecisionClient#check} (or
 * the blocking {@link dev.sluice.client.DecisionClient#decide}), read the {@link
 * dev.sluice.client.ClientDecision}, and optionally turn it into HTTP response headers with {@link
 * dev.sluice.client.RateLimitHeaders}. Everything else in this package is package-private.
 *
 * <p>The contract in one paragraph: each check is one Avro {@code RateLimitRequest} produced to the
 * requests topic and stamped with one of this instance's reply partitions; the service writes the
 * {@code Decision} there; one consumer thread matches it to the pending future by request id. Every
 * future completes exactly once, with the service's decision or, at its deadline (and on send
 * failure, overload, missing reply partition or close), by the configured {@link
 * dev.sluice.client.FailurePolicy}. {@link dev.sluice.client.ClientDecision#source()} says which
 * path produced a decision and {@link dev.sluice.client.ClientDecision#cause()} why. A future never
 * completes exceptionally except on an internal error.
 */
package dev.sluice.client;
