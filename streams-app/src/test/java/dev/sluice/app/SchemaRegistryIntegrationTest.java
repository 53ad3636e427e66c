package dev.sluice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.Decision;
import dev.sluice.avro.RateLimitRequest;
import dev.sluice.client.CheckRequest;
import dev.sluice.client.ClientDecision;
import dev.sluice.client.DecisionClient;
import dev.sluice.client.DecisionSource;
import dev.sluice.core.Reason;
import dev.sluice.schema.AvroCodec;
import dev.sluice.schema.registry.FakeSchemaRegistry;
import dev.sluice.schema.registry.RegistryAvroCodec;
import dev.sluice.schema.registry.SchemaRegistryClient;
import dev.sluice.schema.registry.SchemaRegistryConfig;
import dev.sluice.schema.registry.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Sluice instance, {@code rules apply} and the decision client configured with {@code
 * sluice.schema.registry.url}, on the in-process broker, against the schemas module's replaying
 * schema-registry server (the documented REST protocol over the JDK's HTTP server; no live registry
 * runs here): rules, requests and decisions travel in the registry wire format.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SchemaRegistryIntegrationTest {
  @TempDir Path tmp;

  @Test
  void shouldAcceptRegistryFramedRecordsAndAnswerInTheRegistryFormat() throws Exception {
    try (FakeSchemaRegistry registry = FakeSchemaRegistry.start();
        EmbeddedKafka kafka = EmbeddedKafka.start(Files.createTempDirectory("sluice-sr-it-"), 0)) {
      Map<String, String> env =
          Map.of(
              "SLUICE_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
              "SLUICE_SCHEMA_REGISTRY_URL", registry.url());
      Map<String, String> o = new HashMap<>();
      o.put("application.id", "sluice-sr-it");
      o.put("state.dir", tmp.resolve("state").toString());
      o.put("replication.factor", "1");
      o.put("num.standby.replicas", "0");
      AppConfig config = AppConfig.forInstance(null, env, o);
      Io quiet =
          new Io(
              new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
              new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
              env);
      RunCommand.prepareCluster(config, true, 1, quiet);

      assertEquals(
          0,
          RulesCommand.run(
              List.of("apply", Path.of("src/test/resources/rules/valid.json").toString()), quiet));
      Map<String, byte[]> published = KafkaAccess.readLatest(config, "sluice.rules");
      assertEquals(2, published.size());
      published
          .values()
          .forEach(
              v -> assertEquals(WireFormat.Encoding.REGISTRY, WireFormat.sniff(v), "rules apply"));

      try (SluiceInstance instance = SluiceInstance.start(config, 0)) {
        assertTrue(instance.awaitReady(Duration.ofSeconds(60)), "instance ready");

        // The client writes registry-framed requests and reads registry-framed decisions.
        try (DecisionClient client = Decisions.client(config, Duration.ofSeconds(10))) {
          ClientDecision d = client.decide(CheckRequest.of("login:alice"));
          assertEquals(DecisionSource.SERVICE, d.source());
          assertEquals(Reason.ALLOWED, d.reason());
          assertEquals("login", d.ruleId());
          assertEquals(2, d.remaining());
        }

        // A plain producer's registry-framed request; its decision read raw.
        SchemaRegistryClient sr = new SchemaRegistryClient(SchemaRegistryConfig.of(registry.url()));
        byte[] request =
            new RegistryAvroCodec<>(AvroCodec.REQUEST, sr, "sluice.requests-value")
                .encode(
                    RateLimitRequest.newBuilder()
                        .setId("raw-1")
                        .setKey("login:bob")
                        .setMetadata(Map.of())
                        .setReplyPartition(0)
                        .build());
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer =
            new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer())) {
          producer.send(new ProducerRecord<>("sluice.requests", "login:bob", request)).get();
        }
        Decision decision = readDecision(kafka.bootstrapServers(), "raw-1", sr);
        assertEquals("login", decision.getRuleId());
        assertEquals(2L, decision.getRemaining());
        assertTrue(
            KafkaAccess.readLatest(config, "sluice.dead-letters").isEmpty(),
            "nothing dead-lettered");
      }
    }
  }

  private static Decision readDecision(
      String bootstrap, String requestId, SchemaRegistryClient sr) {
    RegistryAvroCodec<Decision> codec =
        new RegistryAvroCodec<>(AvroCodec.DECISION, sr, "sluice.decisions-value");
    Properties cp = new Properties();
    cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(cp, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(new org.apache.kafka.common.TopicPartition("sluice.decisions", 0)));
      consumer.seekToBeginning(consumer.assignment());
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          assertEquals(RegistryAvroCodec.MAGIC, r.value()[0], "decision in the registry format");
          Decision d = codec.decode(r.value());
          if (d.getRequestId().equals(requestId)) {
            return d;
          }
        }
      }
    }
    throw new AssertionError("no decision for " + requestId);
  }
}
