/**
 * JMH benchmarks of the per-request hot path (decode, match, evaluate, encode) and a small main
 * that prints the state bytes per counter. Run commands are in docs/PERFORMANCE.md.
 */
package dev.sluice.bench.hotpath;
