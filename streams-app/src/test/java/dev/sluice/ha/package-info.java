/**
 * Reliability tests: failure tests that kill real processes ({@code *FailureTest}, run by the
 * {@code failure-tests} Maven profile, see docs/RELIABILITY.md) and the bad-input fuzz test of the
 * default suite.
 *
 * <p>The harness starts a three-node KRaft cluster ({@link KafkaProcessCluster}) and Sluice
 * instances ({@link SluiceProcess}) as separate JVMs on loopback, each with its log under {@code
 * target/ha-logs/} and its data under {@code target/ha-data/}; every child is killed when the test
 * class ends, and by a JVM shutdown hook should the test JVM itself end early ({@link
 * ChildProcess}). Load goes through the real decision client ({@link Load}); decisions are also
 * counted at the source, on the decisions topic, by a read_committed consumer ({@link
 * DecisionLog}). {@link Findings} turns both into the figures, {@link HaReport} prints them and
 * writes {@code target/ha-report.json}.
 *
 * <p>{@link LeaseIntegrationTest} (default suite) reuses the child-process helpers for another
 * purpose: leasing decision clients in separate JVMs ({@link LeaseClientMain}) against the real
 * service in the test JVM, counting each algorithm's bound from the clients' admission logs.
 */
package dev.sluice.ha;
