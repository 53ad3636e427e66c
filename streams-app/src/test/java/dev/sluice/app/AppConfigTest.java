package dev.sluice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AppConfigTest {
  private static final Path CONFIGS = Path.of("src/test/resources/config");

  @Test
  void shouldApplyStreamsDefaultsUnderTheFileSettings() {
    AppConfig config =
        AppConfig.forInstance(CONFIGS.resolve("valid.properties"), Map.of(), Map.of());
    Properties p = config.streamsProperties();
    assertEquals("exactly_once_v2", p.getProperty("processing.guarantee"));
    assertEquals("1", p.getProperty("num.standby.replicas"));
    assertEquals("classic", p.getProperty("group.protocol"));
    assertEquals("6000", p.getProperty("session.timeout.ms"));
    assertEquals("1500", p.getProperty("heartbeat.interval.ms"));
    assertEquals("100", p.getProperty("commit.interval.ms"));
    assertEquals("3", p.getProperty("replication.factor"));
    assertEquals("5", p.getProperty("producer.linger.ms"), "exactly-once, the default");
    assertEquals("-1", p.getProperty("max.task.idle.ms"));
    assertEquals("5000", p.getProperty("producer.transaction.timeout.ms"));
    assertEquals("2", p.getProperty("topic.min.insync.replicas"));
    assertEquals("sluice-prod", config.applicationId());
    assertEquals("broker-1:9092,broker-2:9092", config.bootstrapServers());
    assertEquals(9000, config.sluice().httpPort());
  }

  @Test
  void shouldLetEnvironmentOverrideFileAndFlagsOverrideEnvironment() {
    Map<String, String> env =
        Map.of(
            "SLUICE_BOOTSTRAP_SERVERS", "env-broker:9092",
            "SLUICE_TOPIC_RULES_APPLIED", "custom.applied",
            "SLUICE_HTTP_PORT", "9100",
            "SLUICE_NUM_STANDBY_REPLICAS", "2",
            "PATH", "/usr/bin");
    AppConfig config =
        AppConfig.forInstance(
            CONFIGS.resolve("valid.properties"), env, Map.of("sluice.http.port", "9200"));
    assertEquals("env-broker:9092", config.bootstrapServers());
    assertEquals("custom.applied", config.sluice().rulesAppliedTopic());
    assertEquals("2", config.streamsProperties().getProperty("num.standby.replicas"));
    assertEquals(9200, config.sluice().httpPort());
  }

  @Test
  void shouldSetADashedDelegatedKeyFromTheEnvironment() {
    AppConfig config =
        AppConfig.forInstance(
            CONFIGS.resolve("valid.properties"),
            Map.of("SLUICE_METRICS_MAX_RULE_TAGS", "25"),
            Map.of());
    assertEquals("25", config.sluice().delegated().get("sluice.metrics.max-rule-tags"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "misspelled-key",
        "missing-bootstrap",
        "bad-number",
        "bad-streams-value",
        "bad-bootstrap",
        "bad-replication-factor",
        "rack-tag-without-client-tag",
        "max-block-above-transaction-timeout"
      })
  void shouldRejectBadConfigWithTheFixtureError(String name) throws IOException {
    String expected =
        Files.readString(CONFIGS.resolve(name + ".error"), StandardCharsets.UTF_8).strip();
    CliException e =
        assertThrows(
            CliException.class,
            () -> AppConfig.forInstance(CONFIGS.resolve(name + ".properties"), Map.of(), Map.of()));
    assertTrue(
        e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    assertTrue(e.getMessage().contains(name + ".properties"), e.getMessage());
  }

  @Test
  void shouldBoundProducerBlockingBelowTheTransactionTimeout() {
    Map<String, String> base = Map.of("bootstrap.servers", "localhost:9092");
    AppConfig config = AppConfig.forInstance(null, Map.of(), base);
    assertEquals(
        AppConfig.DEFAULT_MAX_BLOCK_MS,
        config.streamsProperties().getProperty("producer.max.block.ms"));
    Map<String, String> plain = new java.util.HashMap<>(base);
    plain.put("max.block.ms", "1000");
    assertEquals(
        null,
        AppConfig.forInstance(null, Map.of(), plain)
            .streamsProperties()
            .getProperty("producer.max.block.ms"),
        "a plain max.block.ms is not overridden by the prefixed default");
    Map<String, String> atLeastOnce = new java.util.HashMap<>(base);
    atLeastOnce.put("processing.guarantee", "at_least_once");
    atLeastOnce.put("producer.max.block.ms", "60000");
    AppConfig.forInstance(null, Map.of(), atLeastOnce); // no transaction to outlive
  }

  @Test
  void shouldReportEveryProblemAtOnce() {
    CliException e =
        assertThrows(
            CliException.class,
            () ->
                AppConfig.forInstance(
                    null, Map.of(), Map.of("replication.factor", "-7", "sluice.nope", "1")));
    assertTrue(e.getMessage().contains("bootstrap.servers: required"), e.getMessage());
    assertTrue(e.getMessage().contains("replication.factor"), e.getMessage());
    assertTrue(e.getMessage().contains("sluice.nope: unknown Sluice setting"), e.getMessage());
  }

  @Test
  void shouldNameAMissingConfigFile() {
    CliException e =
        assertThrows(
            CliException.class,
            () -> AppConfig.forInstance(Path.of("no/such.properties"), Map.of(), Map.of()));
    assertEquals("config file no/such.properties does not exist", e.getMessage());
  }

  @Test
  void shouldGiveClientsOnlySettingsTheyKnow() {
    AppConfig config =
        AppConfig.forClient(
            null,
            Map.of(),
            Map.of(
                "bootstrap.servers", "b:9092",
                "security.protocol", "SSL",
                "num.stream.threads", "4"));
    Map<String, Object> producer = config.clientProperties(ProducerConfig.configNames());
    assertEquals("SSL", producer.get("security.protocol"));
    assertEquals(Set.of("bootstrap.servers", "security.protocol"), producer.keySet());
  }

  @Test
  void shouldPlaceStandbysByTheZoneTagsGiven() {
    AppConfig config =
        AppConfig.forInstance(
            null,
            Map.of("SLUICE_CLIENT_TAG_ZONE", "eu-west-1a"),
            Map.of("bootstrap.servers", "b:9092", "client.tag.rack", "r7"));
    Properties p = config.streamsProperties();
    assertEquals("eu-west-1a", p.getProperty("client.tag.zone"));
    assertEquals("rack,zone", p.getProperty("rack.aware.assignment.tags"));
  }

  @Test
  void shouldKeepAnExplicitTagListAndNoTagsWhenNoneAreGiven() {
    Properties explicit =
        AppConfig.forInstance(
                null,
                Map.of(),
                Map.of(
                    "bootstrap.servers", "b:9092",
                    "client.tag.zone", "a",
                    "client.tag.rack", "r1",
                    "rack.aware.assignment.tags", "zone"))
            .streamsProperties();
    assertEquals("zone", explicit.getProperty("rack.aware.assignment.tags"));
    Properties none =
        AppConfig.forInstance(null, Map.of(), Map.of("bootstrap.servers", "b:9092"))
            .streamsProperties();
    assertEquals(null, none.getProperty("rack.aware.assignment.tags"));
  }

  @Test
  void shouldAskForTwoInSyncReplicasOnlyWhenInternalTopicsHaveThree() {
    Properties one =
        AppConfig.forInstance(
                null, Map.of(), Map.of("bootstrap.servers", "b:9092", "replication.factor", "1"))
            .streamsProperties();
    assertEquals(null, one.getProperty("topic.min.insync.replicas"));
    Properties own =
        AppConfig.forInstance(
                null,
                Map.of(),
                Map.of("bootstrap.servers", "b:9092", "topic.min.insync.replicas", "3"))
            .streamsProperties();
    assertEquals("3", own.getProperty("topic.min.insync.replicas"));
  }
}
