package dev.sluice.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.simulate.Simulator;
import dev.sluice.topology.SluiceConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code simulate} (the production topology) against {@link SpecModel} (a naive second reading of
 * the SPEC) on seeded random inputs: rules of every algorithm with overlapping patterns, metadata
 * wildcards, shadow mode, updates that keep or reset counters, deletes and re-creates, and requests
 * whose times sometimes run backwards. A failure prints the seed and the input.
 */
class SimulateConformanceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Stream<Long> seeds() {
    return IntStream.range(0, 24).mapToObj(i -> 1000L + i);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void shouldDecideExactlyAsTheSpecModel(long seed) throws Exception {
    Random rnd = new Random(seed);
    List<JsonNode> rules = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      rules.add(randomRule(rnd));
    }
    List<String> lines = new ArrayList<>();
    long t = rnd.nextInt(5000);
    for (int i = 0; i < 80; i++) {
      int kind = rnd.nextInt(20);
      if (kind == 0) {
        lines.add("{\"rule\":" + randomRule(rnd) + "}");
      } else if (kind == 1) {
        lines.add("{\"deleteRuleId\":\"r" + rnd.nextInt(4) + "\"}");
      } else {
        t = Math.max(0, t + rnd.nextInt(1500) - 200);
        lines.add(randomRequest(rnd, i, t));
      }
    }
    List<ObjectNode> expected = SpecModel.run(rules, lines);

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    try (Simulator sim =
        new Simulator(SluiceConfig.defaultConfig(), new PrintWriter(out), new PrintWriter(err))) {
      for (JsonNode rule : rules) {
        sim.rule(rule, "rule");
      }
      long n = 0;
      for (String line : lines) {
        sim.line(line, ++n);
      }
    }
    List<String> actual = new ArrayList<>();
    for (String line : out.toString().split("\n")) {
      if (!line.isEmpty()) {
        actual.add(line);
      }
    }
    String context =
        "seed "
            + seed
            + "\nrules "
            + rules
            + "\nlines\n"
            + String.join("\n", lines)
            + "\nstderr\n"
            + err;
    assertEquals(expected.size(), actual.size(), context);
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).toString(), actual.get(i), "decision " + i + "\n" + context);
    }
  }

  private static JsonNode randomRule(Random rnd) {
    ObjectNode r = JSON.createObjectNode();
    r.put("id", "r" + rnd.nextInt(4));
    r.put("key", List.of("k1", "k*", "*", "k2", "k1*").get(rnd.nextInt(5)));
    r.put("limit", rnd.nextInt(6));
    r.put("windowSeconds", 1 + rnd.nextInt(3));
    if (rnd.nextBoolean()) {
      r.put("algorithm", SpecModel.algorithms()[rnd.nextInt(SpecModel.algorithms().length)].name());
    }
    if (rnd.nextInt(4) == 0) {
      r.put("priority", rnd.nextInt(2));
    }
    if (rnd.nextInt(3) == 0) {
      r.putObject("metadata").put("m", rnd.nextBoolean() ? "*" : "a");
    }
    if (rnd.nextInt(5) == 0) {
      r.put("shadow", true);
    }
    return r;
  }

  private static String randomRequest(Random rnd, int i, long t) {
    ObjectNode q = JSON.createObjectNode();
    q.put("id", "q" + i);
    q.put("key", List.of("k1", "k2", "k3", "k10").get(rnd.nextInt(4)));
    int md = rnd.nextInt(3);
    if (md > 0) {
      q.putObject("metadata").put("m", md == 1 ? "a" : "b");
    }
    if (rnd.nextBoolean()) {
      q.put("cost", 1 + rnd.nextInt(3));
    }
    q.put("timestampMs", t);
    return q.toString();
  }
}
