/**
 * {@code sluice bench}: the end-to-end load runner. It starts (or attaches to) a broker and a
 * Sluice instance, loads a generated rule set, drives open-loop load at fixed rates and measures
 * decision latency from each request's intended send time, beside a raw consume/produce relay on
 * the same broker (the physical limit), its transactional form, a single raw produce-to-consume
 * hop, and on request the relay as a Kafka Streams application without and with a counter store
 * like Sluice's (the floors of the framework and of the design). Results go to {@code results.json}
 * and {@code latency.svg}; docs/PERFORMANCE.md explains them.
 */
package dev.sluice.bench.e2e;
