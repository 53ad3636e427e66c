/**
 * Test support shared by the integration tests and the benchmark: a real single-broker Kafka
 * cluster in the test JVM ({@link dev.sluice.client.testing.TestKafka}), the real Sluice service
 * (the streams-app topology) running on it ({@link dev.sluice.client.testing.SluiceService}), a
 * trivial echo responder standing in for the service where a test exercises the client alone or
 * measures its overhead ({@link dev.sluice.client.testing.EchoResponder}), and the window counts of
 * the lease bound checks ({@link dev.sluice.client.testing.SortedTimes}).
 */
package dev.sluice.client.testing;
