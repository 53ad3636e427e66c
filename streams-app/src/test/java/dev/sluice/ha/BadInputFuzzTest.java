package dev.sluice.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.Decision;
import dev.sluice.schema.AvroCodec;
import dev.sluice.topology.DeadLetters;
import dev.sluice.topology.RateLimiterTopology;
import dev.sluice.topology.SluiceConfig;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6, 5: seeded bad input through the production topology ({@link TopologyTestDriver}):
 * thousands of request values (random bytes, truncated and corrupted Avro, unknown fingerprints,
 * Avro length prefixes of gigabytes, huge metadata, JSON of the wrong types, malformed and deeply
 * nested JSON) and invalid rules. Each must produce exactly one output, a decision or a dead
 * letter, and the topology must go on deciding correctly afterwards. Prints the split. The same
 * inputs go through real brokers and instances in {@code ClusterFailureTest}. Another seed: {@code
 * -Dfuzz.seed=N}.
 */
class BadInputFuzzTest {
  private static final long SEED = Long.getLong("fuzz.seed", 20_261_128L);
  private static final int REQUESTS = 3000;
  private static final int RULES = 400;

  /** Far above what the largest honest input here (300 KB of metadata) needs. */
  private static final long MAX_ALLOCATION_PER_INPUT = 64L << 20;

  @TempDir Path dir;

  @Test
  void shouldAnswerOrDeadLetterEveryBadInputAndKeepDeciding() {
    SluiceConfig config = SluiceConfig.defaultConfig();
    Properties props = config.streamsProperties();
    props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "sluice-fuzz");
    try (TopologyTestDriver driver =
        new TopologyTestDriver(RateLimiterTopology.build(config), props, Instant.EPOCH)) {
      TestInputTopic<String, byte[]> rules =
          driver.createInputTopic(
              config.rulesTopic(), new StringSerializer(), new ByteArraySerializer());
      TestInputTopic<String, byte[]> requests =
          driver.createInputTopic(
              config.requestsTopic(), new StringSerializer(), new ByteArraySerializer());
      TestOutputTopic<String, byte[]> decisions =
          driver.createOutputTopic(
              config.decisionsTopic(), new StringDeserializer(), new ByteArrayDeserializer());
      TestOutputTopic<byte[], byte[]> deadLetters =
          driver.createOutputTopic(
              config.deadLettersTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
      TestOutputTopic<String, byte[]> applied =
          driver.createOutputTopic(
              config.rulesAppliedTopic(), new StringDeserializer(), new ByteArrayDeserializer());

      rules.pipeInput(
          "fz",
          utf8(
              "{\"id\":\"fz\",\"key\":\"fz-*\",\"limit\":3,\"windowSeconds\":3600,"
                  + "\"algorithm\":\"FIXED_WINDOW\"}"));
      assertEquals(1, applied.readRecordsToList().size(), "the valid rule is applied");

      Map<String, Long> split = new TreeMap<>();
      long t = 1_000;
      for (BadInputs.Input in : BadInputs.rules(SEED, RULES, "fzr-")) {
        rules.pipeInput(new TestRecord<>(in.key(), in.value(), new RecordHeaders(), t++));
        int appliedOut = applied.readRecordsToList().size();
        List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
        assertEquals(
            1,
            appliedOut + dead.size(),
            "rule input " + in.kind() + " " + in.key() + ": one output");
        split.merge(
            "rule " + in.kind() + " -> " + (appliedOut == 1 ? "applied" : "dead-letter"),
            1L,
            Long::sum);
      }
      com.sun.management.ThreadMXBean threads =
          (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long mostAllocated = 0;
      for (BadInputs.Input in : BadInputs.requests(SEED, REQUESTS, "fz-", true)) {
        long before = threads.getCurrentThreadAllocatedBytes();
        requests.pipeInput(new TestRecord<>(in.key(), in.value(), new RecordHeaders(), t++));
        // A decoder allocating what a length prefix claims would pass here in a large heap and
        // kill an instance with a small one: hold each input to a bound far above honest needs.
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        mostAllocated = Math.max(mostAllocated, allocated);
        assertTrue(
            allocated < MAX_ALLOCATION_PER_INPUT,
            "request input " + in.kind() + " " + in.key() + " allocated " + allocated + " bytes");
        List<TestRecord<String, byte[]>> out = decisions.readRecordsToList();
        List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
        assertEquals(
            1,
            out.size() + dead.size(),
            "request input " + in.kind() + " " + in.key() + ": one output");
        String outcome;
        if (out.size() == 1) {
          assertEquals(
              in.key(), out.get(0).key(), "a decision is keyed by the request's record key");
          Decision d = AvroCodec.DECISION.decode(out.get(0).value());
          outcome = "decision " + d.getReason();
        } else {
          assertEquals(in.key(), new String(dead.get(0).key(), StandardCharsets.UTF_8));
          outcome = "dead-letter " + DeadLetters.header(dead.get(0).headers(), DeadLetters.STAGE);
        }
        split.merge("request " + in.kind() + " -> " + outcome, 1L, Long::sum);
      }

      // Still deciding by the contract: three permits in the window, then a denial.
      for (int i = 1; i <= 4; i++) {
        requests.pipeInput(
            new TestRecord<>(
                "fz-after",
                utf8("{\"id\":\"after-" + i + "\",\"key\":\"fz-after\"}"),
                new RecordHeaders(),
                t++));
        Decision d = AvroCodec.DECISION.decode(decisions.readRecordsToList().get(0).value());
        assertEquals("fz", d.getRuleId());
        assertEquals(i <= 3, d.getAllowed(), "permit " + i + " of 3");
      }
      assertTrue(deadLetters.isEmpty());

      long tried = split.values().stream().mapToLong(Long::longValue).sum();
      System.out.println(
          "BAD INPUT FUZZ (TopologyTestDriver, seed "
              + SEED
              + "): "
              + tried
              + " inputs ("
              + RULES
              + " rules, "
              + REQUESTS
              + " requests), each answered or"
              + " dead-lettered; most allocated by one input: "
              + (mostAllocated >> 10)
              + " KiB");
      split.forEach((k, v) -> System.out.printf("  %6d  %s%n", v, k));
      assertEquals(RULES + REQUESTS, tried);
      assertFalse(
          split.keySet().stream().anyMatch(k -> k.startsWith("rule") && k.endsWith("applied")),
          "no invalid rule is applied");
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
