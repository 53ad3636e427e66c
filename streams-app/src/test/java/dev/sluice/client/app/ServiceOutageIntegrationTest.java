package dev.sluice.client.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.client.DecisionClient;
import dev.sluice.client.DecisionClientConfig;
import dev.sluice.client.FailurePolicy;
import dev.sluice.client.testing.TestKafka;
import dev.sluice.client.testing.Waits;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client of the real Sluice service while their only broker is stopped and started again: checks
 * complete by policy within their timeout during the outage, and service decisions resume after.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ServiceOutageIntegrationTest {
  private static final long TIMEOUT_MS = 1000;
  private static final long SLACK_MS = 1000;

  @Test
  void shouldCompleteByPolicyWithinTheTimeoutWhileTheBrokerIsDownAndRecoverAfter()
      throws Exception {
    try (TestKafka kafka = TestKafka.start()) {
      SluiceService.createTopics(kafka, 2, 2);
      try (SluiceService service = SluiceService.start(kafka);
          DecisionClient client =
              DecisionClient.create(
                  DecisionClientConfig.builder(kafka.bootstrapServers())
                      .timeout(Duration.ofMillis(TIMEOUT_MS))
                      .failurePolicy(FailurePolicy.FAIL_CLOSED)
                      .build())) {
        assertEquals(
            20,
            Waits.serviceDecisionsInARow(client, 20, 60),
            "the service answers before the outage");

        kafka.checkDuringOutage(
            client,
            "user:",
            100,
            TIMEOUT_MS,
            round -> round.assertAllFailedClosedWithin(TIMEOUT_MS + SLACK_MS));

        kafka.startBroker();
        assertEquals(
            50,
            Waits.serviceDecisionsInARow(client, 50, 100),
            "service decisions resume after the outage");
        assertEquals(0, client.metrics().inFlight());
        assertTrue(service.state().isRunningOrRebalancing(), "the service survived the outage");
      }
    }
  }
}
