package dev.sluice.bench.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.app.AppConfig;
import dev.sluice.app.EmbeddedKafka;
import dev.sluice.app.SluiceInstance;
import dev.sluice.app.TopicsCreator;
import dev.sluice.bench.e2e.LoadDriver.ReplyForm;
import dev.sluice.bench.e2e.LoadDriver.StepResult;
import dev.sluice.core.rule.LimitRule;
import dev.sluice.rls.RlsConfig;
import dev.sluice.rls.RlsServer;
import dev.sluice.schema.AvroCodec;
import dev.sluice.schema.RuleCodec;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * {@code sluice bench}: the end-to-end benchmark. Everything runs in this one JVM unless told
 * otherwise: the app's embedded broker, a Sluice instance per processing guarantee (the same {@link
 * SluiceInstance} {@code sluice run} starts), the raw relays, the Streams relays ({@link
 * StreamsRelay}, on request) and the load driver. The order is: a JIT warm-up (the plain relay at
 * max, not recorded), a single raw hop, the raw relay, the transactional raw relay, then per
 * guarantee the Streams relay and the counting Streams relay, then Sluice under each guarantee;
 * each target gets an unrecorded warm-up (at the first rate, then at max) and then one step per
 * rate. See docs/PERFORMANCE.md.
 */
public final class BenchMain {
  static final String USAGE =
      String.join(
          "\n",
          "usage: sluice bench [options]",
          "  --rates LIST               1000,10000,50000,max (req/s; max = as fast as replies allow)",
          "  --duration-per-step S      15",
          "  --warmup S                 5 (per target: S s at the first rate, then S s at",
          "                             max; not recorded)",
          "  --jit-warmup S             20 (once, first: the relay at max, not recorded)",
          "  --drain S                  10 (wait for replies after a step)",
          "  --guarantee LIST           exactly_once_v2,at_least_once",
          "  --targets LIST             hop,relay,relay-eos,sluice (relay-eos: the relay with",
          "                             transactions, the floor for exactly-once); also",
          "                             streams: the relay as a Kafka Streams app with",
          "                             Sluice's Streams settings, per --guarantee, and",
          "                             streams-state: that app also counting each key in",
          "                             a store built as Sluice's counter store, and",
          "                             rls: Envoy gRPC calls to the rate-limit server",
          "                             (bin/sluice rls) in front of Sluice (exactly-once),",
          "                             sluice-leased: a decision client with client-side",
          "                             leases, 2 threads in a closed loop, zipf and uniform",
          "                             keys, against Sluice (the first --guarantee), and",
          "                             redis, redis-aof: the envoy ratelimit pattern (INCRBY",
          "                             + EXPIRE per check) on a redis-server the bench",
          "                             starts, without persistence and with appendonly",
          "                             (fsync every second; needs redis-server installed)",
          "  --rules N                  100000 rules (80% exact, 20% prefix, 20% with metadata)",
          "  --rule-limits N            1 (limits per rule, 1-8: 1 min, then 1 h, 1 d, 1 s,",
          "                             10 min, 6 h, 7 d, 31 d; each far above the load)",
          "  --keys N                   100000 distinct request keys, Zipf(--zipf 1.1)",
          "  --partitions N             3 (requests topics)",
          "  --max-in-flight N          20000 (the max step's window)",
          "  --app-prop K=V             Streams/Sluice setting for the instance (repeatable)",
          "  --client-prop K=V          producer.X / consumer.X (driver), relay.producer.X /",
          "                             relay.consumer.X (both relays), relay.commit.interval.ms",
          "                             (relay-eos; default: the app's commit.interval.ms,",
          "                             100 unless --app-prop sets it) (repeatable)",
          "  --bootstrap HOST:PORT      use this broker instead of starting one",
          "  --attach-app               with --bootstrap: a Sluice app already serves",
          "                             sluice.requests/sluice.decisions; do not start one",
          "  --app-pid PID              the attached app's process, for its RSS",
          "  --out DIR                  bench-results/<time> (results.json, latency.svg)");

  private final PrintStream out;
  private final PrintStream err;
  private final Options o;
  private final List<StepResult> results = new ArrayList<>();
  private final List<ObjectNode> memory = new ArrayList<>();
  // Commit durations of each relay-eos step, by key(step).
  private final Map<String, Histogram> commitMicros = new LinkedHashMap<>();
  private final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private final ObjectNode meta = mapper.createObjectNode();

  private BenchMain(Options o, PrintStream out, PrintStream err) {
    this.o = o;
    this.out = out;
    this.err = err;
  }

  /** Runs {@code sluice bench ARGS}; returns the exit status (0 ok, 1 failure, 2 bad usage). */
  public static int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
    Options o;
    try {
      o = Options.parse(argv);
    } catch (IllegalArgumentException e) {
      err.println("sluice bench: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    if (o.help) {
      out.println(USAGE);
      return 0;
    }
    return new BenchMain(o, out, err).run();
  }

  /** Direct entry point (the bench classpath without the CLI). */
  public static void main(String[] args) throws Exception {
    System.exit(run(List.of(args), System.out, System.err));
  }

