package dev.sluice.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.core.Verdict;
import dev.sluice.schema.AvroCodec;
import dev.sluice.schema.DecisionCodec;
import dev.sluice.simulate.Simulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

/** The production topology in a {@link TopologyTestDriver}, with helpers to pipe and read. */
final class TopologyFixture implements AutoCloseable {
  final SluiceConfig config;
  final TopologyTestDriver driver;
  final TestInputTopic<String, byte[]> rules;
  final TestInputTopic<String, byte[]> requests;
  final TestOutputTopic<String, byte[]> decisions;
  final TestOutputTopic<byte[], byte[]> deadLetters;
  final TestOutputTopic<String, byte[]> rulesApplied;

  TopologyFixture(Path stateDir) {
    this(stateDir, new Properties());
  }

  TopologyFixture(Path stateDir, Properties sluiceProps) {
    this(stateDir, sluiceProps, DecisionMetrics.NONE);
  }

  /** The topology reporting to {@code metrics}, handed to the dead-letter handlers too. */
  TopologyFixture(Path stateDir, Properties sluiceProps, DecisionMetrics metrics) {
    this(stateDir, sluiceProps, metrics, null);
  }

  /** As above, with {@code formats} (null: the embedded default). */
  TopologyFixture(
      Path stateDir, Properties sluiceProps, DecisionMetrics metrics, RecordFormats formats) {
    config = SluiceConfig.fromProperties(sluiceProps);
    Properties props = config.streamsProperties();
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "sluice-test");
    props.put(DecisionMetrics.HANDLER_CONFIG, metrics);
    driver =
        new TopologyTestDriver(
            RateLimiterTopology.build(
                config, metrics, formats == null ? RecordFormats.EMBEDDED : formats),
            props,
            Instant.EPOCH);
    Simulator.Topics topics = Simulator.Topics.open(driver, config);
    rules = topics.rules();
    requests = topics.requests();
    decisions = topics.decisions();
    deadLetters = topics.deadLetters();
    rulesApplied = topics.rulesApplied();
  }

  /** Publishes a JSON rule keyed by {@code id}. */
  void rule(String id, String json) {
    rules.pipeInput(id, utf8(json));
  }

  /** Publishes a tombstone for {@code id}. */
  void deleteRule(String id) {
    rules.pipeInput(id, (byte[]) null);
  }

  /** Pipes a JSON request keyed by its key at time {@code t}; returns the one decision. */
  Verdict request(String key, String json, long t) {
    requests.pipeInput(new TestRecord<>(key, utf8(json), new RecordHeaders(), t));
    return onlyDecision();
  }

  /** A request {@code {"id":id,"key":key}} with optional cost, at {@code t}. */
  Verdict request(String id, String key, long cost, long t) {
    return request(key, "{\"id\":\"" + id + "\",\"key\":\"" + key + "\",\"cost\":" + cost + "}", t);
  }

  Verdict onlyDecision() {
    List<TestRecord<String, byte[]>> out = decisions.readRecordsToList();
    assertEquals(1, out.size(), "exactly one decision per request");
    return DecisionCodec.fromAvro(AvroCodec.DECISION.decode(out.get(0).value()));
  }

  KeyValueStore<Object, Object> counters() {
    return driver.getKeyValueStore(RateLimiterTopology.COUNTERS_STORE);
  }

  long counterCount() {
    long n = 0;
    try (var it = counters().all()) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }

  void advanceWallClock(Duration d) {
    driver.advanceWallClockTime(d);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    driver.close();
  }
}
