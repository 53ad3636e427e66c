package dev.sluice.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.Decision;
import dev.sluice.avro.RateLimitAlgorithm;
import dev.sluice.avro.RateLimitRequest;
import dev.sluice.avro.Rule;
import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import dev.sluice.schema.AvroCodec;
import dev.sluice.schema.DecisionCodec;
import dev.sluice.schema.registry.FakeSchemaRegistry;
import dev.sluice.schema.registry.RegistryAvroCodec;
import dev.sluice.schema.registry.SchemaRegistryClient;
import dev.sluice.schema.registry.SchemaRegistryConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topology reading and writing the schema-registry wire format against the replaying test
 * registry of the schemas module (an HTTP server speaking the documented REST protocol).
 */
class RecordFormatsTest {
  @TempDir Path dir;
  private FakeSchemaRegistry registry;
  private TopologyFixture f;

  @AfterEach
  void stop() {
    if (f != null) {
      f.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  private static SchemaRegistryClient client(String url) {
    return new SchemaRegistryClient(
        SchemaRegistryConfig.of(url).withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)));
  }

  private TopologyFixture fixture(SchemaRegistryClient client) {
    SluiceConfig config = SluiceConfig.defaultConfig();
    return new TopologyFixture(
        dir, new Properties(), DecisionMetrics.NONE, RecordFormats.of(config, Optional.of(client)));
  }

  private static Rule rule(String id, String key, long limit) {
    return Rule.newBuilder()
        .setId(id)
        .setKey(key)
        .setLimit(limit)
        .setWindowSeconds(10L)
        .setAlgorithm(RateLimitAlgorithm.FIXED_WINDOW)
        .build();
  }

  private static RateLimitRequest request(String id, String key) {
    return RateLimitRequest.newBuilder().setId(id).setKey(key).setMetadata(Map.of()).build();
  }

  @Test
  void shouldDecideRegistryFramedRequestsAndWriteRegistryFramedDecisions() throws Exception {
    registry = FakeSchemaRegistry.start();
    SchemaRegistryClient client = client(registry.url());
    f = fixture(client);
    RegistryAvroCodec<Rule> rules =
        new RegistryAvroCodec<>(AvroCodec.RULE, client, "sluice.rules-value");
    RegistryAvroCodec<RateLimitRequest> requests =
        new RegistryAvroCodec<>(AvroCodec.REQUEST, client, "sluice.requests-value");
    RegistryAvroCodec<Decision> decisions =
        new RegistryAvroCodec<>(AvroCodec.DECISION, client, "sluice.decisions-value");

    f.rules.pipeInput("r", rules.encode(rule("r", "k", 1)));
    f.requests.pipeInput(
        new TestRecord<>("k", requests.encode(request("1", "k")), new RecordHeaders(), 0L));
    f.requests.pipeInput(
        new TestRecord<>(
            "k", AvroCodec.REQUEST.encode(request("2", "k")), new RecordHeaders(), 1L));

    List<TestRecord<String, byte[]>> out = f.decisions.readRecordsToList();
    assertEquals(2, out.size());
    for (TestRecord<String, byte[]> d : out) {
      assertEquals(RegistryAvroCodec.MAGIC, d.value()[0], "decisions in the registry format");
    }
    Verdict first = DecisionCodec.fromAvro(decisions.decode(out.get(0).value()));
    Verdict second = DecisionCodec.fromAvro(decisions.decode(out.get(1).value()));
    assertEquals(Reason.ALLOWED, first.reason());
    assertEquals("r", first.ruleId());
    assertEquals(Reason.RATE_LIMITED, second.reason(), "single-object requests still read");
    assertTrue(f.deadLetters.isEmpty());
  }

  @Test
  void shouldStopRatherThanDeadLetterWhenTheRegistryIsDown() throws Exception {
    registry = FakeSchemaRegistry.start();
    byte[] framed =
        new RegistryAvroCodec<>(AvroCodec.REQUEST, client(registry.url()), "sluice.requests-value")
            .encode(request("1", "k"));
    // A fresh process whose registry is unreachable: it cannot fetch schema id 1.
    f = fixture(client(FakeSchemaRegistry.closedPortUrl()));
    assertThrows(
        StreamsException.class,
        () -> f.requests.pipeInput(new TestRecord<>("k", framed, new RecordHeaders(), 0L)));
    assertTrue(f.deadLetters.isEmpty(), "a good record is never dead-lettered for an outage");
    assertTrue(f.decisions.isEmpty());
  }

  @Test
  void shouldDeadLetterRegistryFramedBytesThatCanNeverDecode() throws Exception {
    registry = FakeSchemaRegistry.start();
    f = fixture(client(registry.url()));
    // Schema id 4242 is unknown to the registry: the record itself is at fault.
    f.requests.pipeInput("k", new byte[] {0, 0, 0, 0x10, (byte) 0x92, 2, 'x'});
    assertEquals(1, f.deadLetters.readRecordsToList().size());
    assertTrue(f.decisions.isEmpty());
  }
}
