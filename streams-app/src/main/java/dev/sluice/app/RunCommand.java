package dev.sluice.app;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;

/**
 * {@code sluice run --config FILE [--create-topics [--partitions N]]}: one production instance
 * against an existing cluster, until SIGTERM or Ctrl-C.
 *
 * <p>Before starting it checks, failing with a message that names the fix: the configuration
 * ({@link AppConfig}), that the cluster answers, that it has at least {@code replication.factor}
 * brokers, that the five topics exist (or creates the missing ones with {@code --create-topics}),
 * and that the requests topic uses {@code LogAppendTime}: on {@code CreateTime} any producer of
 * requests chooses the time its requests count at, and one forged far-future timestamp moves a
 * counter's clock ahead for everyone (docs/SECURITY.md), so {@code run} refuses it unless given
 * {@code --allow-create-time}. On SIGTERM a shutdown hook closes Kafka Streams (commit, leave the
 * group) within {@link #SHUTDOWN_TIMEOUT}, then the HTTP server.
 */
public final class RunCommand {
  static final String USAGE =
      "usage: sluice run --config FILE [--create-topics [--partitions N]] [--allow-create-time]";

  /** How long a graceful shutdown may take. */
  static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

  private RunCommand() {}

  /** Runs {@code sluice run ...}; returns the exit code once the instance has stopped. */
  public static int run(List<String> argv, Io io) throws InterruptedException {
    Args args =
        Args.parse(
            argv,
            Set.of("--create-topics", "--allow-create-time"),
            Set.of("--config", "--partitions"),
            Set.of());
    args.positionals(0, "no positional arguments");
    String file = args.value("--config");
    if (file == null) {
      throw new UsageException("run needs --config FILE");
    }
    int partitions = (int) args.longValue("--partitions", 6, 1, 10_000);
    AppConfig config = AppConfig.forInstance(Path.of(file), io.env(), Map.of());
    prepareCluster(
        config, args.flag("--create-topics"), partitions, args.flag("--allow-create-time"), io);

    SluiceInstance instance = SluiceInstance.start(config, -1);
    Thread hook =
        new Thread(
            () -> {
              io.err().println("sluice: shutting down...");
              boolean clean = instance.close(SHUTDOWN_TIMEOUT);
              io.err().println(clean ? "sluice: stopped" : "sluice: stopped (close timed out)");
            },
            "sluice-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    io.err()
        .printf(
            "sluice: instance of %s on %s, HTTP on port %d (/health/ready, /metrics, /counters)%n",
            config.applicationId(), config.bootstrapServers(), instance.httpPort());
    instance.awaitStopped();
    if (instance.failed()) {
      io.err().println("sluice: Kafka Streams failed; see the log above");
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // Already shutting down: the hook closes the instance.
      }
      instance.close(SHUTDOWN_TIMEOUT);
      return 1;
    }
    return 0;
  }

  /**
   * The startup check: reachable cluster, enough brokers for {@code replication.factor}, and the
   * five topics present (created when {@code createTopics}).
   *
   * @throws CliException naming what is wrong and how to fix it
   */
  static void prepareCluster(AppConfig config, boolean createTopics, int partitions, Io io) {
    prepareCluster(config, createTopics, partitions, false, io);
  }

  /**
   * The startup check, with the requests topic's timestamp type: {@code CreateTime} is refused
   * unless {@code allowCreateTime}.
   *
   * @throws CliException naming what is wrong and how to fix it
   */
  static void prepareCluster(
      AppConfig config, boolean createTopics, int partitions, boolean allowCreateTime, Io io) {
    try (Admin admin = KafkaAccess.admin(config)) {
      Collection<Node> brokers;
      try {
        brokers =
            admin.describeCluster().nodes().get(KafkaAccess.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        throw KafkaAccess.unreachable(config, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException("interrupted while contacting Kafka", e);
      }
      short rf = config.replicationFactor();
      if (rf > brokers.size()) {
        throw new CliException(
            "replication.factor is "
                + rf
                + " but the cluster at "
                + config.bootstrapServers()
                + " has "
                + brokers.size()
                + " broker(s): set replication.factor (or"
                + " SLUICE_REPLICATION_FACTOR) to at most "
                + brokers.size());
      }
      List<String> missing = TopicsCreator.missing(admin, config.sluice());
      if (!missing.isEmpty()) {
        if (!createTopics) {
          throw new CliException(
              "missing topic(s): "
                  + String.join(", ", missing)
                  + " on "
                  + config.bootstrapServers()
                  + "; create them (see README) or start with --create-topics");
        }
        List<String> created = TopicsCreator.createMissing(admin, config.sluice(), partitions, rf);
        io.err().println("sluice: created topic(s) " + String.join(", ", created));
      }
      String timeWarning =
          checkTimestampType(
              config.sluice().requestsTopic(),
              TopicsCreator.timestampType(admin, config.sluice().requestsTopic()),
              allowCreateTime);
      if (timeWarning != null) {
        io.err().println("sluice: warning: " + timeWarning);
      }
      for (String problem : TopicsCreator.configProblems(admin, config.sluice())) {
        io.err().println("sluice: warning: " + problem);
      }
    }
  }

  /**
   * The verdict on the requests topic's timestamp type: null when it is {@code LogAppendTime}, a
   * warning when it cannot be read or is {@code CreateTime} but allowed.
   *
   * @throws CliException when it is {@code CreateTime} and not allowed
   */
  static String checkTimestampType(
      String topic, TopicsCreator.TimestampType type, boolean allowCreateTime) {
    if (type.isLogAppendTime()) {
      return null;
    }
    if (type.type() == null) {
      return "cannot read message.timestamp.type of "
          + topic
          + " ("
          + type.error()
          + "); make sure it is LogAppendTime, or producers of requests choose the time limits"
          + " count with (grant DESCRIBE_CONFIGS on the topic to have this checked; see"
          + " docs/SECURITY.md)";
    }
    String problem =
        topic
            + ": message.timestamp.type is "
            + type.type()
            + ", so producers of requests"
            + " choose the time limits count with: one far-future timestamp moves a counter's"
            + " clock ahead and locks its key, or opens a fresh window past a limit"
            + " (docs/SECURITY.md)";
    if (allowCreateTime) {
      return problem + "; running anyway (--allow-create-time)";
    }
    throw new CliException(
        problem
            + ". Fix: kafka-configs.sh --bootstrap-server HOST:PORT --alter"
            + " --entity-type topics --entity-name "
            + topic
            + " --add-config message.timestamp.type=LogAppendTime, or start with"
            + " --allow-create-time if every producer of requests is trusted");
  }
}
