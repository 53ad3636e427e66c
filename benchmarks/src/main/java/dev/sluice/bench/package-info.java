/**
 * Benchmarks, run by hand, never by the test suite: JMH micro-benchmarks ({@link
 * dev.sluice.bench.IndexBenchmark}) and measuring mains ({@link dev.sluice.bench.IndexMemory}),
 * with the realistic data they share ({@link dev.sluice.bench.RuleGenerator}). Commands and results
 * are in {@code benchmarks/README.md}.
 */
package dev.sluice.bench;
