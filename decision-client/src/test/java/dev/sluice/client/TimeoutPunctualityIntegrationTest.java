package dev.sluice.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.client.bench.TimeoutLatenessBench;
import dev.sluice.client.testing.TestKafka;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17 item 3 on a real broker: with nothing answering, 3,000 checks a second are each answered
 * by policy at their timeout, none of them late by a quarter of a second (the deadline loop used to
 * park up to a second past an overdue deadline). Not a timing benchmark: the bound is far above the
 * goal (p99 under 10 ms, measured by {@link TimeoutLatenessBench} and recorded in
 * docs/RELIABILITY.md) so that a loaded machine does not fail it, and far below the old lateness.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TimeoutPunctualityIntegrationTest {
  private static TestKafka kafka;

  @BeforeAll
  static void startKafka() throws Exception {
    kafka = TestKafka.start();
  }

  @AfterAll
  static void stopKafka() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void shouldAnswerEveryCheckAtItsTimeoutWhenNoServiceAnswers() throws Exception {
    kafka.createTopics(Map.of("punctual.requests", 2, "punctual.decisions", 2));
    try (DecisionClient client =
        DecisionClient.create(
            DecisionClientConfig.builder(kafka.bootstrapServers())
                .requestsTopic("punctual.requests")
                .replyTopic("punctual.decisions")
                .replyGroupId("punctual")
                .timeout(Duration.ofSeconds(2))
                .failurePolicy(FailurePolicy.FAIL_OPEN)
                .startupTimeout(Duration.ofSeconds(30))
                .build())) {
      TimeoutLatenessBench.Result r = TimeoutLatenessBench.measure(client, 3000, 5, 2000);
      Histogram h = r.latenessMicros();
      assertEquals(15_000, r.checks(), "every check completed");
      assertEquals(0, r.notTimeouts(), "each by TIMEOUT, none early");
      String figures =
          String.format(
              "lateness ms: p50 %.3f p99 %.3f max %.3f",
              h.getValueAtPercentile(50) / 1000.0,
              h.getValueAtPercentile(99) / 1000.0,
              h.getMaxValue() / 1000.0);
      System.out.println(figures);
      assertTrue(h.getMaxValue() < 250_000, figures);
    }
  }
}
