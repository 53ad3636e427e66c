package dev.sluice.app;

import dev.sluice.simulate.SimulateCommand;
import dev.sluice.topology.RateLimiterTopology;
import dev.sluice.topology.SluiceConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * The {@code sluice} command line: {@code sluice <command> [args]}. Each command is one entry in
 * {@link #COMMANDS}; this class only dispatches.
 */
public final class SluiceMain {
  /** A subcommand: takes its arguments and the streams, returns the exit status. */
  @FunctionalInterface
  interface Command {
    int run(String[] args, PrintStream out, PrintStream err) throws Exception;
  }

  private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

  static {
    COMMANDS.put("run", SluiceMain::runService);
    COMMANDS.put("simulate", SimulateCommand::run);
  }

  private SluiceMain() {}

  /** Entry point; exits with the command's status. */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("simulate")) {
      // Decisions go to stdout and messages to stderr: keep library logging out of both.
      System.setProperty(
          "org.slf4j.simpleLogger.defaultLogLevel",
          System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "off"));
    }
    int status = dispatch(args, System.out, System.err);
    System.out.flush();
    System.exit(status);
  }

  static int dispatch(String[] args, PrintStream out, PrintStream err) throws Exception {
    if (args.length == 0 || !COMMANDS.containsKey(args[0])) {
      err.println("usage: sluice <command> [args], command one of " + COMMANDS.keySet());
      return 2;
    }
    return COMMANDS.get(args[0]).run(Arrays.copyOfRange(args, 1, args.length), out, err);
  }

  /** {@code sluice run --config FILE}: runs the service until stopped (SIGTERM, Ctrl-C). */
  static int runService(String[] args, PrintStream out, PrintStream err) throws Exception {
    if (args.length != 2 || !args[0].equals("--config")) {
      err.println("usage: sluice run --config FILE");
      return 2;
    }
    Properties file = new Properties();
    try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
      file.load(in);
    } catch (IOException e) {
      err.println("sluice run: cannot read config file " + args[1] + ": " + e);
      return 2;
    }
    SluiceConfig config;
    try {
      config = SluiceConfig.fromProperties(SluiceConfig.withEnvironment(file, System.getenv()));
    } catch (IllegalArgumentException e) {
      err.println("sluice run: bad configuration: " + e.getMessage());
      return 2;
    }
    KafkaStreams streams =
        new KafkaStreams(RateLimiterTopology.build(config), config.streamsProperties());
    CountDownLatch stopped = new CountDownLatch(1);
    streams.setUncaughtExceptionHandler(
        e -> StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    streams.setStateListener(
        (now, before) -> {
          if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
            stopped.countDown();
          }
        });
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  streams.close();
                  stopped.countDown();
                },
                "sluice-shutdown"));
    streams.start();
    stopped.await();
    streams.close();
    return streams.state() == KafkaStreams.State.ERROR ? 1 : 0;
  }
}
