package dev.sluice.rls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.client.ClientDecision;
import dev.sluice.client.DecisionClient;
import dev.sluice.client.DecisionClientConfig;
import dev.sluice.client.DecisionSource;
import dev.sluice.core.Reason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Node.js producer of {@code examples/node} (kafkajs and avsc from npm, no Java client) against
 * a real broker and the real Sluice service: it produces requests in both encodings Sluice reads
 * (Avro single-object and JSON) and reads the decisions from its reply topic and partition.
 */
class NodeProducerExampleIntegrationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SCRIPT = NodeScript.repoRoot().resolve("examples/node/producer.js");
  private static final String REPLY_TOPIC = SluiceForTests.REPLY_TOPIC_PREFIX + "decisions";

  private static SluiceForTests sluice;

  @BeforeAll
  static void start() throws Exception {
    NodeScript.requireInstalled(SCRIPT.getParent());
    sluice = SluiceForTests.start();
    sluice.createTopic(REPLY_TOPIC);
    sluice.publishRules(
        Map.of(
            "login-per-user",
            "{\"id\":\"login-per-user\",\"key\":\"login:*\",\"limit\":3,\"windowSeconds\":60,"
                + "\"algorithm\":\"FIXED_WINDOW\"}"));
    // Wait until the rule applies, asking with the Java client on a partition of its own.
    try (DecisionClient client =
        DecisionClient.create(
            DecisionClientConfig.builder(sluice.bootstrapServers())
                .replyPartitions(1)
                .timeout(Duration.ofSeconds(5))
                .build())) {
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (true) {
        ClientDecision d = client.decide("login:warm-up", Map.of(), 1);
        if (d.source() == DecisionSource.SERVICE && d.reason() != Reason.NO_MATCHING_RULE) {
          break;
        }
        assertTrue(System.nanoTime() < deadline, "the rule never applied: " + d);
        Thread.sleep(200);
      }
    }
  }

  @AfterAll
  static void stop() {
    if (sluice != null) {
      sluice.close();
    }
  }

  private static List<JsonNode> produce(String... flags) throws Exception {
    List<String> args = new ArrayList<>(List.of("--bootstrap", sluice.bootstrapServers()));
    args.addAll(List.of(flags));
    List<JsonNode> out = new ArrayList<>();
    for (String line : NodeScript.run(SCRIPT, "", 120, args.toArray(String[]::new))) {
      out.add(JSON.readTree(line));
    }
    return out;
  }

  private static void assertLimitedAfterThree(List<JsonNode> decisions, String key) {
    assertEquals(4, decisions.size(), decisions.toString());
    for (int i = 0; i < 3; i++) {
      JsonNode d = decisions.get(i);
      assertEquals(key, d.path("key").asText(), d.toString());
      assertTrue(d.path("allowed").asBoolean(), d.toString());
      assertEquals("ALLOWED", d.path("reason").asText(), d.toString());
      assertEquals("login-per-user", d.path("ruleId").asText(), d.toString());
      assertEquals(2 - i, d.path("remaining").asInt(), d.toString());
    }
    JsonNode denied = decisions.get(3);
    assertEquals(false, denied.path("allowed").asBoolean(), denied.toString());
    assertEquals("RATE_LIMITED", denied.path("reason").asText(), denied.toString());
    assertTrue(denied.path("retryAfterMs").asLong() > 0, denied.toString());
    assertTrue(denied.path("requestId").asText().startsWith("node-"), denied.toString());
  }

  @Test
  void shouldGetDecisionsForAvroSingleObjectRequests() throws Exception {
    assertLimitedAfterThree(
        produce(
            "--key",
            "login:node-avro",
            "--count",
            "4",
            "--encoding",
            "avro",
            "--reply-topic",
            REPLY_TOPIC,
            "--reply-partition",
            "0",
            "--timeout-ms",
            "20000"),
        "login:node-avro");
  }

  @Test
  void shouldGetDecisionsForJsonRequests() throws Exception {
    assertLimitedAfterThree(
        produce(
            "--key",
            "login:node-json",
            "--count",
            "4",
            "--encoding",
            "json",
            "--reply-topic",
            REPLY_TOPIC,
            "--reply-partition",
            "0",
            "--timeout-ms",
            "20000"),
        "login:node-json");
  }

  @Test
  void shouldGetDecisionsOnAPartitionOfTheDefaultDecisionsTopic() throws Exception {
    List<JsonNode> d =
        produce(
            "--key",
            "login:node-default",
            "--count",
            "1",
            "--meta",
            "region=eu",
            "--reply-partition",
            "3",
            "--timeout-ms",
            "20000");
    assertEquals(1, d.size(), d.toString());
    assertEquals("ALLOWED", d.get(0).path("reason").asText(), d.toString());
  }
}
