package dev.sluice.ha;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The failure tests' figures: each scenario prints a summary block to standard output and adds its
 * section to {@code target/ha-report.json} (the first section written by a JVM starts the file
 * afresh, so the file always holds one run).
 */
final class HaReport {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Map<String, Object> SECTIONS = new TreeMap<>();

  private HaReport() {}

  static Path file() {
    return Harness.target().resolve("ha-report.json");
  }

  /** Prints {@code figures} under {@code name} and (re)writes the report file with it. */
  static synchronized void add(String name, Map<String, Object> figures) {
    Map<String, Object> section = new LinkedHashMap<>();
    section.put("finishedAt", Instant.now().toString());
    // The machine is shared: the load average says how much of it the run had.
    section.put("loadAverage", loadAverage());
    section.putAll(figures);
    SECTIONS.put(name, section);
    String text;
    try {
      text = JSON.writeValueAsString(section);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String bar = "=".repeat(78);
    System.out.println(bar);
    System.out.println("HA FIGURES: " + name);
    System.out.println(text);
    System.out.println(bar);
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("machine", machine());
    all.put("scenarios", SECTIONS);
    try {
      Files.createDirectories(file().getParent());
      Files.writeString(file(), JSON.writeValueAsString(all), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Cores, CPU model, memory and Java: the figures mean little without them. */
  static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("cpuModel", cpuModel());
    m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    return m;
  }

  /** The 1, 5 and 15 minute load averages, or "unknown" off Linux. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      // Not Linux: say so below.
    }
    return "unknown";
  }
}
