package dev.sluice.app;

import dev.sluice.client.ClientDecision;
import dev.sluice.client.DecisionClient;
import dev.sluice.client.DecisionSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code sluice local [--duration S] [--port P] [--http-port P] [--rules FILE]}: a whole Sluice on
 * this machine with nothing installed but Java and Maven. It starts a real single-node Kafka broker
 * in-process ({@link EmbeddedKafka}), creates the topics ({@link TopicsCreator}), starts one
 * instance ({@link SluiceInstance}, the same as {@code sluice run}), publishes the rules file
 * (default {@code examples/rules.json}), then plays a short demo through the decision-client, as an
 * application would, printing each decision as it comes: allows turning into denies, with remaining
 * permits and retry-after. It then keeps serving until Ctrl-C, or for {@code --duration} seconds in
 * all, and stops cleanly (exit 0), deleting the broker's data.
 *
 * <p>Everything lives in a temporary directory: each run starts from empty topics.
 *
 * <p>With {@code --secure} the broker runs secured ({@link EmbeddedKafka#startSecure}:
 * SASL/SCRAM-SHA-512 on a loopback {@code SASL_PLAINTEXT} listener, the {@code StandardAuthorizer},
 * the broker itself the only super user). The broker's super user creates the topics, the users
 * {@value AclPlan#APP_USER}, {@value AclPlan#ADMIN_USER} and {@value AclPlan#CLIENT_USER} with
 * random passwords, and exactly the ACLs of {@link AclPlan#standard} ({@link LocalSecurity}); the
 * instance then runs as the app user, the rules are published as the admin user and the demo asks
 * as the client user. Each user's client settings are written to {@code <user>.properties} in the
 * temporary directory, for {@code check}, {@code rules} and {@code run} to use with {@code
 * --config}.
 */
public final class LocalCommand {
  static final String USAGE =
      "usage: sluice local [--secure] [--duration S] [--port P] [--http-port P] [--rules FILE]";

  /**
   * A demo step: {@code count} requests for one key, after a pause of {@code pauseMs} (to let a
   * short window pass).
   */
  record Step(String key, Map<String, String> metadata, int count, String why, long pauseMs) {
    Step(String key, Map<String, String> metadata, int count, String why) {
      this(key, metadata, count, why, 0);
    }
  }

  /** The demo, written for examples/rules.json. */
  static final List<Step> DEMO =
      List.of(
          new Step("login:alice", Map.of(), 5, "login-per-user: 3 per minute, fixed window"),
          new Step(
              "api:42",
              Map.of("region", "eu", "route", "/checkout"),
              7,
              "api-eu-checkout: 5 per 10 s, exact sliding log"),
          new Step("search:bob", Map.of(), 4, "new-limit-trial: shadow rule, never denies"),
          new Step("bot:evil", Map.of(), 2, "blocked: limit 0 denies everything"),
          new Step(
              "export:carol",
              Map.of(),
              4,
              "export-quota: 3 per second (#0) and 5 a day (#1); the burst limit binds first"),
          new Step(
              "export:carol",
              Map.of(),
              3,
              "a second later: the burst limit has room, the daily quota (#1) binds",
              1_100),
          new Step("static:logo.png", Map.of(), 1, "no rule matches: allowed"));

  private LocalCommand() {}

  /** Runs {@code sluice local ...}; returns the exit code. */
  public static int run(List<String> argv, Io io) throws InterruptedException {
    Args args =
        Args.parse(
            argv,
            Set.of("--secure"),
            Set.of("--duration", "--port", "--http-port", "--rules"),
            Set.of());
    args.positionals(0, "no positional arguments");
    boolean secure = args.flag("--secure");
    long durationS = args.longValue("--duration", 0, 0, 365L * 24 * 3600);
    int port = (int) args.longValue("--port", 9092, 0, 65535);
    int httpPort = (int) args.longValue("--http-port", 8080, 0, 65535);
    Path rulesPath =
        args.value("--rules") != null ? Path.of(args.value("--rules")) : defaultRulesFile();
    long deadline =
        durationS == 0 ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.SECONDS.toNanos(durationS);
    RulesFile rules = RulesFile.read(rulesPath);

    Path workDir;
    try {
      workDir = Files.createTempDirectory("sluice-local-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    io.err()
        .println(
            "sluice local: starting Kafka (single KRaft node, in this process"
                + (secure ? ", SASL/SCRAM and ACLs" : "")
                + ")...");
    Resources resources = new Resources(workDir);
    CountDownLatch stop = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              stop.countDown();
              resources.close(io);
            },
            "sluice-local-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      resources.kafka =
          secure ? EmbeddedKafka.startSecure(workDir, port) : EmbeddedKafka.start(workDir, port);
      String bootstrap = resources.kafka.bootstrapServers();
      int http = LocalPorts.preferredOrFree(httpPort);
      Map<String, String> instanceSettings = overrides(bootstrap, workDir, http);
      AppConfig config = AppConfig.forInstance(null, Map.of(), instanceSettings);
      AppConfig adminConfig = config;
      AppConfig clientConfig = config;
      Map<String, Path> configFiles = Map.of();
      // In secure mode the broker's super user sets the cluster up; Sluice's parts then run as
      // their own principals with nothing but the documented ACLs.
      Map<String, String> setUp = new LinkedHashMap<>(resources.kafka.superUserSettings());
      setUp.put("bootstrap.servers", bootstrap);
      try (var admin = KafkaAccess.admin(AppConfig.forClient(null, Map.of(), setUp))) {
        TopicsCreator.createMissing(admin, config.sluice(), 3, (short) 1);
        if (secure) {
          LocalSecurity security =
              LocalSecurity.setUp(
                  admin,
                  bootstrap,
                  List.of(AclPlan.APP_USER, AclPlan.ADMIN_USER, AclPlan.CLIENT_USER),
                  AclPlan.standard(config.sluice(), config.applicationId()));
          instanceSettings.putAll(security.clientSettings(AclPlan.APP_USER));
          config = AppConfig.forInstance(null, Map.of(), instanceSettings);
          adminConfig =
              AppConfig.forClient(null, Map.of(), security.clientSettings(AclPlan.ADMIN_USER));
          clientConfig =
              AppConfig.forClient(null, Map.of(), security.clientSettings(AclPlan.CLIENT_USER));
          configFiles =
              security.writeConfigs(
                  workDir.resolve("config"), Map.of(AclPlan.APP_USER, instanceSettings));
        }
      }
      io.err().println("sluice local: Kafka at " + bootstrap + "; starting the Sluice instance...");
      resources.instance = SluiceInstance.start(config, http);
      if (!resources.instance.awaitReady(Duration.ofSeconds(120))) {
        throw new CliException(
            "the Sluice instance did not become ready within 120 s (state "
                + resources.instance.streams().state()
                + ")");
      }
      publishRules(adminConfig, rules, io);
      awaitRulesLoaded(resources.instance, rules.rules().size());
      try (DecisionClient client = Decisions.client(clientConfig, Duration.ofSeconds(5))) {
        demo(client, io);
      }
      int boundHttp = resources.instance.httpPort();
      io.out().println();
      io.out().println("Sluice is running.");
      io.out().println("  Kafka bootstrap   " + bootstrap);
      io.out()
          .println(
              "  HTTP              http://localhost:"
                  + boundHttp
                  + "/health/ready  /metrics  /counters?key=login:alice");
      String flag =
          bootstrap.equals(ClientOptions.DEFAULT_BOOTSTRAP)
              ? ""
              : " --bootstrap-servers " + bootstrap;
      String checkFlag = flag;
      String rulesFlag = flag;
      if (secure) {
        io.out()
            .println(
                "  security          SASL/SCRAM-SHA-512, StandardAuthorizer, the ACLs of"
                    + " docs/SECURITY.md;");
        io.out()
            .println(
                "                    SASL_PLAINTEXT on loopback only: authenticated, not"
                    + " encrypted");
        io.out()
            .println(
                "  users             random passwords; their client configs (owner-only,"
                    + " deleted on stop):");
        for (Map.Entry<String, Path> f : configFiles.entrySet()) {
          io.out().println("    " + String.format("%-16s", f.getKey()) + f.getValue());
        }
        checkFlag = " --config " + configFiles.get(AclPlan.CLIENT_USER);
        rulesFlag = " --config " + configFiles.get(AclPlan.ADMIN_USER);
      }
      io.out().println("  try               bin/sluice check --key login:alice" + checkFlag);
      io.out().println("                    bin/sluice rules list" + rulesFlag);
      // Set by bin/sluice when it runs the Envoy rate-limit server beside `local` (docs/RLS.md).
      String rls = System.getProperty("sluice.local.rls");
      if (rls != null) {
        io.out().println("  Envoy RLS         " + rls);
        io.out().println("                    " + System.getProperty("sluice.local.rls.try", ""));
      }
      io.out()
          .println(
              durationS == 0
                  ? "Press Ctrl-C to stop."
                  : "Stopping after " + durationS + " s in all.");
      io.out().flush();
      while (System.nanoTime() < deadline && !resources.instance.hasStopped()) {
        if (stop.await(
            Math.min(
                1000, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))),
            TimeUnit.MILLISECONDS)) {
          break;
        }
      }
      boolean failed = resources.instance.failed();
      if (failed) {
        throw new CliException("the Sluice instance failed; see the log above");
      }
      return 0;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
        resources.close(io);
      } catch (IllegalStateException e) {
        // The JVM is shutting down (Ctrl-C): the hook closes everything.
      }
    }
  }

  private static Map<String, String> overrides(String bootstrap, Path workDir, int httpPort) {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("bootstrap.servers", bootstrap);
    o.put("application.id", "sluice-local");
    o.put("state.dir", workDir.resolve("streams").toString());
    o.put("replication.factor", "1");
    // One instance: a standby would have nowhere to go.
    o.put("num.standby.replicas", "0");
    o.put("sluice.http.port", String.valueOf(httpPort));
    // A demo on this machine: its broker listens on localhost only, and so does its HTTP server.
    o.put("sluice.http.bind.address", "127.0.0.1");
    o.put("application.server", "localhost:" + httpPort);
    return o;
  }

  private static void publishRules(AppConfig config, RulesFile rules, Io io) {
    if (!rules.isValid()) {
      // `rules apply` refuses such a file; the demo publishes the valid rules and shows why the
      // others would be rejected, as the service itself would reject them.
      io.err().println("sluice local: not publishing invalid rules:");
      rules.errors().forEach(e -> io.err().println("  " + e));
    }
    String topic = config.sluice().rulesTopic();
    RulesApplier.Plan plan =
        RulesApplier.plan(RulesCommand.currentRules(config, topic), rules.rules(), false);
    RulesApplier.publish(config, topic, plan);
    io.out()
        .println(
            "Published "
                + rules.rules().size()
                + " rule(s) from "
                + rules.file()
                + ": "
                + String.join(", ", rules.rules().keySet()));
  }

  private static void awaitRulesLoaded(SluiceInstance instance, int count)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (instance.rulesLoaded() >= count && instance.readiness().ready()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new CliException(
        "the instance loaded " + instance.rulesLoaded() + " of " + count + " rules within 60 s");
  }

  /** Plays {@link #DEMO}, one request at a time, printing each decision as a table row. */
  static void demo(DecisionClient client, Io io) throws InterruptedException {
    io.out().println();
    io.out().println("Demo: requests through the decision-client, one at a time");
    int[] widths = {3, 16, 26, 8, 16, 16, 9, 11, 7};
    List<String> header =
        List.of(
            "#",
            "KEY",
            "METADATA",
            "DECISION",
            "REASON",
            "RULE",
            "REMAINING",
            "RETRY-AFTER",
            "LATENCY");
    io.out().println(TextTable.line(header, widths));
    int n = 0;
    int allowed = 0;
    int denied = 0;
    for (Step step : DEMO) {
      Thread.sleep(step.pauseMs());
      io.out().println("    -- " + step.why());
      for (int i = 0; i < step.count(); i++) {
        long t0 = System.nanoTime();
        ClientDecision d = client.decide(step.key(), step.metadata(), 1);
        long latencyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        if (d.source() != DecisionSource.SERVICE) {
          throw new CliException(
              "the service did not answer (" + d.cause() + "); is the instance healthy?");
        }
        n++;
        if (d.allowed()) {
          allowed++;
        } else {
          denied++;
        }
        List<String> row = new ArrayList<>();
        row.add(String.valueOf(n));
        row.add(step.key());
        row.add(
            step.metadata().isEmpty()
                ? "-"
                : step.metadata().entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(",")));
        row.add(d.allowed() ? (d.shadow() ? "allowed*" : "allowed") : "DENIED");
        row.add(d.reason().name());
        // A limit other than the first is named as RateLimitHeaders names its policy: id#index.
        row.add(
            d.ruleId() == null
                ? "-"
                : d.limitIndex() > 0 ? d.ruleId() + "#" + d.limitIndex() : d.ruleId());
        row.add(Decisions.remaining(d));
        row.add(d.limit() < 0 ? "-" : Decisions.duration(d.retryAfterMs()));
        row.add(latencyMs + " ms");
        io.out().println(TextTable.line(row, widths));
        io.out().flush();
        Thread.sleep(150);
      }
    }
    io.out()
        .println(
            n
                + " decisions: "
                + allowed
                + " allowed, "
                + denied
                + " denied (* = shadow rule: would be denied, allowed anyway)");
  }

  private static Path defaultRulesFile() {
    String home = System.getProperty("sluice.home");
    Path base = home == null ? Path.of("") : Path.of(home);
    return base.resolve("examples").resolve("rules.json");
  }

  /** What local started, closed in reverse order exactly once. */
  private static final class Resources {
    private final Path workDir;
    private EmbeddedKafka kafka;
    private SluiceInstance instance;
    private boolean closed;

    Resources(Path workDir) {
      this.workDir = workDir;
    }

    synchronized void close(Io io) {
      if (closed) {
        return;
      }
      closed = true;
      io.err().println("sluice local: stopping...");
      try {
        if (instance != null) {
          instance.close(Duration.ofSeconds(30));
        }
      } finally {
        try {
          if (kafka != null) {
            kafka.close();
          }
        } finally {
          EmbeddedKafka.deleteRecursively(workDir);
          io.err().println("sluice local: stopped");
        }
      }
    }
  }
}
