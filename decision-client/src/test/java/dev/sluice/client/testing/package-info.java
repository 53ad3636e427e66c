/**
 * Test support shared by the integration tests and the benchmark: a real single-broker Kafka
 * cluster in the test JVM ({@link dev.sluice.client.testing.TestKafka}) and a trivial echo
 * responder standing in for the service where a test exercises the client alone ({@link
 * dev.sluice.client.testing.EchoResponder}).
 */
package dev.sluice.client.testing;
