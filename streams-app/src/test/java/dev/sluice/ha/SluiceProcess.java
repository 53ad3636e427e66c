package dev.sluice.ha;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * One Sluice instance in its own JVM: {@code dev.sluice.app.SluiceMain run --config FILE}, exactly
 * what {@code bin/sluice run} starts, with its own state directory, HTTP port and {@code
 * client.tag.zone}. The configuration file holds only what differs between instances and scenarios;
 * everything else is {@code AppConfig}'s defaults, which is what these tests exercise.
 */
final class SluiceProcess {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final String name;
  private final Path configFile;
  private final Path stateDir;
  private final Path log;
  private final int httpPort;
  private ChildProcess process;

  /**
   * @param settings the scenario's settings (bootstrap, application id, topics, guarantee...)
   * @param index 1-based instance number; zone {@code zone-<index>}
   */
  SluiceProcess(String run, int index, Map<String, String> settings) {
    this.name = run + "-app-" + index;
    Path dir = Harness.DATA_ROOT.resolve(run).resolve("app-" + index);
    this.configFile = dir.resolve("sluice.properties");
    this.stateDir = dir.resolve("state");
    this.log = Harness.LOG_ROOT.resolve(run).resolve("app-" + index + ".log");
    this.httpPort = Harness.freePort();
    Properties p = new Properties();
    p.putAll(settings);
    p.setProperty("state.dir", stateDir.toString());
    p.setProperty("sluice.http.port", Integer.toString(httpPort));
    p.setProperty("application.server", "localhost:" + httpPort);
    // Prefix of the instance's Kafka client ids: the group's members show which instance they are.
    p.setProperty("client.id", "app-" + index);
    p.setProperty("client.tag.zone", "zone-" + index);
    p.setProperty("rack.aware.assignment.tags", "zone");
    try {
      Files.createDirectories(dir);
      try (OutputStream out = Files.newOutputStream(configFile)) {
        p.store(out, "Sluice failure tests: " + name);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts the JVM (returns at once; see {@link #awaitReady}). */
  SluiceProcess start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name + " is already running");
    }
    Map<String, String> sys = new LinkedHashMap<>();
    sys.put("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    sys.put("org.slf4j.simpleLogger.log.dev.sluice", "info");
    sys.put("org.slf4j.simpleLogger.log.kafka", "warn");
    sys.put("org.slf4j.simpleLogger.log.org.apache.kafka", "warn");
    sys.put("org.slf4j.simpleLogger.showDateTime", "true");
    sys.put("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    process =
        ChildProcess.start(
            name,
            Harness.javaCommand(
                "384m",
                sys,
                "dev.sluice.app.SluiceMain",
                List.of("run", "--config", configFile.toString())),
            log);
    return this;
  }

  String name() {
    return name;
  }

  Path log() {
    return log;
  }

  Path stateDir() {
    return stateDir;
  }

  int httpPort() {
    return httpPort;
  }

  /** The running process, or null before the first start. */
  ChildProcess process() {
    return process;
  }

  boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** HTTP status of {@code path} on this instance, or -1 when it does not answer. */
  int httpStatus(String path) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://localhost:" + httpPort + path))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return r.statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** True when {@code /health/ready} answers 200. */
  boolean ready() {
    return isAlive() && httpStatus("/health/ready") == 200;
  }

  /**
   * Waits until ready.
   *
   * @throws IllegalStateException when the process exits or is not ready in time (with its log)
   */
  void awaitReady(Duration timeout) {
    boolean ok = Harness.await(timeout, () -> ready() || !isAlive());
    if (!ok || !isAlive()) {
      throw new IllegalStateException(
          name
              + (isAlive() ? " not ready after " + timeout : " exited with " + process.exitCode())
              + "; log: "
              + log);
    }
  }

  /** SIGKILL. */
  void kill9() {
    if (process != null) {
      process.kill9();
    }
  }

  /**
   * SIGTERM and wait (Sluice closes Kafka Streams and leaves the group).
   *
   * @return true when it stopped by itself within {@code grace}
   */
  boolean stop(Duration grace) {
    return process == null || process.terminate(grace);
  }

  /** Deletes the state directory (the instance must be stopped). */
  void wipeState() {
    if (isAlive()) {
      throw new IllegalStateException(name + " is running");
    }
    Harness.deleteRecursively(stateDir);
  }

  @Override
  public String toString() {
    return name + " (http " + httpPort + ", log " + log + ")";
  }
}
