package dev.sluice.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.Decision;
import dev.sluice.avro.DecisionReason;
import dev.sluice.schema.AvroCodec;
import dev.sluice.simulate.Simulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limiter's routing when {@link ReplyTopics} says a request's reply topic cannot be written
 * (issue 17 item 1), in the whole topology: the request is answered {@code INVALID_REQUEST} on the
 * decisions topic, charges nothing, and is dead-lettered with its raw bytes at stage {@code
 * reply-topic}; requests for writable reply topics go on as before. (The instance's real {@link
 * ReplyTopics} needs a broker: {@code ReplyTopicIntegrationTest}.)
 */
class ReplyTopicRoutingTest {
  @TempDir Path dir;

  @Test
  void shouldAnswerOnTheDecisionsTopicChargeNothingAndDeadLetterTheRequest() {
    Properties sluice = new Properties();
    sluice.setProperty(SluiceConfig.REPLY_TOPIC_PREFIXES, "replies.");
    SluiceConfig config = SluiceConfig.fromProperties(sluice);
    Properties props = config.streamsProperties();
    props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "sluice-test");
    ReplyTopics gone = topic -> topic.equals("replies.gone") ? "does not exist" : null;
    props.put(ReplyTopics.CONFIG, gone);
    try (TopologyTestDriver driver =
        new TopologyTestDriver(RateLimiterTopology.build(config), props, Instant.EPOCH)) {
      Simulator.Topics t = Simulator.Topics.open(driver, config);
      TestOutputTopic<String, byte[]> ok =
          driver.createOutputTopic(
              "replies.ok", new StringDeserializer(), new ByteArrayDeserializer());
      t.rules()
          .pipeInput("r", utf8("{\"id\":\"r\",\"key\":\"k\",\"limit\":1,\"windowSeconds\":60}"));

      String bad = "{\"id\":\"a\",\"key\":\"k\",\"replyTopic\":\"replies.gone\"}";
      t.requests().pipeInput(new TestRecord<>("k", utf8(bad), new RecordHeaders(), 1_000L));
      Decision a = AvroCodec.DECISION.decode(t.decisions().readValue());
      assertEquals("a", a.getRequestId());
      assertEquals(DecisionReason.INVALID_REQUEST, a.getReason());
      assertEquals("replyTopic: does not exist (got \"replies.gone\")", a.getMessage());
      TestRecord<byte[], byte[]> dead = t.deadLetters().readRecord();
      assertEquals(bad, new String(dead.value(), StandardCharsets.UTF_8));
      assertEquals("reply-topic", DeadLetters.header(dead.headers(), DeadLetters.STAGE));
      assertEquals(
          "replyTopic: does not exist (got \"replies.gone\")",
          DeadLetters.header(dead.headers(), DeadLetters.MESSAGE));

      // Nothing was charged: the rule's one permit is still there for a writable reply topic.
      t.requests()
          .pipeInput(
              new TestRecord<>(
                  "k",
                  utf8("{\"id\":\"b\",\"key\":\"k\",\"replyTopic\":\"replies.ok\"}"),
                  new RecordHeaders(),
                  2_000L));
      Decision b = AvroCodec.DECISION.decode(ok.readValue());
      assertEquals(DecisionReason.ALLOWED, b.getReason());
      assertTrue(t.decisions().isEmpty() && t.deadLetters().isEmpty());

      // The reply topic is named before replyPartition (SPEC order), after the other fields.
      t.requests()
          .pipeInput(
              new TestRecord<>(
                  "k",
                  utf8(
                      "{\"id\":\"c\",\"key\":\"k\",\"replyTopic\":\"replies.gone\","
                          + "\"replyPartition\":-1}"),
                  new RecordHeaders(),
                  3_000L));
      t.requests()
          .pipeInput(
              new TestRecord<>(
                  "k",
                  utf8("{\"id\":\"d\",\"key\":\"k\",\"cost\":-1,\"replyTopic\":\"replies.gone\"}"),
                  new RecordHeaders(),
                  4_000L));
      List<Decision> cd =
          t.decisions().readValuesToList().stream().map(AvroCodec.DECISION::decode).toList();
      assertTrue(cd.get(0).getMessage().startsWith("replyTopic: does not exist"));
      assertTrue(cd.get(1).getMessage().startsWith("cost: "), cd.get(1).getMessage());
      assertEquals(2, t.deadLetters().readRecordsToList().size(), "both dead-lettered");
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
