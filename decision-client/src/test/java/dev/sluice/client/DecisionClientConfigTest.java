package dev.sluice.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class DecisionClientConfigTest {

  @Test
  void shouldApplyTheDocumentedDefaults() {
    DecisionClientConfig c = DecisionClientConfig.builder("localhost:9092").build();
    assertEquals("localhost:9092", c.bootstrapServers());
    assertEquals("sluice.requests", c.requestsTopic());
    assertEquals("sluice.decisions", c.replyTopic());
    assertEquals("sluice.rules", c.rulesTopic());
    assertEquals(Duration.ofMillis(500), c.timeout());
    assertEquals(FailurePolicy.FAIL_OPEN, c.failurePolicy());
    assertEquals(10_000, c.maxInFlight());
    assertEquals(Duration.ofMillis(1), c.linger());
    assertTrue(c.automaticReplyPartitions());
    assertEquals("sluice-client", c.replyGroupId());
    assertEquals(Duration.ofSeconds(30), c.startupTimeout());
    assertEquals(1.0, c.localFallbackShare());
    assertEquals(100_000, c.localFallbackMaxCounters());
    assertEquals(Map.of(), c.kafkaProperties());
  }

  @Test
  void shouldListEveryInvalidSettingAtOnce() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                DecisionClientConfig.builder(" ")
                    .timeout(Duration.ofMinutes(6))
                    .maxInFlight(-1)
                    .linger(Duration.ofMillis(-1))
                    .localFallbackMaxCounters(0)
                    .startupTimeout(null)
                    .failurePolicy(null)
                    .build());
    String m = e.getMessage();
    assertTrue(m.startsWith("invalid DecisionClientConfig: "), m);
    for (String expected :
        List.of(
            "bootstrapServers (bootstrap.servers): is required (got \" \")",
            "timeout (sluice.client.timeout.ms): must be 1 ms to 300000 ms (got 360000 ms)",
            "maxInFlight (sluice.client.max.in.flight): must be 1 to 1000000 (got -1)",
            "linger (sluice.client.linger.ms): must be 0 ms to 1000 ms (got -1 ms)",
            "localFallbackMaxCounters (sluice.client.fallback.max.counters): must be 1 to"
                + " 10000000 (got 0)",
            "startupTimeout (sluice.client.startup.timeout.ms): is required",
            "failurePolicy (sluice.client.failure.policy): is required")) {
      assertTrue(m.contains(expected), "missing <" + expected + "> in " + m);
    }
  }

  @Test
  void shouldRefuseSubMillisecondDurations() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DecisionClientConfig.builder("b:1").timeout(Duration.ofNanos(1_500_000)).build());
    assertTrue(e.getMessage().contains("timeout (sluice.client.timeout.ms): must be whole"));
  }

  @Test
  void shouldRefuseKafkaPropertiesTheClientOwns() {
    for (String key : DecisionClientConfig.RESERVED_KAFKA_KEYS) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> DecisionClientConfig.builder("b:1").kafkaProperty(key, "x").build(),
              key);
      assertTrue(e.getMessage().contains("kafkaProperties: " + key + " is set by the client"));
    }
  }

  @Test
  void shouldKeepSecretsOutOfToString() {
    DecisionClientConfig c =
        DecisionClientConfig.builder("b:1")
            .kafkaProperty("sasl.jaas.config", "password=\"hunter2\"")
            .build();
    assertFalse(c.toString().contains("hunter2"), c.toString());
    assertTrue(c.toString().contains("sasl.jaas.config"));
  }

  @Test
  void shouldReadEverySettingFromProperties() throws IOException {
    DecisionClientConfig c =
        DecisionClientConfig.fromProperties(load(resource("good/full.properties")));
    assertEquals("broker-1:9093,broker-2:9093", c.bootstrapServers());
    assertEquals("acme.requests", c.requestsTopic());
    assertEquals("acme.decisions", c.replyTopic());
    assertEquals("acme.rules", c.rulesTopic());
    assertEquals(Duration.ofMillis(250), c.timeout());
    assertEquals(FailurePolicy.LOCAL_FALLBACK, c.failurePolicy());
    assertEquals(2000, c.maxInFlight());
    assertEquals(Duration.ofMillis(2), c.linger());
    assertEquals("checkout", c.replyGroupId());
    assertEquals(Duration.ofSeconds(10), c.startupTimeout());
    assertEquals(0.25, c.localFallbackShare());
    assertEquals(5000, c.localFallbackMaxCounters());
    assertEquals(
        Optional.of(
            new LeaseSettings(
                Duration.ofMillis(100),
                0.25,
                500,
                64,
                Duration.ofMillis(2000),
                Duration.ofMillis(300))),
        c.leasing());
    assertEquals(
        Map.of(
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "ssl.truststore.location", "/etc/kafka/truststore.jks"),
        c.kafkaProperties());
  }

  @Test
  void shouldLeaveLeasingOffByDefaultAndTakeTheDefaultsWhenOnlyEnabled() {
    assertEquals(Optional.empty(), DecisionClientConfig.builder("b:1").build().leasing());
    assertEquals(
        Optional.of(LeaseSettings.defaults()),
        DecisionClientConfig.fromProperties(
                Map.of("bootstrap.servers", "b:1", "sluice.client.lease.enabled", "true"))
            .leasing());
  }

  @Test
  void shouldNameEveryInvalidLeaseSetting() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new LeaseSettings(
                    Duration.ZERO, 0, 0, 0, Duration.ofMillis(-1), Duration.ofMinutes(2)));
    for (String expected :
        List.of(
            "horizon (sluice.client.lease.horizon.ms): must be 1 ms to 1000 ms (got 0 ms)",
            "maxShare (sluice.client.lease.max.share): must be > 0 and <= 1 (got 0.0)",
            "maxPairs (sluice.client.lease.max.pairs): must be 1 to 1000000 (got 0)",
            "maxWaiters (sluice.client.lease.max.waiters): must be 1 to 10000 (got 0)",
            "denialCacheMax (sluice.client.lease.denial.cache.max.ms): must be 0 ms to 60000 ms"
                + " (got -1 ms)",
            "noRuleCache (sluice.client.lease.no.rule.cache.ms): must be 0 ms to 60000 ms (got"
                + " 120000 ms)")) {
      assertTrue(e.getMessage().contains(expected), "missing <" + expected + "> in " + e);
    }
  }

  @Test
  void shouldReadExplicitReplyPartitions() {
    DecisionClientConfig c =
        DecisionClientConfig.fromProperties(
            Map.of("bootstrap.servers", "b:1", "sluice.client.reply.partitions", " 3, 1 "));
    assertEquals(List.of(3, 1), c.replyPartitions());
    assertFalse(c.automaticReplyPartitions());
  }

  @Test
  void shouldTellConfigsApartByTheirSchemaRegistry() {
    DecisionClientConfig plain =
        DecisionClientConfig.fromProperties(Map.of("bootstrap.servers", "b:1"));
    DecisionClientConfig registry =
        DecisionClientConfig.fromProperties(
            Map.of("bootstrap.servers", "b:1", "sluice.schema.registry.url", "http://r:8081"));
    assertFalse(plain.equals(registry), "a registry config must not equal the embedded one");
    assertEquals(
        registry,
        DecisionClientConfig.fromProperties(
            Map.of("bootstrap.servers", "b:1", "sluice.schema.registry.url", "http://r:8081")));
    assertEquals(
        registry.hashCode(),
        DecisionClientConfig.fromProperties(
                Map.of("bootstrap.servers", "b:1", "sluice.schema.registry.url", "http://r:8081"))
            .hashCode());
  }

  /** Each file in config/bad must fail with the message on its first line ({@code # expect: }). */
  @TestFactory
  Stream<DynamicTest> shouldRejectEveryBadConfigFixtureWithItsMessage() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    try (Stream<Path> files = Files.list(resource("bad"))) {
      for (Path file : files.sorted().toList()) {
        tests.add(
            DynamicTest.dynamicTest(
                file.getFileName().toString(),
                () -> {
                  String first = Files.readAllLines(file, StandardCharsets.UTF_8).get(0);
                  assertTrue(first.startsWith("# expect: "), file + " names its expected error");
                  String expected = first.substring("# expect: ".length());
                  Map<String, String> props = load(file);
                  IllegalArgumentException e =
                      assertThrows(
                          IllegalArgumentException.class,
                          () -> DecisionClientConfig.fromProperties(props));
                  assertTrue(
                      e.getMessage().contains(expected),
                      "expected <" + expected + "> in <" + e.getMessage() + ">");
                }));
      }
    }
    assertTrue(tests.size() >= 10);
    return tests.stream();
  }

  private static Path resource(String name) {
    try {
      return Path.of(DecisionClientConfigTest.class.getResource("/config/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> load(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    Map<String, String> m = new TreeMap<>();
    p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
    return m;
  }
}
