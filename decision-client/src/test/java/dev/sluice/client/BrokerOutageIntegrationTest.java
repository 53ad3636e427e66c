package dev.sluice.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.client.testing.EchoResponder;
import dev.sluice.client.testing.TestKafka;
import dev.sluice.client.testing.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client while its only broker is stopped and started again (a real broker in this JVM). */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class BrokerOutageIntegrationTest {
  private static final long TIMEOUT_MS = 500;
  private static final long SLACK_MS = 1000;

  @Test
  void shouldCompleteByPolicyWithinTheTimeoutWhileTheBrokerIsDownAndRecoverAfter()
      throws Exception {
    try (TestKafka kafka = TestKafka.start()) {
      kafka.createTopics(Map.of("out.requests", 2, "out.decisions", 2));
      try (EchoResponder echo =
              EchoResponder.start(kafka.bootstrapServers(), "out.requests", "out.decisions");
          DecisionClient client =
              DecisionClient.create(
                  DecisionClientConfig.builder(kafka.bootstrapServers())
                      .requestsTopic("out.requests")
                      .replyTopic("out.decisions")
                      .timeout(Duration.ofMillis(TIMEOUT_MS))
                      .failurePolicy(FailurePolicy.FAIL_CLOSED)
                      .build())) {
        assertEquals(
            50, Waits.serviceDecisionsInARow(client, 50, 90), "service decisions at start");

        kafka.stopBroker();
        for (int round = 0; round < 3; round++) {
          List<CompletableFuture<ClientDecision>> futures = new ArrayList<>();
          long start = System.nanoTime();
          for (int i = 0; i < 200; i++) {
            futures.add(client.check("k" + i, Map.of(), 1));
          }
          long submitMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          assertTrue(submitMs < TIMEOUT_MS, "check() never blocks on the dead broker: " + submitMs);
          CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
              .get(TIMEOUT_MS + 5000, TimeUnit.MILLISECONDS);
          long doneMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          // The slack covers scheduling on a loaded 2-core machine (broker, responder and client
          // share this JVM); the deadline thread itself fires within ~0.1 ms of a deadline.
          assertTrue(
              doneMs < TIMEOUT_MS + SLACK_MS, "all completed by policy after " + doneMs + " ms");
          for (CompletableFuture<ClientDecision> f : futures) {
            ClientDecision d = f.join();
            assertEquals(DecisionSource.FAIL_CLOSED, d.source());
            assertFalse(d.allowed());
            assertTrue(
                d.cause() == FailureCause.TIMEOUT || d.cause() == FailureCause.SEND_FAILED,
                "cause " + d.cause());
          }
          Thread.sleep(1000); // the outage goes on between rounds
        }

        kafka.startBroker();
        // While the restarted broker catches up, metadata may still flap (sends fail at once by
        // policy); recovery means service decisions come back and stay.
        assertEquals(
            50,
            Waits.serviceDecisionsInARow(client, 50, 90),
            "service decisions resume after the outage");
        assertEquals(0, client.metrics().inFlight());
        assertTrue(echo.answered() >= 100);
      }
    }
  }
}
