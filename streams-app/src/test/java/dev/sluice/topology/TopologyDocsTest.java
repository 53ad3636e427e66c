package dev.sluice.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/**
 * Pins the topology: node, store and topic names are part of the application's contract (a rename
 * orphans state), so a change must show up as a reviewed change of topology-docs/.
 */
class TopologyDocsTest {
  private static final Path DOCS = Path.of("..", "topology-docs");
  private static final String HOW_TO_REGENERATE =
      "The topology changed. If that is intended, regenerate topology-docs/ with\n"
          + "  mvn -B -o -pl streams-app -am test -Dsluice.topology.regenerate=true"
          + " -Dtest=TopologyDocsTest -Dsurefire.failIfNoSpecifiedTests=false\n"
          + "and commit the files with the change.";

  @Test
  void shouldMatchCommittedTopologyDocs() throws IOException {
    TopologyDescription d = TopologyDocs.describe();
    if (Boolean.getBoolean("sluice.topology.regenerate")) {
      TopologyDocs.write(DOCS);
    }
    assertEquals(read(TopologyDocs.TEXT_FILE), TopologyDocs.text(d), HOW_TO_REGENERATE);
    assertEquals(read(TopologyDocs.MERMAID_FILE), TopologyDocs.mermaid(d), HOW_TO_REGENERATE);
  }

  @Test
  void shouldNameEveryStoreExplicitly() {
    String text = TopologyDocs.text(TopologyDocs.describe());
    assertTrue(text.contains("stores: [sluice-counters]"), text);
    assertTrue(text.contains("stores: [sluice-rule-generations]"), text);
    assertTrue(text.contains("sluice-rules"), text);
    assertTrue(!text.contains("KSTREAM-") && !text.contains("KTABLE-"), "generated names: " + text);
  }

  private static String read(String file) throws IOException {
    Path p = DOCS.resolve(file);
    assertTrue(Files.exists(p), p + " is missing. " + HOW_TO_REGENERATE);
    return Files.readString(p, StandardCharsets.UTF_8);
  }
}
