package dev.sluice.core.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Runs every fixture under {@code src/test/resources/rules} (see the README there). */
class RuleFixturesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Stream<String> invalidFixtures() throws IOException, URISyntaxException {
    return fixtureNames("invalid");
  }

  static Stream<String> validFixtures() throws IOException, URISyntaxException {
    return fixtureNames("valid");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidFixtures")
  void shouldRejectInvalidFixtureWithItsExactMessage(String name) throws Exception {
    String json = read("invalid", name + ".json");
    String expected = read("invalid", name + ".expected").strip();

    // One view since contract version 2: the service and the tooling reject the same rules.
    RuleValidation result = RuleValidator.validateJson(json);

    assertFalse(result.isValid(), name + " was accepted");
    assertNull(result.rule());
    assertEquals(expected, result.errorMessage(), name);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validFixtures")
  void shouldAcceptValidFixtureWithDefaultsApplied(String name) throws Exception {
    String json = read("valid", name + ".json");
    JsonNode expected = JSON.readTree(read("valid", name + ".expected"));

    RuleValidation result = RuleValidator.validateJson(json);

    assertTrue(result.isValid(), () -> name + ": " + result.errorMessage());
    assertEquals(List.of(), result.errors());
    // Re-read so numbers compare by value, not by the node class the writer picked.
    assertEquals(expected, JSON.readTree(asJson(result.rule()).toString()), name);
    assertEquals(result.rule().id(), result.id());
  }

  @Test
  void shouldHaveAFixtureForEveryConstraintFamily() throws Exception {
    List<String> names = invalidFixtures().toList();
    for (String prefix :
        List.of(
            "id-",
            "key-",
            "limit-",
            "window-",
            "limits-",
            "priority-",
            "metadata-",
            "algorithm-",
            "shadow-",
            "unknown-field",
            "rule-")) {
      assertTrue(
          names.stream().anyMatch(n -> n.startsWith(prefix)), "no invalid fixture for " + prefix);
    }
  }

  private static ObjectNode asJson(LimitRule rule) {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", rule.id());
    node.put("key", rule.key());
    if (rule.limitsForm()) {
      ArrayNode limits = node.putArray("limits");
      for (LimitRule.Limit l : rule.limits()) {
        limits
            .addObject()
            .put("limit", l.limit())
            .put("windowSeconds", l.windowSeconds())
            .put("algorithm", l.algorithm().name())
            .put("generation", l.generation());
      }
    } else {
      node.put("limit", rule.limit());
      node.put("windowSeconds", rule.windowSeconds());
    }
    node.put("priority", rule.priority());
    ObjectNode metadata = node.putObject("metadata");
    for (Map.Entry<String, String> e : rule.metadata().entrySet()) {
      metadata.put(e.getKey(), e.getValue());
    }
    node.put("algorithm", rule.algorithm().name());
    node.put("shadow", rule.shadow());
    node.put("generation", rule.generation());
    return node;
  }

  private static Stream<String> fixtureNames(String dir) throws IOException, URISyntaxException {
    Path root = Path.of(RuleFixturesTest.class.getResource("/rules/" + dir).toURI());
    try (Stream<Path> files = Files.list(root)) {
      List<String> names =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".json"))
              .map(n -> n.substring(0, n.length() - ".json".length()))
              .sorted()
              .toList();
      for (String n : names) {
        if (!Files.exists(root.resolve(n + ".expected"))) {
          throw new IllegalStateException(dir + "/" + n + ".json has no .expected file");
        }
      }
      return names.stream();
    }
  }

  private static String read(String dir, String file) throws IOException, URISyntaxException {
    Path path = Path.of(RuleFixturesTest.class.getResource("/rules/" + dir + "/" + file).toURI());
    return Files.readString(path, StandardCharsets.UTF_8);
  }
}
