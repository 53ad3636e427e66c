package dev.sluice.topology;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.kafka.streams.TopologyDescription;

/**
 * Renders {@link org.apache.kafka.streams.Topology#describe()} of the default configuration as the
 * files in {@code topology-docs/}: the plain description ({@code topology.txt}) and a Mermaid
 * flowchart ({@code topology.mmd}). {@code TopologyDocsTest} fails when the committed files differ;
 * {@code main} (or that test with {@code -Dsluice.topology.regenerate=true}) rewrites them.
 */
public final class TopologyDocs {
  /** File name of the plain description. */
  public static final String TEXT_FILE = "topology.txt";

  /** File name of the Mermaid flowchart. */
  public static final String MERMAID_FILE = "topology.mmd";

  private TopologyDocs() {}

  /** The description of the default-config topology. */
  public static TopologyDescription describe() {
    return RateLimiterTopology.build(SluiceConfig.defaultConfig()).describe();
  }

  /** Kafka's own text form of the description. */
  public static String text(TopologyDescription d) {
    return d.toString().strip() + "\n";
  }

  /** A Mermaid flowchart: topics as stadiums, processors as boxes, stores as cylinders. */
  public static String mermaid(TopologyDescription d) {
    StringBuilder out = new StringBuilder();
    out.append("%% Generated from Topology#describe() by dev.sluice.topology.TopologyDocs;")
        .append(" do not edit.\n");
    out.append("flowchart LR\n");
    Set<String> topics = new LinkedHashSet<>();
    Set<String> stores = new LinkedHashSet<>();
    StringBuilder edges = new StringBuilder();
    for (TopologyDescription.Subtopology sub :
        d.subtopologies().stream()
            .sorted(Comparator.comparingInt(TopologyDescription.Subtopology::id))
            .toList()) {
      out.append("  subgraph sub")
          .append(sub.id())
          .append(" [\"Sub-topology ")
          .append(sub.id())
          .append("\"]\n");
      for (TopologyDescription.Node node :
          sub.nodes().stream()
              .sorted(Comparator.comparing(TopologyDescription.Node::name))
              .toList()) {
        out.append("    ")
            .append(id("n", node.name()))
            .append("[\"")
            .append(node.name())
            .append("\"]\n");
        describeNode(node, topics, stores, edges);
      }
      out.append("  end\n");
    }
    for (TopologyDescription.GlobalStore global :
        d.globalStores().stream()
            .sorted(Comparator.comparingInt(TopologyDescription.GlobalStore::id))
            .toList()) {
      out.append("  subgraph global")
          .append(global.id())
          .append(" [\"Global store ")
          .append(global.id())
          .append("\"]\n");
      out.append("    ")
          .append(id("n", global.source().name()))
          .append("[\"")
          .append(global.source().name())
          .append("\"]\n");
      out.append("    ")
          .append(id("n", global.processor().name()))
          .append("[\"")
          .append(global.processor().name())
          .append("\"]\n");
      out.append("  end\n");
      describeNode(global.source(), topics, stores, edges);
      describeNode(global.processor(), topics, stores, edges);
    }
    for (String topic : topics) {
      out.append("  ").append(id("t", topic)).append("([\"").append(topic).append("\"])\n");
    }
    for (String store : stores) {
      out.append("  ").append(id("s", store)).append("[(\"").append(store).append("\")]\n");
    }
    out.append(edges);
    return out.toString();
  }

  private static void describeNode(
      TopologyDescription.Node node, Set<String> topics, Set<String> stores, StringBuilder edges) {
    if (node instanceof TopologyDescription.Source source) {
      for (String topic : source.topicSet().stream().sorted().toList()) {
        topics.add(topic);
        edges
            .append("  ")
            .append(id("t", topic))
            .append(" --> ")
            .append(id("n", node.name()))
            .append('\n');
      }
    }
    if (node instanceof TopologyDescription.Processor processor) {
      for (String store : processor.stores().stream().sorted().toList()) {
        stores.add(store);
        edges
            .append("  ")
            .append(id("n", node.name()))
            .append(" --- ")
            .append(id("s", store))
            .append('\n');
      }
    }
    if (node instanceof TopologyDescription.Sink sink) {
      String topic =
          sink.topic() != null
              ? sink.topic()
              : "replyTopic of the request, else the decisions topic";
      topics.add(topic);
      edges
          .append("  ")
          .append(id("n", node.name()))
          .append(" --> ")
          .append(id("t", topic))
          .append('\n');
    }
    for (TopologyDescription.Node next :
        node.successors().stream()
            .sorted(Comparator.comparing(TopologyDescription.Node::name))
            .toList()) {
      edges
          .append("  ")
          .append(id("n", node.name()))
          .append(" --> ")
          .append(id("n", next.name()))
          .append('\n');
    }
  }

  private static String id(String prefix, String name) {
    return prefix + "_" + name.replaceAll("[^A-Za-z0-9]", "_");
  }

  /** Writes both files into {@code dir}. */
  public static void write(Path dir) throws IOException {
    TopologyDescription d = describe();
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(TEXT_FILE), text(d), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve(MERMAID_FILE), mermaid(d), StandardCharsets.UTF_8);
  }

  /** Regenerates {@code topology-docs/}: {@code args[0]} is the directory. */
  public static void main(String[] args) throws IOException {
    write(Path.of(args.length > 0 ? args[0] : "topology-docs"));
  }
}
