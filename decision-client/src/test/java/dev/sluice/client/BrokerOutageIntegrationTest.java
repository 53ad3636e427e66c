package dev.sluice.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.client.testing.EchoResponder;
import dev.sluice.client.testing.TestKafka;
import dev.sluice.client.testing.Waits;
import java.time.Duration;
import java.util.Map;
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

        kafka.checkDuringOutage(
            client,
            "k",
            200,
            TIMEOUT_MS,
            round -> {
              assertTrue(
                  round.submitMs() < TIMEOUT_MS,
                  "check() never blocks on the dead broker: " + round.submitMs());
              // The slack covers scheduling on a loaded 2-core machine (broker, responder and
              // client share this JVM); the deadline thread itself fires within ~0.1 ms of a
              // deadline.
              round.assertAllFailedClosedWithin(TIMEOUT_MS + SLACK_MS);
              for (ClientDecision d : round.decisions()) {
                assertTrue(
                    d.cause() == FailureCause.TIMEOUT || d.cause() == FailureCause.SEND_FAILED,
                    "cause " + d.cause());
              }
            });

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