  private int run() throws Exception {
    Path workDir = Files.createTempDirectory("sluice-bench-");
    Files.createDirectories(o.out);
    meta.put("started", Instant.now().toString());
    meta.put("loadAverageAtStart", loadAverage());
    meta.put("cpu", cpuModel());
    meta.put("cpus", Runtime.getRuntime().availableProcessors());
    meta.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    meta.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
    meta.put("args", String.join(" ", o.argv));
    err.println("sluice bench: load average at start " + loadAverage());
    if ((o.targets.contains("redis") || o.targets.contains("redis-aof"))
        && RedisServer.binary() == null) {
      err.println(
          "sluice bench: the redis targets need redis-server on the PATH; install it with "
              + RedisServer.INSTALL);
      return 1;
    }
    EmbeddedKafka kafka = null;
    try {
      String bootstrap = o.bootstrap;
      if (bootstrap == null) {
        err.println("sluice bench: starting the embedded broker (in this JVM)...");
        kafka = EmbeddedKafka.start(workDir, 0);
        bootstrap = kafka.bootstrapServers();
      }
      meta.put("bootstrap", bootstrap);
      meta.put("embeddedBroker", kafka != null);
      createBaseTopics(bootstrap);
      warmUpJit(bootstrap);
      if (o.targets.contains("hop")) {
        try (LoadDriver hop =
            new LoadDriver(
                "hop",
                bootstrap,
                "bench.hop",
                0,
                "bench.hop",
                0,
                ReplyForm.REQUEST,
                o.clientProps)) {
          runSteps(hop, null, null);
        }
      }
      if (o.targets.contains("relay")) {
        runRelay(bootstrap, "relay", null);
      }
      if (o.targets.contains("relay-eos")) {
        meta.put("relayEosCommitIntervalMs", o.relayCommitInterval.toMillis());
        runRelay(bootstrap, "relay-eos", o.relayCommitInterval);
      }
      for (String g : o.guarantees) {
        if (o.targets.contains("streams")) {
          runStreamsRelay(bootstrap, g, false, workDir);
        }
        if (o.targets.contains("streams-state")) {
          runStreamsRelay(bootstrap, g, true, workDir);
        }
      }
      if (o.targets.contains("sluice")) {
        if (o.attachApp) {
          publishRules(bootstrap, "sluice.rules");
          err.println("sluice bench: attached; waiting 10 s for the app to load the rules");
          Thread.sleep(10_000);
          try (LoadDriver driver =
              new LoadDriver(
                  "sluice",
                  bootstrap,
                  "sluice.requests",
                  -1,
                  "sluice.decisions",
                  0,
                  ReplyForm.DECISION,
                  o.clientProps)) {
            runSteps(driver, () -> memoryOf(null, null), null);
          }
        } else {
          publishRules(bootstrap, "bench.rules");
          for (String g : o.guarantees) {
            runSluice(bootstrap, g, workDir);
          }
        }
      }
      if (o.targets.contains("rls")) {
        publishRules(bootstrap, RLS_RULES, Workload.rlsRules(o.rules));
        runRls(bootstrap, workDir);
      }
      if (o.targets.contains("sluice-leased")) {
        runLeased(bootstrap, o.guarantees.get(0), workDir);
      }
      for (String t : List.of("redis", "redis-aof")) {
        if (o.targets.contains(t)) {
          runRedis(t, workDir);
        }
      }
    } finally {
      if (kafka != null) {
        kafka.close();
      }
      deleteRecursively(workDir);
    }
    meta.put("loadAverageAtEnd", loadAverage());
    meta.put("finished", Instant.now().toString());
    report();
    return 0;
  }

  /**
   * Before the first target: the plain relay at the maximum rate for {@code --jit-warmup} seconds,
   * on its own topics, not recorded. Everything shares one fresh JVM, and without this the first
   * target is measured while the JIT still compiles the broker's and the clients' hot paths (a C2
   * compiler thread busy on one of the two cores for a minute), which made the relay, measured
   * first, several times slower in some runs than in others.
   */
  private void warmUpJit(String bootstrap) throws Exception {
    if (o.jitWarmupS == 0) {
      return;
    }
    err.println("sluice bench: JIT warm-up, the relay at max for " + o.jitWarmupS + " s");
    try (RawRelay relay =
            new RawRelay(
                "jit-warmup",
                bootstrap,
                "bench.jit-warmup.requests",
                "bench.jit-warmup.replies",
                0,
                o.clientProps,
                null);
        LoadDriver driver =
            new LoadDriver(
                "jit-warmup",
                bootstrap,
                "bench.jit-warmup.requests",
                -1,
                "bench.jit-warmup.replies",
                0,
                ReplyForm.REQUEST,
                o.clientProps)) {
      relay.awaitAssigned(Duration.ofSeconds(60));
      driver.runStep(
          "jit-warmup",
          0,
          Duration.ofSeconds(o.jitWarmupS),
          Duration.ofSeconds(o.drainS),
          o.maxInFlight,
          new Zipf(o.keys, o.zipf, 7),
          err);
    }
    meta.put("jitWarmupSeconds", o.jitWarmupS);
  }

  /**
   * One relay target on its own topics ({@code bench.<target>.requests/.replies}): the plain relay
   * when {@code commitInterval} is null, else the transactional one.
   */
  private void runRelay(String bootstrap, String target, Duration commitInterval) throws Exception {
    String requests = "bench." + target + ".requests";
    String replies = "bench." + target + ".replies";
    try (RawRelay relay =
            new RawRelay(target, bootstrap, requests, replies, 0, o.clientProps, commitInterval);
        LoadDriver driver =
            new LoadDriver(
                target, bootstrap, requests, -1, replies, 0, ReplyForm.REQUEST, o.clientProps)) {
      relay.awaitAssigned(Duration.ofSeconds(60));
      runSteps(driver, null, commitInterval == null ? null : relay::commitDurations);
    }
  }

  /**
   * The settings of a Sluice instance under {@code guarantee}, on topics {@code bench.<name>.*}:
   * {@code name} is {@code eos}/{@code alo} for Sluice, {@code streams-eos}/{@code streams-alo} for
   * the Streams relay, which starts with the same Streams properties; the topics are created.
   */
  private AppConfig instanceConfig(String bootstrap, String guarantee, String name, Path workDir)
      throws Exception {
    return instanceConfig(bootstrap, guarantee, name, workDir, "bench.rules");
  }

  private AppConfig instanceConfig(
      String bootstrap, String guarantee, String name, Path workDir, String rulesTopic)
      throws Exception {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("bootstrap.servers", bootstrap);
    p.put("application.id", "sluice-bench-" + name);
    p.put("state.dir", workDir.resolve("streams-" + name).toString());
    p.put("replication.factor", "1");
    p.put("num.standby.replicas", "0");
    p.put("processing.guarantee", guarantee);
    p.put("sluice.topic.rules", rulesTopic);
    p.put("sluice.topic.rules-applied", "bench." + name + ".rules-applied");
    p.put("sluice.topic.requests", "bench." + name + ".requests");
    p.put("sluice.topic.decisions", "bench." + name + ".decisions");
    p.put("sluice.topic.dead-letters", "bench." + name + ".dead-letters");
    p.putAll(o.appProps);
    AppConfig config = AppConfig.forInstance(null, Map.of(), p);
    try (Admin admin = admin(bootstrap)) {
      TopicsCreator.createMissing(admin, config.sluice(), o.partitions, (short) 1);
    }
    return config;
  }

