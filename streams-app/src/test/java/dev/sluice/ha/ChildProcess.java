package dev.sluice.ha;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One child process (a broker or a Sluice instance) whose output goes to a log file, with the
 * signals the failure tests send: SIGKILL ({@link #kill9}), SIGTERM ({@link #terminate}), SIGSTOP
 * and SIGCONT ({@link #pause}, {@link #resume}).
 *
 * <p>Every started process is registered until it has exited; a JVM shutdown hook kills whatever is
 * left, so that a failed or interrupted test never leaves brokers behind (tests also kill their
 * children in {@code @AfterAll}/{@code @AfterEach}). A paused process is killed too: SIGKILL works
 * on a stopped process.
 */
final class ChildProcess {
  private static final Set<ChildProcess> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(ChildProcess::killAll, "ha-child-process-reaper"));
  }

  private final String name;
  private final Path log;
  private final Process process;

  private ChildProcess(String name, Path log, Process process) {
    this.name = name;
    this.log = log;
    this.process = process;
  }

  /**
   * Starts {@code command}, appending its standard output and error to {@code log} after a header
   * line (a restarted process keeps one log).
   */
  static ChildProcess start(String name, List<String> command, Path log) {
    try {
      Files.createDirectories(log.getParent());
      Files.writeString(
          log,
          "==== "
              + Instant.now()
              + " starting "
              + name
              + ": "
              + String.join(" ", shorten(command))
              + System.lineSeparator(),
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      ChildProcess child = new ChildProcess(name, log, pb.start());
      LIVE.add(child);
      child.process.onExit().thenRun(() -> LIVE.remove(child));
      return child;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  /** The classpath is long and the same for every child: keep it out of the log header. */
  private static List<String> shorten(List<String> command) {
    List<String> out = new ArrayList<>();
    for (String s : command) {
      out.add(s.length() > 300 ? s.substring(0, 60) + "...(" + s.length() + " chars)" : s);
    }
    return out;
  }

  String name() {
    return name;
  }

  Path log() {
    return log;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL, then waits until the process is gone. */
  void kill9() {
    resume();
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(30));
  }

  /**
   * SIGTERM (a graceful stop: Sluice's shutdown hook closes Kafka Streams), then SIGKILL if it has
   * not exited within {@code grace}.
   *
   * @return true when it exited by itself within {@code grace}
   */
  boolean terminate(Duration grace) {
    process.destroy();
    if (awaitExit(grace)) {
      return true;
    }
    kill9();
    return false;
  }

  /** SIGTERM without waiting. */
  void sigterm() {
    process.destroy();
  }

  /** SIGSTOP: the process freezes (sockets stay open, nothing answers). */
  void pause() {
    signal("STOP");
  }

  /** SIGCONT. */
  void resume() {
    if (process.isAlive()) {
      signal("CONT");
    }
  }

  /** The exit code, or -1 while it runs. */
  int exitCode() {
    return process.isAlive() ? -1 : process.exitValue();
  }

  boolean awaitExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void signal(String signal) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
              .redirectErrorStream(true)
              .start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while signalling " + name, e);
    }
  }

  /** Kills every child still running (the shutdown hook, and a safety net for tests). */
  static void killAll() {
    for (ChildProcess child : List.copyOf(LIVE)) {
      child.process.destroyForcibly();
    }
    for (ChildProcess child : List.copyOf(LIVE)) {
      child.awaitExit(Duration.ofSeconds(10));
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ", log " + log + ")";
  }
}
