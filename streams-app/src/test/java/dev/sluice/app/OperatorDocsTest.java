package dev.sluice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Reason;
import dev.sluice.topology.DeadLetters;
import dev.sluice.topology.SluiceConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The operator docs name what the code has: every setting with its default in docs/DEPLOYMENT.md's
 * tables, and every meter Sluice exports under its Prometheus name in docs/OPERATIONS.md. A renamed
 * key, a changed default or a new meter fails here until the docs say so.
 */
class OperatorDocsTest {
  private static final Path DEPLOYMENT = Path.of("..", "docs", "DEPLOYMENT.md");
  private static final Path OPERATIONS = Path.of("..", "docs", "OPERATIONS.md");

  @Test
  void shouldDocumentEverySettingWithItsDefault() throws IOException {
    Map<String, String> defaults = new LinkedHashMap<>(SluiceConfig.DEFAULTS);
    defaults.put(
        MicrometerDecisionMetrics.MAX_RULE_TAGS,
        Integer.toString(MicrometerDecisionMetrics.DEFAULT_MAX_RULE_TAGS));
    defaults.putAll(AppConfig.STREAMS_DEFAULTS);
    defaults.put("producer.linger.ms", SluiceConfig.DEFAULT_EXACTLY_ONCE_LINGER_MS);
    defaults.put("max.task.idle.ms", SluiceConfig.DEFAULT_MAX_TASK_IDLE_MS);
    List<String> tableRows =
        Files.readAllLines(DEPLOYMENT).stream().filter(l -> l.startsWith("| `")).toList();
    List<String> wrong = new ArrayList<>();
    defaults.forEach(
        (key, value) -> {
          String shown = value.isEmpty() ? "empty" : "`" + value + "`";
          boolean documented =
              tableRows.stream().anyMatch(r -> r.contains("`" + key + "`") && r.contains(shown));
          if (!documented) {
            wrong.add(key + " (default " + shown + ")");
          }
        });
    assertEquals(List.of(), wrong, "settings docs/DEPLOYMENT.md lacks, or shows another default");
  }

  @Test
  void shouldDocumentEveryExportedMeter() throws IOException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MicrometerDecisionMetrics metrics = new MicrometerDecisionMetrics(registry, 10);
    metrics.decided(Reason.ALLOWED, "some-rule", 5);
    metrics.deadLettered(DeadLetters.Stage.PROCESSING);
    Set<String> names = new TreeSet<>();
    for (String line : registry.scrape().split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        names.add(line.replaceAll("[{ ].*", "").replaceAll("_(bucket|count|sum|max)$", ""));
      }
    }
    // Guards the check below: an empty scrape would make it pass vacuously.
    assertTrue(names.contains("sluice_decision_latency_seconds"), names.toString());
    // Registered by SluiceInstance, which needs a running Kafka Streams.
    names.add("sluice_ready");
    names.add("sluice_rules_loaded");
    String doc = Files.readString(OPERATIONS);
    List<String> missing = names.stream().filter(n -> !doc.contains("`" + n + "`")).toList();
    assertEquals(List.of(), missing, "meters docs/OPERATIONS.md does not name");
  }
}