  private static String shortName(String guarantee) {
    return guarantee.equals("exactly_once_v2") ? "eos" : "alo";
  }

  /**
   * The Streams relay under one guarantee: Sluice's own Streams properties, a topology that only
   * copies ({@link StreamsRelay}), on the topics a Sluice instance would use.
   */
  private void runStreamsRelay(String bootstrap, String guarantee, boolean counting, Path workDir)
      throws Exception {
    String name = (counting ? "streams-state-" : "streams-") + shortName(guarantee);
    AppConfig config = instanceConfig(bootstrap, guarantee, name, workDir);
    Properties props = config.streamsProperties();
    err.println("sluice bench: starting " + name + " (the Streams relay, in this JVM)");
    Path stateDir = Path.of(props.getProperty(StreamsConfig.STATE_DIR_CONFIG));
    try (StreamsRelay relay =
            new StreamsRelay(
                props,
                config.sluice().requestsTopic(),
                config.sluice().decisionsTopic(),
                0,
                counting);
        LoadDriver driver =
            new LoadDriver(
                name,
                bootstrap,
                config.sluice().requestsTopic(),
                -1,
                config.sluice().decisionsTopic(),
                0,
                ReplyForm.REQUEST,
                o.clientProps)) {
      relay.awaitRunning(Duration.ofSeconds(180));
      runSteps(
          driver,
          () -> {
            ObjectNode m = memoryOf(stateDir, null);
            putCommitLatency(m, relay.streams());
            return m;
          },
          null);
    }
  }

  /** The rules of the {@code rls} target: the bench rules in its key space. */
  static final String RLS_RULES = "bench.rls.rules";

  /**
   * The {@code rls} target: a Sluice instance under exactly-once on its own topics, the rate-limit
   * server ({@link RlsServer}, in this JVM) in front of it through a decision client, and the load
   * as Envoy gRPC calls ({@link RlsTransport}). Compared with {@code sluice-eos} of the same run,
   * whose requests go straight to the requests topic, it shows what the RLS hop adds: gRPC, the
   * server, and the decision client (configured with linger 0 as the driver's producer is).
   */
  private void runRls(String bootstrap, Path workDir) throws Exception {
    AppConfig config = instanceConfig(bootstrap, "exactly_once_v2", "rls", workDir, RLS_RULES);
    Path stateDir = Path.of(config.streamsProperties().getProperty(StreamsConfig.STATE_DIR_CONFIG));
    err.println("sluice bench: starting Sluice (exactly_once_v2) and the RLS server, in this JVM");
    SluiceInstance instance = SluiceInstance.start(config, 0);
    RlsServer server = null;
    try {
      if (!instance.awaitReady(Duration.ofSeconds(180))) {
        throw new IllegalStateException("Sluice did not become ready in 180 s");
      }
      long t0 = System.nanoTime();
      while (instance.rulesLoaded() < o.rules || Double.isNaN(instance.rulesLoaded())) {
        if (System.nanoTime() - t0 > Duration.ofMinutes(10).toNanos()) {
          throw new IllegalStateException("rules not loaded in 10 min: " + instance.rulesLoaded());
        }
        Thread.sleep(200);
      }
      Map<String, String> rls = new LinkedHashMap<>();
      rls.put("bootstrap.servers", bootstrap);
      rls.put("sluice.topic.requests", config.sluice().requestsTopic());
      rls.put("sluice.topic.decisions", config.sluice().decisionsTopic());
      rls.put("sluice.topic.rules", RLS_RULES);
      rls.put("sluice.client.reply.partitions", "0");
      rls.put("sluice.client.linger.ms", "0");
      rls.put("sluice.client.timeout.ms", "30000");
      rls.put("sluice.client.max.in.flight", Integer.toString(o.maxInFlight + 1000));
      rls.put("sluice.rls.max.in.flight", Integer.toString(o.maxInFlight + 1000));
      rls.put("sluice.rls.max.rules", Integer.toString(Math.max(1, o.rules)));
      rls.put("sluice.rls.bind.address", "127.0.0.1");
      rls.put("sluice.rls.grpc.port", "0");
      rls.put("sluice.rls.http.port", "-1");
      server = RlsServer.start(RlsConfig.fromProperties(rls));
      long t1 = System.nanoTime();
      while (!server.connected()) {
        if (System.nanoTime() - t1 > Duration.ofSeconds(60).toNanos()) {
          throw new IllegalStateException("the RLS server did not connect in 60 s");
        }
        Thread.sleep(50);
      }
      int port = server.grpcPort();
      RlsTransport[] transport = new RlsTransport[1];
      try (LoadDriver driver =
          new LoadDriver("rls", d -> transport[0] = new RlsTransport(d, "127.0.0.1", port))) {
        runSteps(driver, () -> memoryOf(stateDir, instance), null);
      }
      meta.put("rlsFailedCalls", transport[0].failures());
    } finally {
      if (server != null) {
        server.close();
      }
      instance.close(Duration.ofSeconds(30));
    }
  }

