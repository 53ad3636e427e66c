/**
 * The client throughput benchmark ({@link dev.sluice.client.bench.ClientThroughputBench}): a main
 * class, not a test, run with the {@code bench} Maven profile (see the decision-client README).
 */
package dev.sluice.client.bench;
