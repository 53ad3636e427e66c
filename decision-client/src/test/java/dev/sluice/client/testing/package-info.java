/**
 * Test support shared by the integration tests and the benchmark: a real single-broker Kafka
 * cluster in the test JVM ({@link dev.sluice.client.testing.TestKafka}), the real Sluice service
 * (the streams-app topology) running on it ({@link dev.sluice.client.testing.SluiceService}), and a
 * trivial echo responder standing in for the service where a test exercises the client alone or
 * measures its overhead ({@link dev.sluice.client.testing.EchoResponder}).
 */
package dev.sluice.client.testing;