  /**
   * The {@code sluice-leased} target ({@link LeasedBench}): a Sluice instance on its own topics
   * with one rule matching every bench key far above the load, and a leasing decision client in
   * front of it. Its figures go to {@code results.json} as {@code sluiceLeased}.
   */
  private void runLeased(String bootstrap, String guarantee, Path workDir) throws Exception {
    String rulesTopic = "bench.leased.rules";
    // Creates the instance's topics, the rules topic among them.
    AppConfig config = instanceConfig(bootstrap, guarantee, "leased", workDir, rulesTopic);
    Map<String, Object> p = new LinkedHashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  rulesTopic,
                  "leased",
                  LeasedBench.RULE.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
          .get();
    }
    err.println("sluice bench: starting Sluice (" + guarantee + ") for sluice-leased, in this JVM");
    SluiceInstance instance = SluiceInstance.start(config, 0);
    try {
      if (!instance.awaitReady(Duration.ofSeconds(180))) {
        throw new IllegalStateException("Sluice did not become ready in 180 s");
      }
      long t0 = System.nanoTime();
      while (instance.rulesLoaded() < 1 || Double.isNaN(instance.rulesLoaded())) {
        if (System.nanoTime() - t0 > Duration.ofMinutes(2).toNanos()) {
          throw new IllegalStateException("the leased rule not loaded in 2 min");
        }
        Thread.sleep(200);
      }
      meta.put("sluiceLeasedGuarantee", guarantee);
      meta.set(
          "sluiceLeased",
          LeasedBench.run(
              mapper,
              bootstrap,
              config.sluice().requestsTopic(),
              config.sluice().decisionsTopic(),
              o.keys,
              o.zipf,
              o.warmupS,
              o.durationS,
              err));
    } finally {
      instance.close(Duration.ofSeconds(30));
    }
  }

  /**
   * The {@code redis} and {@code redis-aof} targets: the peer users would pick instead, a
   * Redis-backed fixed-window limiter ({@link RedisTransport}) against a {@code redis-server} child
   * process ({@link RedisServer}) on a free loopback port, without persistence ({@code redis}) or
   * with the append-only file fsynced every second ({@code redis-aof}). Same steps and keys as the
   * other targets; the memory figures are this JVM's, the disk figure the server's files.
   */
  private void runRedis(String target, Path workDir) throws Exception {
    boolean aof = target.equals("redis-aof");
    err.println(
        "sluice bench: starting redis-server ("
            + (aof ? "appendonly yes, appendfsync everysec" : "no persistence")
            + ", child process)");
    try (RedisServer server = RedisServer.start(workDir.resolve(target), aof)) {
      RedisTransport[] transport = new RedisTransport[1];
      try (LoadDriver driver =
          new LoadDriver(
              target, d -> transport[0] = new RedisTransport(d, "127.0.0.1", server.port()))) {
        runSteps(
            driver,
            () -> {
              ObjectNode m = memoryOf(null, null);
              try {
                m.put("redisDiskBytes", server.diskBytes());
              } catch (java.io.IOException e) {
                m.put("redisDiskBytesError", e.toString());
              }
              return m;
            },
            null);
      }
      meta.put(target + "FailedCalls", transport[0].failures());
      meta.put(target + "OverLimit", transport[0].overLimit());
    }
  }

  private void runSluice(String bootstrap, String guarantee, Path workDir) throws Exception {
    String g = shortName(guarantee);
    AppConfig config = instanceConfig(bootstrap, guarantee, g, workDir);
    Path stateDir = Path.of(config.streamsProperties().getProperty(StreamsConfig.STATE_DIR_CONFIG));
    err.println(
        "sluice bench: starting Sluice (" + guarantee + ", in this JVM); --app-prop " + o.appProps);
    long t0 = System.nanoTime();
    SluiceInstance instance = SluiceInstance.start(config, 0);
    try {
      if (!instance.awaitReady(Duration.ofSeconds(180))) {
        throw new IllegalStateException("Sluice did not become ready in 180 s");
      }
      while (instance.rulesLoaded() < o.rules || Double.isNaN(instance.rulesLoaded())) {
        if (System.nanoTime() - t0 > Duration.ofMinutes(10).toNanos()) {
          throw new IllegalStateException("rules not loaded in 10 min: " + instance.rulesLoaded());
        }
        Thread.sleep(200);
      }
      double loadS = (System.nanoTime() - t0) / 1e9;
      err.printf(
          Locale.ROOT, "sluice bench: %s ready with %d rules after %.1f s%n", g, o.rules, loadS);
      meta.put("rulesReadySeconds_" + g, loadS);
      try (LoadDriver driver =
          new LoadDriver(
              "sluice-" + g,
              bootstrap,
              "bench." + g + ".requests",
              -1,
              "bench." + g + ".decisions",
              0,
              ReplyForm.DECISION,
              o.clientProps)) {
        runSteps(driver, () -> memoryOf(stateDir, instance), null);
      }
    } finally {
      instance.close(Duration.ofSeconds(30));
    }
  }

  /**
   * The warm-up and one step per rate. {@code mem} (may be null) reads the memory figures after a
   * step; {@code commits} (may be null) gives the commit durations since its previous call: it is
   * read before each step, to drop the earlier ones, and after it.
   */
  private void runSteps(LoadDriver driver, Supplier<ObjectNode> mem, Supplier<Histogram> commits) {
    Zipf keys = new Zipf(o.keys, o.zipf, 42);
    if (o.warmupS > 0) {
      // At the first rate, then as fast as it goes, so that the JIT has compiled this target's
      // own hot paths (Kafka Streams, the store, Sluice) before anything is recorded: a few
      // seconds at 1k/s are too few calls, and the first Streams target of a run was up to 2.5x
      // slower at max without it.
      double first = o.rates.get(0) > 0 ? o.rates.get(0) : 1000;
      for (double r : new double[] {first, 0}) {
        driver.runStep(
            r > 0 ? "warmup" : "warmup-max",
            r,
            Duration.ofSeconds(o.warmupS),
            Duration.ofSeconds(o.drainS),
            o.maxInFlight,
            keys,
            err);
      }
    }
    for (double rate : o.rates) {
      if (commits != null) {
        commits.get();
      }
      StepResult r =
          driver.runStep(
              LoadDriver.describe(rate),
              rate,
              Duration.ofSeconds(o.durationS),
              Duration.ofSeconds(o.drainS),
              o.maxInFlight,
              keys,
              err);
      results.add(r);
      ObjectNode m = mem == null ? null : mem.get();
      if (m != null) {
        m.put("target", r.target());
        m.put("rate", r.label());
        memory.add(m);
        if (m.has("streamThreadCommitMsAvg")) {
          err.printf(
              Locale.ROOT,
              "%s %s: stream-thread commit %.1f ms avg, %.1f ms max (Kafka Streams' metric)%n",
              r.target(),
              r.label(),
              m.get("streamThreadCommitMsAvg").asDouble(),
              m.path("streamThreadCommitMsMax").asDouble());
        }
      }
      if (commits != null) {
        commitMicros.put(key(r), commits.get());
      }
      err.println(line(r) + "   load " + loadAverage());
    }
  }

  private ObjectNode memoryOf(Path stateDir, SluiceInstance instance) {
    ObjectNode m = mapper.createObjectNode();
    m.put("heapUsedBytes", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    m.put(
        "heapCommittedBytes",
        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted());
    String pid = o.appPid != null ? o.appPid : "self";
    m.put("rssBytes", rssBytes(pid));
    m.put(
        "rssOf",
        o.appPid != null ? "app process " + o.appPid : "this JVM: broker + app + relay + driver");
    if (stateDir != null) {
      m.put("stateDirBytes", sizeOf(stateDir));
    }
    if (instance != null) {
      m.put("rulesLoaded", instance.rulesLoaded());
      putCommitLatency(m, instance.streams());
    }
    return m;
  }

  /**
   * Kafka Streams' own thread metrics (its sample window, about the last 30-60 s): how long a
   * commit blocks the stream thread; under exactly-once, the wait a reply has on top of the commit
   * interval.
   */
  private static void putCommitLatency(ObjectNode m, KafkaStreams streams) {
    streams
        .metrics()
        .forEach(
            (name, metric) -> {
              if (name.group().equals("stream-thread-metrics")
                  && (name.name().equals("commit-latency-avg")
                      || name.name().equals("commit-latency-max"))
                  && metric.metricValue() instanceof Double v
                  && !v.isNaN()) {
                m.put("streamThreadCommitMs" + (name.name().endsWith("avg") ? "Avg" : "Max"), v);
              }
            });
  }

  // ---- topics and rules ----

  private Admin admin(String bootstrap) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return Admin.create(p);
  }

  private void createBaseTopics(String bootstrap) throws Exception {
    try (Admin admin = admin(bootstrap)) {
      var existing = admin.listTopics().names().get();
      List<NewTopic> topics = new ArrayList<>();
      Map<String, String> logAppend =
          Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
      topics.add(new NewTopic("bench.hop", 1, (short) 1).configs(logAppend));
      for (String relay : List.of("relay", "relay-eos", "jit-warmup")) {
        topics.add(
            new NewTopic("bench." + relay + ".requests", o.partitions, (short) 1)
                .configs(logAppend));
        topics.add(new NewTopic("bench." + relay + ".replies", o.partitions, (short) 1));
      }
      topics.removeIf(t -> existing.contains(t.name()));
      admin.createTopics(topics).all().get();
    }
  }

  private void publishRules(String bootstrap, String topic) throws Exception {
    publishRules(bootstrap, topic, Workload.rules(o.rules, o.ruleLimits));
  }

  private void publishRules(String bootstrap, String topic, List<LimitRule> rules)
      throws Exception {
    try (Admin admin = admin(bootstrap)) {
      if (!admin.listTopics().names().get().contains(topic)) {
        admin
            .createTopics(
                List.of(
                    new NewTopic(topic, 1, (short) 1)
                        .configs(
                            Map.of(
                                TopicConfig.CLEANUP_POLICY_CONFIG,
                                TopicConfig.CLEANUP_POLICY_COMPACT))))
            .all()
            .get();
      }
    }
    Map<String, Object> p = new LinkedHashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
    long t0 = System.nanoTime();
    long bytes = 0;
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      for (LimitRule r : rules) {
        byte[] v = AvroCodec.RULE.encode(RuleCodec.toAvro(r));
        bytes += v.length;
        producer.send(new ProducerRecord<>(topic, r.id(), v));
      }
      producer.flush();
    }
    double s = (System.nanoTime() - t0) / 1e9;
    err.printf(
        Locale.ROOT,
        "sluice bench: published %d rules of %d limit(s) (%d bytes) to %s in %.1f s%n",
        rules.size(),
        o.ruleLimits,
        bytes,
        topic,
        s);
    meta.put("rules", rules.size());
    meta.put("ruleLimits", o.ruleLimits);
    meta.put("ruleBytes", bytes);
    meta.put("requestBytesExample", Workload.request("s-123456", "user:1234", 0).length);
  }

  // ---- report ----

  private void report() throws IOException {
    out.println();
    out.println(
        "Results (latency from the intended send time, ms; ratios to the raw relay at the"
            + " same rate)");
    out.println(
        String.format(
            Locale.ROOT,
            "%-17s %-8s %9s %9s %8s %8s %8s %8s %9s %7s %7s %7s",
            "target",
            "rate",
            "sent",
            "replies",
            "p50",
            "p90",
            "p99",
            "p99.9",
            "achieved/s",
            "p50 x",
            "p99 x",
            "rate x"));
    for (StepResult r : results) {
      StepResult relay = find("relay", r.label());
      out.println(
          String.format(
              Locale.ROOT,
              "%-17s %-8s %9d %9d %8.2f %8.2f %8.2f %8.2f %9.0f %7s %7s %7s",
              r.target(),
              r.label(),
              r.sent(),
              r.received(),
              pct(r, 50),
              pct(r, 90),
              pct(r, 99),
              pct(r, 99.9),
              r.achievedPerSec(),
              ratio(relay == null ? Double.NaN : pct(r, 50) / pct(relay, 50)),
              ratio(relay == null ? Double.NaN : pct(r, 99) / pct(relay, 99)),
              ratio(relay == null ? Double.NaN : r.achievedPerSec() / relay.achievedPerSec())));
    }
    reportAgainstBaselines();
    reportCommits();
    out.println();
    ArrayNode targets = mapper.createArrayNode();
    for (String g : o.guarantees) {
      String t = "sluice-" + (g.equals("exactly_once_v2") ? "eos" : "alo");
      ObjectNode verdict = targets.addObject();
      verdict.put("target", t);
      for (String rate : List.of("1000/s", "10000/s")) {
        StepResult s = find(t, rate);
        StepResult relay = find("relay", rate);
        if (s == null || relay == null) {
          continue;
        }
        double p50x = pct(s, 50) / pct(relay, 50);
        double p99x = pct(s, 99) / pct(relay, 99);
        verdict.put("p50Ratio_" + rate, p50x);
        verdict.put("p99Ratio_" + rate, p99x);
        StepResult relayEos = t.equals("sluice-eos") ? find("relay-eos", rate) : null;
        if (relayEos != null) {
          verdict.put("p50RatioToRelayEos_" + rate, pct(s, 50) / pct(relayEos, 50));
          verdict.put("p99RatioToRelayEos_" + rate, pct(s, 99) / pct(relayEos, 99));
        }
        out.printf(
            Locale.ROOT,
            "target %s at %s: p50 %.2fx relay (<= 1.5x: %s), p99 %.2fx relay" + " (<= 2x: %s)%n",
            t,
            rate,
            p50x,
            p50x <= 1.5 ? "met" : "NOT met",
            p99x,
            p99x <= 2 ? "met" : "NOT met");
      }
      StepResult s = find(t, "max");
      StepResult relay = find("relay", "max");
      if (s != null && relay != null) {
        double x = s.achievedPerSec() / relay.achievedPerSec();
        verdict.put("maxRatio", x);
        StepResult relayEos = t.equals("sluice-eos") ? find("relay-eos", "max") : null;
        if (relayEos != null) {
          verdict.put("maxRatioToRelayEos", s.achievedPerSec() / relayEos.achievedPerSec());
        }
        out.printf(
            Locale.ROOT,
            "target %s max: %.0f/s = %.2fx relay %.0f/s (>= 0.7x: %s)%n",
            t,
            s.achievedPerSec(),
            x,
            relay.achievedPerSec(),
            x >= 0.7 ? "met" : "NOT met");
      }
    }
    reportRls(targets);
    out.println(
        "load average: start "
            + meta.get("loadAverageAtStart").asText()
            + ", end "
            + meta.get("loadAverageAtEnd").asText());

    ObjectNode root = mapper.createObjectNode();
    root.set("run", meta);
    ArrayNode steps = root.putArray("steps");
    List<SvgPlot.Series> series = new ArrayList<>();
    for (StepResult r : results) {
      ObjectNode n = steps.addObject();
      n.put("target", r.target());
      n.put("rate", r.label());
      n.put("offeredPerSec", r.offeredRate());
      n.put("seconds", r.seconds());
      n.put("sent", r.sent());
      n.put("replies", r.received());
      n.put("achievedPerSec", r.achievedPerSec());
      n.put(
          "latencyFrom",
          r.offeredRate() > 0
              ? "intended send time (open loop)"
              : "actual send time (closed loop, window " + o.maxInFlight + ")");
      ObjectNode lat = n.putObject("latencyMs");
      double[] ms = new double[SvgPlot.PERCENTILES.length];
      for (int i = 0; i < ms.length; i++) {
        ms[i] = pct(r, SvgPlot.PERCENTILES[i]);
        lat.put("p" + SvgPlot.PERCENTILES[i], ms[i]);
      }
      lat.put("max", r.latencyMicros().getMaxValue() / 1000.0);
      lat.put("mean", r.latencyMicros().getMean() / 1000.0);
      StepResult relay = find("relay", r.label());
      if (relay != null && !r.target().equals("relay")) {
        putRatios(n.putObject("ratioToRelay"), r, relay);
      }
      StepResult relayEos = find("relay-eos", r.label());
      if (relayEos != null && r.target().equals("sluice-eos")) {
        putRatios(n.putObject("ratioToRelayEos"), r, relayEos);
      }
      if (r.target().startsWith("sluice-")) {
        StepResult streamsRelay = find(r.target().replace("sluice-", "streams-"), r.label());
        if (streamsRelay != null) {
          putRatios(n.putObject("ratioToStreamsRelay"), r, streamsRelay);
        }
        StepResult counting = find(r.target().replace("sluice-", "streams-state-"), r.label());
        if (counting != null) {
          putRatios(n.putObject("ratioToCountingStreamsRelay"), r, counting);
        }
      }
      Histogram commits = commitMicros.get(key(r));
      if (commits != null) {
        ObjectNode c = n.putObject("commitMs");
        c.put("what", "sendOffsetsToTransaction + commitTransaction");
        c.put("intervalMs", o.relayCommitInterval.toMillis());
        c.put("count", commits.getTotalCount());
        c.put("p50", millis(commits, 50));
        c.put("p99", millis(commits, 99));
        c.put("max", maxMillis(commits));
        c.put("mean", commits.getTotalCount() == 0 ? Double.NaN : commits.getMean() / 1000.0);
      }
      if (r.offeredRate() > 0 && r.latencyMicros().getTotalCount() > 0) {
        series.add(
            new SvgPlot.Series(
                r.target() + " " + r.label(),
                !r.target().startsWith("sluice"),
                SvgPlot.PERCENTILES,
                ms));
      }
    }
    root.set("targets", targets);
    ArrayNode mem = root.putArray("memory");
    memory.forEach(mem::add);
    Files.writeString(o.out.resolve("results.json"), mapper.writeValueAsString(root));
    Files.writeString(
        o.out.resolve("latency.svg"),
        SvgPlot.render(
            "Sluice decision latency vs raw relay (load "
                + meta.get("loadAverageAtEnd").asText()
                + ")",
            series));
    out.println("wrote " + o.out.resolve("results.json") + " and " + o.out.resolve("latency.svg"));
  }

  /**
   * Sluice's exactly-once steps beside the transactional relay's at the same rate (the floor that
   * pays the same commit price), and each Sluice target beside the Streams relay under the same
   * guarantee (the floor of Kafka Streams with Sluice's settings), when the run has them.
   */
  /**
   * What the RLS hop adds: the {@code rls} target's percentiles beside {@code sluice-eos} of the
   * same run, per rate (the goal: at most 0.3 ms more at the median).
   */
  private void reportRls(ArrayNode targets) {
    ObjectNode verdict = null;
    for (String rate : List.of("1000/s", "10000/s", "max")) {
      StepResult r = find("rls", rate);
      StepResult direct = find("sluice-eos", rate);
      if (r == null || direct == null) {
        continue;
      }
      if (verdict == null) {
        verdict = targets.addObject();
        verdict.put("target", "rls");
      }
      if (rate.equals("max")) {
        double x = r.achievedPerSec() / direct.achievedPerSec();
        verdict.put("maxRatioToSluiceEos", x);
        out.printf(
            Locale.ROOT,
            "target rls max: %.0f/s = %.2fx sluice-eos %.0f/s%n",
            r.achievedPerSec(),
            x,
            direct.achievedPerSec());
        continue;
      }
      double added50 = pct(r, 50) - pct(direct, 50);
      double added99 = pct(r, 99) - pct(direct, 99);
      verdict.put("p50AddedMs_" + rate, added50);
      verdict.put("p99AddedMs_" + rate, added99);
      out.printf(
          Locale.ROOT,
          "target rls at %s: p50 %.2f ms = sluice-eos %+.2f ms (<= +0.3 ms: %s), p99 %.2f ms ="
              + " sluice-eos %+.2f ms%n",
          rate,
          pct(r, 50),
          added50,
          added50 <= 0.3 ? "met" : "NOT met",
          pct(r, 99),
          added99);
    }
  }

  private void reportAgainstBaselines() {
    reportAgainst(
        "sluice-eos",
        "relay-eos",
        String.format(
            Locale.ROOT,
            "Exactly-once against the transactional relay (relay-eos commits every %d ms), ms;"
                + " same rate",
            o.relayCommitInterval.toMillis()));
    for (String g : List.of("eos", "alo")) {
      reportAgainst(
          "sluice-" + g,
          "streams-" + g,
          "Sluice against the Streams relay (Kafka Streams, Sluice's settings, no work), ms;"
              + " same rate");
      reportAgainst(
          "sluice-" + g,
          "streams-state-" + g,
          "Sluice against the counting Streams relay (one counter read and write per request in"
              + " a store like Sluice's), ms; same rate");
    }
  }

  private void reportAgainst(String target, String baseTarget, String title) {
    String row = "%-8s %8s %8s %10s | %8s %8s %10s | %7s %7s %7s";
    boolean first = true;
    for (StepResult r : results) {
      StepResult base = find(baseTarget, r.label());
      if (!r.target().equals(target) || base == null) {
        continue;
      }
      if (first) {
        first = false;
        out.println();
        out.println(title);
        out.println(
            String.format(
                Locale.ROOT,
                "%-8s %-28s | %-28s | %s",
                "",
                target,
                baseTarget,
                target + " x " + baseTarget));
        out.println(
            String.format(
                Locale.ROOT,
                row,
                "rate",
                "p50",
                "p99",
                "achieved/s",
                "p50",
                "p99",
                "achieved/s",
                "p50 x",
                "p99 x",
                "rate x"));
      }
      out.println(
          String.format(
              Locale.ROOT,
              row.replace("%8s", "%8.2f").replace("%10s", "%10.0f"),
              r.label(),
              pct(r, 50),
              pct(r, 99),
              r.achievedPerSec(),
              pct(base, 50),
              pct(base, 99),
              base.achievedPerSec(),
              ratio(pct(r, 50) / pct(base, 50)),
              ratio(pct(r, 99) / pct(base, 99)),
              ratio(r.achievedPerSec() / base.achievedPerSec())));
    }
  }

  /** How long relay-eos's commits took, per step: the price of a commit on this broker. */
  private void reportCommits() {
    if (commitMicros.isEmpty()) {
      return;
    }
    out.println();
    out.println(
        "relay-eos commits (sendOffsetsToTransaction + commitTransaction, ms; every "
            + o.relayCommitInterval.toMillis()
            + " ms of an open transaction)");
    out.println(
        String.format(Locale.ROOT, "%-8s %8s %8s %8s %8s", "rate", "commits", "p50", "p99", "max"));
    for (StepResult r : results) {
      Histogram h = commitMicros.get(key(r));
      if (h != null) {
        out.println(
            String.format(
                Locale.ROOT,
                "%-8s %8d %8.2f %8.2f %8.2f",
                r.label(),
                h.getTotalCount(),
                millis(h, 50),
                millis(h, 99),
                maxMillis(h)));
      }
    }
  }

  private static void putRatios(ObjectNode x, StepResult r, StepResult base) {
    x.put("p50", pct(r, 50) / pct(base, 50));
    x.put("p99", pct(r, 99) / pct(base, 99));
    x.put("achieved", r.achievedPerSec() / base.achievedPerSec());
  }

  private static String key(StepResult r) {
    return r.target() + " " + r.label();
  }

  private StepResult find(String target, String label) {
    return results.stream()
        .filter(r -> r.target().equals(target) && r.label().equals(label))
        .findFirst()
        .orElse(null);
  }

  private static double pct(StepResult r, double p) {
    return millis(r.latencyMicros(), p);
  }

  /** The largest value of a histogram of microseconds, in ms; NaN when it is empty. */
  private static double maxMillis(Histogram micros) {
    return micros.getTotalCount() == 0 ? Double.NaN : micros.getMaxValue() / 1000.0;
  }

  /** A percentile of a histogram of microseconds, in ms; NaN when it is empty. */
  private static double millis(Histogram micros, double p) {
    return micros.getTotalCount() == 0 ? Double.NaN : micros.getValueAtPercentile(p) / 1000.0;
  }

  private static String ratio(double x) {
    return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.2f", x);
  }

  private static String line(StepResult r) {
    return String.format(
        Locale.ROOT,
        "== %s %s: sent %d, replies %d, %.0f/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.1f ms",
        r.target(),
        r.label(),
        r.sent(),
        r.received(),
        r.achievedPerSec(),
        pct(r, 50),
        pct(r, 99),
        pct(r, 99.9),
        r.latencyMicros().getMaxValue() / 1000.0);
  }

  // ---- the machine ----

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + ", " + f[1] + ", " + f[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String cpuModel() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines
          .filter(l -> l.startsWith("model name"))
          .findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .orElse("unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static long rssBytes(String pid) {
    try (Stream<String> lines = Files.lines(Path.of("/proc", pid, "status"))) {
      return lines
          .filter(l -> l.startsWith("VmRSS:"))
          .findFirst()
          .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024)
          .orElse(-1L);
    } catch (IOException e) {
      return -1;
    }
  }

  private static long sizeOf(Path dir) {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .mapToLong(
              f -> {
                try {
                  return Files.size(f);
                } catch (IOException e) {
                  return 0; // RocksDB deleted it meanwhile
                }
              })
          .sum();
    } catch (IOException | UncheckedIOException e) {
      return -1;
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(f -> f.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort: a temp directory
    }
  }

  /** Parsed command line. */
  static final class Options {
    List<String> argv;
    boolean help;
    List<Double> rates = List.of(1000.0, 10000.0, 50000.0, 0.0);
    long durationS = 15;
    long warmupS = 5;
    long jitWarmupS = 20;
    long drainS = 10;
    List<String> guarantees = List.of("exactly_once_v2", "at_least_once");
    static final List<String> TARGETS =
        List.of(
            "hop",
            "relay",
            "relay-eos",
            "streams",
            "streams-state",
            "sluice",
            "rls",
            "sluice-leased",
            "redis",
            "redis-aof");
    List<String> targets = List.of("hop", "relay", "relay-eos", "sluice");
    Duration relayCommitInterval;
    int rules = 100_000;
    int ruleLimits = 1;
    int keys = 100_000;
    double zipf = 1.1;
    int partitions = 3;
    int maxInFlight = 20_000;
    Map<String, String> appProps = new LinkedHashMap<>();
    Map<String, String> clientProps = new LinkedHashMap<>();
    String bootstrap;
    boolean attachApp;
    String appPid;
    Path out =
        Path.of("bench-results", Instant.now().toString().replace(":", "").replaceAll("\\..*", ""));

    static Options parse(List<String> argv) {
      Options o = new Options();
      o.argv = argv;
      for (int i = 0; i < argv.size(); i++) {
        String a = argv.get(i);
        if (a.equals("--help") || a.equals("-h")) {
          o.help = true;
          continue;
        }
        if (a.equals("--attach-app")) {
          o.attachApp = true;
          continue;
        }
        if (i + 1 >= argv.size()) {
          throw new IllegalArgumentException("missing value after " + a);
        }
        String v = argv.get(++i);
        switch (a) {
          case "--rates" ->
              o.rates =
                  Arrays.stream(v.split(","))
                      .map(s -> s.trim().equals("max") ? 0.0 : positive(a, s))
                      .toList();
          case "--duration-per-step" -> o.durationS = (long) positive(a, v);
          case "--warmup" -> o.warmupS = (long) nonNegative(a, v);
          case "--jit-warmup" -> o.jitWarmupS = (long) nonNegative(a, v);
          case "--drain" -> o.drainS = (long) nonNegative(a, v);
          case "--guarantee" -> {
            o.guarantees = List.of(v.split(","));
            for (String g : o.guarantees) {
              if (!g.equals("exactly_once_v2") && !g.equals("at_least_once")) {
                throw new IllegalArgumentException(
                    "--guarantee: exactly_once_v2 or at_least_once, got '" + g + "'");
              }
            }
          }
          case "--targets" -> {
            o.targets = List.of(v.split(","));
            for (String t : o.targets) {
              if (!TARGETS.contains(t)) {
                throw new IllegalArgumentException(
                    "--targets: some of " + String.join(",", TARGETS) + ", got '" + t + "'");
              }
            }
          }
          case "--rules" -> o.rules = (int) nonNegative(a, v);
          case "--rule-limits" -> {
            double n = positive(a, v);
            o.ruleLimits = (int) n;
            if (n != o.ruleLimits || n > LimitRule.MAX_LIMITS) {
              throw new IllegalArgumentException(
                  "--rule-limits: a whole number from 1 to "
                      + LimitRule.MAX_LIMITS
                      + ", got '"
                      + v
                      + "'");
            }
          }
          case "--keys" -> o.keys = (int) positive(a, v);
          case "--zipf" -> o.zipf = nonNegative(a, v);
          case "--partitions" -> o.partitions = (int) positive(a, v);
          case "--max-in-flight" -> o.maxInFlight = (int) positive(a, v);
          case "--app-prop" -> put(o.appProps, a, v);
          case "--client-prop" -> put(o.clientProps, a, v);
          case "--bootstrap" -> o.bootstrap = v;
          case "--app-pid" -> o.appPid = v;
          case "--out" -> o.out = Path.of(v);
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
      }
      // The transactional relay commits as often as the Sluice instance of the same run.
      String interval = StreamsConfig.COMMIT_INTERVAL_MS_CONFIG;
      String ms =
          o.clientProps.getOrDefault(
              "relay." + interval,
              o.appProps.getOrDefault(interval, AppConfig.STREAMS_DEFAULTS.get(interval)));
      o.relayCommitInterval = Duration.ofMillis((long) nonNegative("relay." + interval, ms));
      if (o.attachApp && o.bootstrap == null) {
        throw new IllegalArgumentException("--attach-app needs --bootstrap");
      }
      if (o.maxInFlight >= LoadDriver.RING) {
        throw new IllegalArgumentException("--max-in-flight must be below " + LoadDriver.RING);
      }
      return o;
    }

    private static void put(Map<String, String> m, String option, String kv) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(option + " wants KEY=VALUE, got '" + kv + "'");
      }
      m.put(kv.substring(0, eq), kv.substring(eq + 1));
    }

    private static double positive(String option, String v) {
      double d = nonNegative(option, v);
      if (d <= 0) {
        throw new IllegalArgumentException(option + " must be positive, got '" + v + "'");
      }
      return d;
    }

    private static double nonNegative(String option, String v) {
      try {
        double d = Double.parseDouble(v.trim());
        if (d < 0 || Double.isNaN(d)) {
          throw new NumberFormatException();
        }
        return d;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(option + " wants a number >= 0, got '" + v + "'");
      }
    }
  }
}
