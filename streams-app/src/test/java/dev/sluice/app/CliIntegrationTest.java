package dev.sluice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin commands, the startup check and the HTTP endpoints against a real broker (the same
 * in-process KRaft broker {@code sluice local} runs) and a real Sluice instance. The tests share
 * one broker and one instance and run in order: later ones build on the rules earlier ones applied.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliIntegrationTest {
  private static final Path RULES = Path.of("src/test/resources/rules");

  @TempDir Path tmp;
  private EmbeddedKafka kafka;
  private SluiceInstance instance;
  private Map<String, String> env;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void startBroker() throws IOException {
    kafka = EmbeddedKafka.start(Files.createTempDirectory("sluice-it-"), 0);
    env = Map.of("SLUICE_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
  }

  @AfterAll
  void stop() {
    if (instance != null) {
      instance.close(Duration.ofSeconds(20));
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  private AppConfig instanceConfig(Map<String, String> overrides) {
    Map<String, String> o = new java.util.HashMap<>();
    o.put("application.id", "sluice-it");
    o.put("state.dir", tmp.resolve("state").toString());
    o.put("replication.factor", "1");
    o.put("num.standby.replicas", "0");
    o.put("application.server", "localhost:1");
    o.putAll(overrides);
    return AppConfig.forInstance(null, env, o);
  }

  /** Runs a command with captured output; returns {exit code, stdout, stderr}. */
  private List<String> sluice(String... args) throws Exception {
    CapturedIo captured = new CapturedIo(env);
    Io io = captured.io();
    int rc;
    try {
      List<String> argv = List.of(args).subList(1, args.length);
      rc =
          switch (args[0]) {
            case "rules" -> RulesCommand.run(argv, io);
            case "check" -> CheckCommand.run(argv, io);
            default -> throw new IllegalArgumentException(args[0]);
          };
    } catch (CliException e) {
      rc = e.exitCode();
      io.err().println(e.getMessage());
    }
    List<String> result = new ArrayList<>();
    result.add(String.valueOf(rc));
    result.add(captured.out());
    result.add(captured.err());
    return result;
  }

  private static void eventually(String what, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("timed out waiting until " + what);
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + instance.httpPort() + path))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @Order(1)
  void runStartupCheckShouldNameMissingTopicsThenCreateThem() {
    AppConfig config = instanceConfig(Map.of());
    Io quiet = new CapturedIo(env).io();
    CliException e =
        assertThrows(CliException.class, () -> RunCommand.prepareCluster(config, false, 2, quiet));
    assertTrue(
        e.getMessage()
            .startsWith(
                "missing topic(s): sluice.dead-letters, sluice.decisions, sluice.requests, sluice.rules,"
                    + " sluice.rules-applied"),
        e.getMessage());
    assertTrue(e.getMessage().contains("--create-topics"), e.getMessage());

    RunCommand.prepareCluster(config, true, 2, quiet);
    RunCommand.prepareCluster(config, false, 2, quiet);
  }

  @Test
  @Order(2)
  void runStartupCheckShouldRefuseAReplicationFactorAboveTheBrokerCount() {
    AppConfig config = instanceConfig(Map.of("replication.factor", "3"));
    Io quiet = new CapturedIo(env).io();
    CliException e =
        assertThrows(CliException.class, () -> RunCommand.prepareCluster(config, false, 2, quiet));
    assertTrue(e.getMessage().contains("replication.factor is 3 but the cluster"), e.getMessage());
    assertTrue(e.getMessage().contains("has 1 broker(s)"), e.getMessage());
  }

  @Test
  @Order(3)
  void rulesApplyShouldPublishOnlyWhatChangedAndRefuseInvalidFiles() throws Exception {
    instance = SluiceInstance.start(instanceConfig(Map.of()), 0);
    assertTrue(instance.awaitReady(Duration.ofSeconds(90)), "instance ready");

    List<String> invalid = sluice("rules", "apply", RULES.resolve("invalid.json").toString());
    assertEquals("1", invalid.get(0));
    assertTrue(invalid.get(2).contains("nothing published"), invalid.get(2));

    List<String> first = sluice("rules", "apply", RULES.resolve("valid.json").toString());
    assertEquals("0", first.get(0), first.get(2));
    assertTrue(first.get(1).contains("created 2, updated 0, unchanged 0, deleted 0"), first.get(1));

    List<String> again = sluice("rules", "apply", RULES.resolve("valid.json").toString());
    assertTrue(again.get(1).contains("created 0, updated 0, unchanged 2, deleted 0"), again.get(1));

    List<String> limits =
        sluice("rules", "apply", RULES.resolve("limits.json").toString(), "--dry-run");
    assertEquals("0", limits.get(0), limits.get(2));
    assertTrue(
        limits.get(1).contains("updated    api  api:*  #0 20/1s TOKEN_BUCKET, #1 10000/1d"),
        limits.get(1));
    assertTrue(
        limits.get(1).contains("created 0, updated 1, unchanged 1, deleted 0"), limits.get(1));

    Path changed = tmp.resolve("changed.json");
    Files.writeString(
        changed,
        "[{\"id\": \"login\", \"key\": \"login:*\", \"limit\": 2, \"windowSeconds\": 3600,"
            + " \"algorithm\": \"SLIDING_WINDOW\"}]");
    List<String> dry = sluice("rules", "apply", changed.toString(), "--prune", "--dry-run");
    assertTrue(dry.get(1).contains("dry run, nothing published"), dry.get(1));
    List<String> pruned = sluice("rules", "apply", changed.toString(), "--prune");
    assertTrue(
        pruned.get(1).contains("created 0, updated 1, unchanged 0, deleted 1"), pruned.get(1));
  }

  @Test
  @Order(4)
  void rulesListShouldShowTheRulesTheServiceHolds() throws Exception {
    eventually(
        "the service holds exactly the login rule at limit 2",
        () -> {
          try {
            List<String> list = sluice("rules", "list", "--json");
            JsonNode rules = RuleJson.MAPPER.readTree(list.get(1));
            return rules.size() == 1
                && rules.get(0).get("id").asText().equals("login")
                && rules.get(0).get("limit").asLong() == 2;
          } catch (Exception e) {
            return false;
          }
        });
    List<String> table = sluice("rules", "list");
    assertTrue(table.get(1).startsWith("ID"), table.get(1));
    assertTrue(table.get(1).contains("login:*"), table.get(1));
    assertTrue(table.get(1).contains("1 rule(s) in sluice.rules-applied"), table.get(1));
  }

  @Test
  @Order(5)
  void checkShouldPrintTheServiceDecision() throws Exception {
    eventually("ready", () -> instance.readiness().ready());
    List<String> probe = sluice("check", "--key", "login:alice", "--cost", "0", "--json");
    assertEquals("0", probe.get(0), probe.get(2));
    JsonNode p = RuleJson.MAPPER.readTree(probe.get(1));
    assertEquals("ALLOWED", p.get("reason").asText());
    assertEquals(0, p.get("granted").asLong(), "a check-only request takes nothing");
    assertEquals(0, p.get("limitIndex").asLong());
    assertEquals(2, p.get("remaining").asLong());

    List<String> first = sluice("check", "--key", "login:alice", "--json");
    assertEquals("0", first.get(0), first.get(2));
    JsonNode d = RuleJson.MAPPER.readTree(first.get(1));
    assertEquals("ALLOWED", d.get("reason").asText());
    assertEquals("login", d.get("ruleId").asText());
    assertEquals(1, d.get("remaining").asLong());
    assertEquals("SERVICE", d.get("source").asText());

    sluice("check", "--key", "login:alice");
    List<String> denied = sluice("check", "--key", "login:alice");
    assertEquals("0", denied.get(0), denied.get(2));
    assertTrue(denied.get(1).startsWith("DENIED  login:alice"), denied.get(1));
    assertTrue(denied.get(1).contains("RATE_LIMITED"), denied.get(1));
    assertTrue(denied.get(1).contains("granted     0"), denied.get(1));

    List<String> partial = sluice("check", "--key", "login:bob", "--max-cost", "5");
    assertEquals("0", partial.get(0), partial.get(2));
    assertTrue(partial.get(1).startsWith("ALLOWED  login:bob"), partial.get(1));
    assertTrue(partial.get(1).contains("granted     2"), partial.get(1));
    assertTrue(partial.get(1).contains("remaining   0/2"), partial.get(1));
    assertTrue(partial.get(1).contains("limit index 0"), partial.get(1));

    List<String> refused = sluice("check", "--key", "login:bob", "--cost", "0", "--max-cost", "1");
    assertEquals("2", refused.get(0));
    assertTrue(
        refused.get(2).contains("--max-cost: must be 0 when cost is 0 (got 1)"), refused.get(2));
  }

  @Test
  @Order(6)
  void httpShouldServeHealthMetricsAndCounters() throws Exception {
    assertEquals(200, get("/health/live").statusCode());
    HttpResponse<String> ready = get("/health/ready");
    assertEquals(200, ready.statusCode(), ready.body());
    assertTrue(ready.body().contains("\"rulesLoaded\":1"), ready.body());

    String metrics = get("/metrics").body();
    assertTrue(metrics.contains("sluice_rules_loaded 1.0"), metrics);
    assertTrue(metrics.contains("kafka_stream_"), "Kafka Streams metrics bound");
    assertTrue(metrics.contains("rules_applied_total"), "Sluice sensors exposed");
    // Order 5 made four allowed checks (a check-only one and a partial grant among them) and one
    // denied check under rule "login"; the refused --max-cost never reached the service.
    assertTrue(
        metrics.contains("sluice_decisions_total{reason=\"ALLOWED\",ruleId=\"login\"} 4.0"),
        metrics);
    assertTrue(
        metrics.contains("sluice_decisions_total{reason=\"RATE_LIMITED\",ruleId=\"login\"} 1.0"),
        metrics);
    assertTrue(metrics.contains("sluice_decision_latency_seconds_bucket{"), metrics);
    assertTrue(metrics.contains("sluice_decision_latency_seconds_count"), metrics);
    assertTrue(metrics.contains("sluice_dead_letters_total{stage=\"deserialization\"}"), metrics);
    assertTrue(metrics.contains("sluice_dead_letters_total{stage=\"rule-validator\"}"), metrics);

    HttpResponse<String> counters = get("/counters?key=login:alice");
    assertEquals(200, counters.statusCode(), counters.body());
    JsonNode body = RuleJson.MAPPER.readTree(counters.body());
    assertEquals("active", body.get("servedBy").asText());
    assertEquals("login", body.get("rule").get("id").asText());
    JsonNode counter = body.get("counters").get(0);
    assertTrue(counter.get("current").asBoolean(), counters.body());
    assertFalse(counter.get("ifRequestedNow").get("allowed").asBoolean(), counters.body());

    assertEquals(400, get("/counters").statusCode());
    assertEquals(404, get("/counters?key=nothing:matches").statusCode());
  }

  @Test
  @Order(7)
  void rulesDeleteShouldTombstoneTheRule() throws Exception {
    List<String> unknown = sluice("rules", "delete", "no-such-rule");
    assertEquals("1", unknown.get(0));
    assertTrue(unknown.get(2).contains("no rule with id 'no-such-rule'"), unknown.get(2));

    List<String> deleted = sluice("rules", "delete", "login");
    assertEquals("0", deleted.get(0), deleted.get(2));
    eventually(
        "the service holds no rule",
        () -> {
          try {
            return RuleJson.MAPPER.readTree(sluice("rules", "list", "--json").get(1)).isEmpty();
          } catch (Exception e) {
            return false;
          }
        });
  }
}
