package dev.sluice.ha;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** Paths, ports, JVM command lines and waiting, shared by the failure-test harness. */
final class Harness {
  /** Where children keep their data: {@code target/ha-data/<run>/}. */
  static final Path DATA_ROOT = target().resolve("ha-data");

  /** Where children write their logs: {@code target/ha-logs/<run>/}. */
  static final Path LOG_ROOT = target().resolve("ha-logs");

  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  static {
    // One run's data and logs at a time: brokers leave hundreds of MB behind, and the logs listed
    // on a failure should be this run's. They stay after the run, for a post-mortem.
    deleteRecursively(DATA_ROOT);
    deleteRecursively(LOG_ROOT);
  }

  private Harness() {}

  /** The module's {@code target/} directory (failsafe runs with the module as basedir). */
  static Path target() {
    return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("target");
  }

  /** A run name unique within this machine's target directory: {@code prefix-HHmmss}. */
  static String runName(String prefix) {
    return prefix + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss"));
  }

  /**
   * A free loopback port, never the same one twice in this JVM (a port a stopped child held is not
   * handed to another child that might start before the first one restarts on it).
   */
  static int freePort() {
    for (int i = 0; i < 100; i++) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        int port = s.getLocalPort();
        if (HANDED_OUT.add(port)) {
          return port;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("no free local port", e);
      }
    }
    throw new IllegalStateException("no fresh free local port after 100 tries");
  }

  /**
   * {@code java [jvm options] -cp <this JVM's classpath> mainClass args}: the children run the code
   * under test, and the Kafka broker, from the test classpath (failsafe sets {@code
   * java.class.path} to it).
   */
  static List<String> javaCommand(
      String maxHeap, Map<String, String> systemProperties, String mainClass, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xms64m");
    cmd.add("-Xmx" + maxHeap);
    // Six JVMs share two cores here: one GC thread each, and no JIT threads fighting for them.
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:CICompilerCount=2");
    if (Boolean.parseBoolean(System.getProperty("ha.c1only", "true"))) {
      // Short-lived JVMs: C1 code is slower at its peak, but C2's compile time costs more CPU
      // here than it saves within a few minutes.
      cmd.add("-XX:TieredStopAtLevel=1");
    }
    cmd.add("-XX:+ExitOnOutOfMemoryError");
    cmd.add("-Djava.awt.headless=true");
    systemProperties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(args);
    return cmd;
  }

  /** Waits until {@code condition} holds, polling every 100 ms; false on timeout. */
  static boolean await(Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (condition.getAsBoolean()) {
        return true;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      sleep(Duration.ofMillis(100));
    }
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  /** Milliseconds, for reports. */
  static double ms(long nanos) {
    return Math.round(nanos / 1e5) / 10.0;
  }
}
