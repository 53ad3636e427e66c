package dev.sluice.simulate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.schema.AvroCodec;
import dev.sluice.schema.DecisionCodec;
import dev.sluice.topology.DeadLetters;
import dev.sluice.topology.RateLimiterTopology;
import dev.sluice.topology.SluiceConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Runs the production topology ({@link RateLimiterTopology#build}) in a {@link TopologyTestDriver},
 * feeding it rules and request lines one at a time and printing what comes out after each (SPEC 7).
 * Rules and requests meet in exact input order because the driver processes each record completely,
 * rule store update included, before the next one goes in.
 *
 * <p>The driver's wall clock never moves, so the idle-counter sweep never runs: a simulation keeps
 * every counter, exactly as the maths says.
 */
public final class Simulator implements AutoCloseable {
  /** Same strictness as the service's codecs, so a line is classified as the service reads it. */
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private final PrintWriter out;
  private final PrintWriter err;
  private final Path stateDir;
  private final TopologyTestDriver driver;
  private final Topics topics;
  private long decisionCount;

  /**
   * The {@code timestampMs} to print in the decision of the request line just piped, when its
   * record could not carry it: the given integer (even beyond 64 bits) or JSON null; else null.
   */
  private JsonNode timestampAsGiven;

  /**
   * The driver's ends of Sluice's topics, with the serdes the topology uses: keys as strings (the
   * dead-letter topic keeps the raw key bytes), values as bytes. Public so that the topology's
   * {@link TopologyTestDriver} tests pipe and read exactly as the simulator does.
   *
   * @param rules the rules topic
   * @param requests the requests topic
   * @param decisions the decisions topic
   * @param deadLetters the dead-letter topic
   * @param rulesApplied the internal applied-rules topic
   */
  public record Topics(
      TestInputTopic<String, byte[]> rules,
      TestInputTopic<String, byte[]> requests,
      TestOutputTopic<String, byte[]> decisions,
      TestOutputTopic<byte[], byte[]> deadLetters,
      TestOutputTopic<String, byte[]> rulesApplied) {

    /** Opens the topics {@code config} names on {@code driver}. */
    public static Topics open(TopologyTestDriver driver, SluiceConfig config) {
      return new Topics(
          driver.createInputTopic(
              config.rulesTopic(), new StringSerializer(), new ByteArraySerializer()),
          driver.createInputTopic(
              config.requestsTopic(), new StringSerializer(), new ByteArraySerializer()),
          driver.createOutputTopic(
              config.decisionsTopic(), new StringDeserializer(), new ByteArrayDeserializer()),
          driver.createOutputTopic(
              config.deadLettersTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer()),
          driver.createOutputTopic(
              config.rulesAppliedTopic(), new StringDeserializer(), new ByteArrayDeserializer()));
    }
  }

  /**
   * Starts the topology with {@code config}.
   *
   * @param out where decisions go, one JSON line each
   * @param err where rejections and dead letters are reported, one line each
   */
  public Simulator(SluiceConfig config, PrintWriter out, PrintWriter err) throws IOException {
    this.out = out;
    this.err = err;
    this.stateDir = Files.createTempDirectory("sluice-simulate");
    Properties props = config.streamsProperties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "sluice-simulate");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver = new TopologyTestDriver(RateLimiterTopology.build(config), props, Instant.EPOCH);
    topics = Topics.open(driver, config);
  }

  /** Publishes one rules-file entry, keyed by its {@code id} when that is a string. */
  public void rule(JsonNode entry, String where) {
    JsonNode id = entry.get("id");
    pipeRule(id != null && id.isTextual() ? id.textValue() : null, bytes(entry));
    drain(where);
  }

  /** Processes one requests-file line (SPEC 7); {@code lineNumber} is used in messages. */
  public void line(String line, long lineNumber) {
    String where = "line " + lineNumber;
    if (line.isBlank()) {
      return;
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      node = null;
    }
    if (node != null && node.isObject() && node.has("rule")) {
      JsonNode rule = node.get("rule");
      JsonNode id = rule.get("id");
      pipeRule(id != null && id.isTextual() ? id.textValue() : null, bytes(rule));
    } else if (node != null && node.isObject() && node.has("deleteRuleId")) {
      JsonNode id = node.get("deleteRuleId");
      pipeRule(id.isTextual() ? id.textValue() : null, null);
    } else {
      pipeRequest(node, line);
    }
    drain(where);
  }

  private void pipeRule(String key, byte[] value) {
    topics.rules().pipeInput(new TestRecord<>(key, value, new RecordHeaders(), 0L));
  }

  /**
   * Pipes the line's own bytes, as a client would produce them. The time is {@code timestampMs}
   * (SPEC 7). When a record timestamp cannot carry it (missing, not an integer, negative, beyond 64
   * bits), the record gets time 0 and the raw text in {@link
   * RateLimiterTopology#INVALID_TIMESTAMP_HEADER}, on which the limiter answers INVALID_REQUEST
   * naming timestampMs, and the printed decision's {@code timestampMs} is the given integer, or
   * null when it was not an integer. {@code 2.0} and {@code 1e3} are not integers: JSON numbers
   * with a fraction or exponent never are, whatever their value. An integer above 2^53 that fits 64
   * bits is carried as the record time, and the limiter's range check names it. Anything that is
   * not a JSON object goes in as is and comes out as a dead letter.
   */
  private void pipeRequest(JsonNode node, String line) {
    byte[] value = line.getBytes(StandardCharsets.UTF_8);
    RecordHeaders headers = new RecordHeaders();
    if (node == null || !node.isObject()) {
      topics.requests().pipeInput(new TestRecord<>(null, value, headers, 0L));
      return;
    }
    JsonNode key = node.get("key");
    JsonNode ts = node.get("timestampMs");
    long time = 0L;
    if (ts != null && ts.isIntegralNumber() && ts.canConvertToLong() && ts.longValue() >= 0) {
      time = ts.longValue();
    } else {
      String raw = ts == null || ts.isNull() ? "" : ts.toString();
      headers.add(
          RateLimiterTopology.INVALID_TIMESTAMP_HEADER, raw.getBytes(StandardCharsets.UTF_8));
      timestampAsGiven =
          ts != null && ts.isIntegralNumber()
              ? JsonNodeFactory.instance.numberNode(ts.bigIntegerValue())
              : JsonNodeFactory.instance.nullNode();
    }
    topics
        .requests()
        .pipeInput(
            new TestRecord<>(
                key != null && key.isTextual() ? key.textValue() : null, value, headers, time));
  }

  private void drain(String where) {
    while (!topics.decisions().isEmpty()) {
      String json = DecisionCodec.toJson(AvroCodec.DECISION.decode(topics.decisions().readValue()));
      out.println(timestampAsGiven == null ? json : withTimestamp(json, timestampAsGiven));
      decisionCount++;
    }
    timestampAsGiven = null;
    while (!topics.deadLetters().isEmpty()) {
      err.println(describe(topics.deadLetters().readRecord(), where));
    }
    // Validated rules also land in an output queue of the driver; drop them to bound memory.
    if (!topics.rulesApplied().isEmpty()) {
      topics.rulesApplied().readRecordsToList();
    }
  }

  /** The decision line with its {@code timestampMs} replaced, every other field as it was. */
  private static String withTimestamp(String decisionJson, JsonNode timestamp) {
    try {
      ObjectNode decision = (ObjectNode) MAPPER.readTree(decisionJson);
      decision.set("timestampMs", timestamp);
      return MAPPER.writeValueAsString(decision);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String describe(TestRecord<byte[], byte[]> dead, String where) {
    String stage = DeadLetters.header(dead.headers(), DeadLetters.STAGE);
    String message = DeadLetters.header(dead.headers(), DeadLetters.MESSAGE);
    if (DeadLetters.Stage.RULE_VALIDATOR.header().equals(stage)) {
      String id = DeadLetters.header(dead.headers(), DeadLetters.RULE_ID);
      return "rule " + (id == null ? "(no id)" : id) + " rejected: " + message;
    }
    return where + ": dead letter (" + stage + "): " + message;
  }

  /** Decisions printed so far. */
  public long decisionCount() {
    return decisionCount;
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      driver.close();
    } finally {
      out.flush();
      err.flush();
      try (Stream<Path> files = Files.walk(stateDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
