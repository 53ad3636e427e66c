package dev.sluice.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class SluiceConfigTest {
  private static final Path BAD = Path.of("src", "test", "resources", "config", "bad");

  @Test
  void shouldUseTheDocumentedDefaults() {
    SluiceConfig c = SluiceConfig.defaultConfig();
    assertEquals(
        List.of(
            "sluice.rules",
            "sluice.rules-applied",
            "sluice.requests",
            "sluice.decisions",
            "sluice.dead-letters"),
        List.of(
            c.rulesTopic(),
            c.rulesAppliedTopic(),
            c.requestsTopic(),
            c.decisionsTopic(),
            c.deadLettersTopic()));
    assertEquals(8080, c.httpPort());
    assertEquals("0.0.0.0", c.httpBindAddress());
    assertTrue(c.httpCountersEnabled());
    assertEquals(10_000, c.replyTopicCheckIntervalMs());
    assertEquals(10_000, c.replyTopicCacheMaxEntries());
    assertEquals(64L << 20, c.rocksDbCacheBytes());
    assertTrue(c.replyTopicAllowed("sluice.decisions"));
    assertFalse(c.replyTopicAllowed("sluice.decisions2"));
  }

  @Test
  void shouldSetLingerAndDeadLettersExplicitlyAndPassOtherKeysThrough() {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", "localhost:9092");
    p.setProperty("processing.guarantee", "exactly_once_v2");
    Properties s = SluiceConfig.fromProperties(p).streamsProperties();
    assertEquals("5", s.getProperty("producer.linger.ms"), "exactly-once: visible at commit");
    p.setProperty("processing.guarantee", "at_least_once");
    assertEquals(
        "0",
        SluiceConfig.fromProperties(p).streamsProperties().getProperty("producer.linger.ms"),
        "at-least-once: visible when written");
    p.setProperty("processing.guarantee", "exactly_once_v2");
    assertEquals(
        "sluice.dead-letters",
        s.getProperty(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG));
    assertEquals("exactly_once_v2", s.getProperty("processing.guarantee"));
    p.setProperty("linger.ms", "5");
    assertEquals(
        null,
        SluiceConfig.fromProperties(p).streamsProperties().getProperty("producer.linger.ms"),
        "an operator's linger.ms wins");
  }

  @Test
  void shouldMapEnvironmentVariablesToKeys() {
    Properties p =
        SluiceConfig.withEnvironment(
            new Properties(),
            Map.of(
                "SLUICE_TOPIC_RULES_APPLIED", "x.applied",
                "SLUICE_BOOTSTRAP_SERVERS", "b:9092",
                "SLUICE_SCHEMA_REGISTRY_URL", "http://r:8081",
                "PATH", "/bin"));
    assertEquals("http://r:8081", p.getProperty("sluice.schema.registry.url"));
    SluiceConfig c = SluiceConfig.fromProperties(p);
    assertEquals("http://r:8081", c.delegated().get("sluice.schema.registry.url"));
    assertEquals(null, c.streamsProperties().getProperty("sluice.schema.registry.url"));
    assertEquals("x.applied", p.getProperty("sluice.topic.rules-applied"));
    assertEquals("b:9092", p.getProperty("bootstrap.servers"));
    assertEquals(3, p.size());
  }

  @Test
  void shouldReadWhereTheHttpServerListensAndWhetherItServesCounters() {
    Properties p = new Properties();
    p.setProperty("sluice.http.bind.address", "127.0.0.1");
    p.setProperty("sluice.http.counters.enabled", "false");
    SluiceConfig c = SluiceConfig.fromProperties(p);
    assertEquals("127.0.0.1", c.httpBindAddress());
    assertFalse(c.httpCountersEnabled());
    assertFalse(
        c.streamsProperties().containsKey("sluice.http.bind.address"), "not passed to Streams");
    Properties env =
        SluiceConfig.withEnvironment(
            new Properties(),
            Map.of("SLUICE_HTTP_BIND_ADDRESS", "::1", "SLUICE_HTTP_COUNTERS_ENABLED", "false"));
    assertEquals("::1", SluiceConfig.fromProperties(env).httpBindAddress());
    assertFalse(SluiceConfig.fromProperties(env).httpCountersEnabled());
  }

  /** Each file in config/bad starts with {@code # expect: <message fragment>}. */
  @TestFactory
  Stream<DynamicTest> shouldRejectEachBadConfigNamingTheKey() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(BAD)) {
      files = s.sorted().toList();
    }
    assertFalse(files.isEmpty());
    return files.stream()
        .map(
            file ->
                DynamicTest.dynamicTest(
                    file.getFileName().toString(),
                    () -> {
                      String expect =
                          Files.readAllLines(file).get(0).replaceFirst("^# expect: ", "");
                      Properties p = new Properties();
                      try (InputStream in = Files.newInputStream(file)) {
                        p.load(in);
                      }
                      IllegalArgumentException e =
                          assertThrows(
                              IllegalArgumentException.class, () -> SluiceConfig.fromProperties(p));
                      assertTrue(
                          e.getMessage().contains(expect),
                          e.getMessage() + " should contain " + expect);
                    }));
  }
}
