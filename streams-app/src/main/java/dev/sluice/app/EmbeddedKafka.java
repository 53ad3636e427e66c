package dev.sluice.app;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka cluster (one combined KRaft broker and controller) running inside this
 * JVM, for {@code sluice local}. Not for production: one replica, data in a temporary directory
 * that {@link #close()} deletes.
 *
 * <p>It is the same server {@code kafka-server-start.sh} runs ({@link KafkaRaftServer}), after the
 * same storage format step {@code kafka-storage.sh format} does ({@link StorageTool}); only the log
 * directory and ports are chosen here.
 *
 * <p>{@link #startSecure} runs it the way a secured cluster runs (for {@code sluice local --secure}
 * and the security tests): the client listener takes SASL/SCRAM-SHA-512 only, the {@code
 * StandardAuthorizer} checks every request against ACLs ({@code
 * allow.everyone.if.no.acl.found=false}), and the only super user is the broker's own principal
 * {@value #BROKER_USER}, whose password is random per start. Design notes:
 *
 * <ul>
 *   <li>The client listener is {@code SASL_PLAINTEXT}: authenticated, but not encrypted. It binds
 *       to loopback only, so nothing leaves the machine; a real cluster uses {@code SASL_SSL}
 *       (docs/SECURITY.md).
 *   <li>The broker authenticates to itself over that same listener (transaction markers go through
 *       the inter-broker listener even on one node). SCRAM credentials live in the metadata log, so
 *       the broker's own is written at format time ({@code --add-scram}); every other user is
 *       created later through the Admin API.
 *   <li>KRaft cannot use SCRAM on the controller listener (the credentials live in the very log the
 *       controller serves), so that listener uses SASL/PLAIN with the broker's user as its only
 *       account: a client reaching the controller port cannot authenticate, so it cannot use the
 *       controller's admin API either.
 * </ul>
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  /** The broker's own principal in secure mode: its only super user. */
  public static final String BROKER_USER = "sluice-broker";

  /** The authorizer of secure mode, the one KRaft clusters use. */
  public static final String AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";

  private final Path dataDir;
  private final int port;
  private final KafkaRaftServer server;
  private final Map<String, String> superUserSettings;
  private boolean closed;

  private EmbeddedKafka(
      Path dataDir, int port, KafkaRaftServer server, Map<String, String> superUserSettings) {
    this.dataDir = dataDir;
    this.port = port;
    this.server = server;
    this.superUserSettings = superUserSettings;
  }

  /**
   * Formats a fresh log directory under {@code parentDir}, starts the broker and waits until it
   * answers an admin request.
   *
   * @param parentDir where to create the temporary data directory
   * @param preferredPort the client port to listen on when free (0 for any free port); another free
   *     port is used when it is taken
   * @throws IllegalStateException when the broker cannot be formatted or started
   */
  public static EmbeddedKafka start(Path parentDir, int preferredPort) {
    return start(parentDir, preferredPort, null);
  }

  /**
   * Like {@link #start}, but secured: SASL/SCRAM-SHA-512 on the client listener, the {@code
   * StandardAuthorizer} with no ACLs yet, and {@value #BROKER_USER} (random password, see {@link
   * #superUserSettings()}) as the only super user. Create users and ACLs with {@link
   * LocalSecurity}.
   *
   * @throws IllegalStateException when the broker cannot be formatted or started
   */
  public static EmbeddedKafka startSecure(Path parentDir, int preferredPort) {
    return start(parentDir, preferredPort, Scram.newPassword());
  }

  private static EmbeddedKafka start(Path parentDir, int preferredPort, String brokerPassword) {
    Path dataDir;
    try {
      Files.createDirectories(parentDir);
      dataDir = Files.createTempDirectory(parentDir, "kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the broker's data directory", e);
    }
    int port = LocalPorts.preferredOrFree(preferredPort);
    int controllerPort = LocalPorts.free();
    Properties props = serverProperties(dataDir.resolve("logs"), port, controllerPort);
    List<String> formatArgs = new ArrayList<>();
    Map<String, String> superUser = Map.of();
    if (brokerPassword != null) {
      props.putAll(securityProperties(port, controllerPort, brokerPassword));
      formatArgs.addAll(
          List.of(
              "--add-scram",
              Scram.MECHANISM + "=[name=" + BROKER_USER + ",password=" + brokerPassword + "]"));
      superUser = Scram.clientSettings(BROKER_USER, brokerPassword);
    }
    try {
      format(dataDir, props, formatArgs);
      KafkaRaftServer server =
          new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
      server.startup();
      EmbeddedKafka kafka = new EmbeddedKafka(dataDir, port, server, superUser);
      kafka.awaitReady();
      return kafka;
    } catch (RuntimeException e) {
      deleteRecursively(dataDir);
      throw e;
    }
  }

  /** The {@code bootstrap.servers} value that reaches this broker. */
  public String bootstrapServers() {
    return "localhost:" + port;
  }

  /** True when started by {@link #startSecure}. */
  public boolean secure() {
    return !superUserSettings.isEmpty();
  }

  /**
   * The client settings ({@code security.protocol}, {@code sasl.mechanism}, {@code
   * sasl.jaas.config}) that authenticate as the broker's super user {@value #BROKER_USER}; empty
   * when not {@link #secure()}. Only for setting the broker up (users, ACLs, topics): Sluice's own
   * components get their own principals.
   */
  public Map<String, String> superUserSettings() {
    return superUserSettings;
  }

  /** Stops the broker (waiting for it to finish) and deletes its data. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      server.shutdown();
      server.awaitShutdown();
    } finally {
      deleteRecursively(dataDir);
    }
  }

  static Properties serverProperties(Path logDir, int port, int controllerPort) {
    Properties p = new Properties();
    p.putAll(
        Map.ofEntries(
            Map.entry("process.roles", "broker,controller"),
            Map.entry("node.id", "1"),
            Map.entry("controller.quorum.voters", "1@localhost:" + controllerPort),
            Map.entry(
                "listeners",
                "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort),
            Map.entry("advertised.listeners", "PLAINTEXT://localhost:" + port),
            Map.entry("controller.listener.names", "CONTROLLER"),
            Map.entry("inter.broker.listener.name", "PLAINTEXT"),
            Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
            Map.entry("log.dirs", logDir.toString()),
            // One node: every internal topic must make do with one replica.
            Map.entry("offsets.topic.replication.factor", "1"),
            Map.entry("offsets.topic.num.partitions", "5"),
            Map.entry("transaction.state.log.replication.factor", "1"),
            Map.entry("transaction.state.log.min.isr", "1"),
            Map.entry("transaction.state.log.num.partitions", "5"),
            Map.entry("share.coordinator.state.topic.replication.factor", "1"),
            Map.entry("share.coordinator.state.topic.min.isr", "1"),
            Map.entry("default.replication.factor", "1"),
            Map.entry("num.partitions", "1"),
            // A demo should not wait 3 s for the first consumer group to form.
            Map.entry("group.initial.rebalance.delay.ms", "0"),
            // Classic-protocol groups with 6 s sessions (see AppConfig) must be allowed.
            Map.entry("group.min.session.timeout.ms", "1000"),
            Map.entry("auto.create.topics.enable", "false")));
    return p;
  }

  /**
   * The secure-mode overrides (see the class comment). The broker's password appears in two JAAS
   * entries: as its SCRAM login on the client listener and as the one PLAIN account of the
   * controller listener.
   */
  static Map<String, String> securityProperties(int port, int controllerPort, String password) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put(
        "listeners",
        "SASL_PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
    p.put("advertised.listeners", "SASL_PLAINTEXT://localhost:" + port);
    p.put(
        "listener.security.protocol.map",
        "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
    p.put("inter.broker.listener.name", "SASL_PLAINTEXT");
    p.put("sasl.mechanism.inter.broker.protocol", Scram.MECHANISM);
    p.put("listener.name.sasl_plaintext.sasl.enabled.mechanisms", Scram.MECHANISM);
    p.put(
        "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config",
        Scram.jaasConfig(BROKER_USER, password));
    p.put("sasl.mechanism.controller.protocol", "PLAIN");
    p.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
    p.put(
        "listener.name.controller.plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
            + BROKER_USER
            + "\" password=\""
            + password
            + "\" user_"
            + BROKER_USER
            + "=\""
            + password
            + "\";");
    p.put("authorizer.class.name", AUTHORIZER);
    p.put("super.users", "User:" + BROKER_USER);
    p.put("allow.everyone.if.no.acl.found", "false");
    return p;
  }

  private static void format(Path dataDir, Properties props, List<String> extraArgs) {
    Path propsFile = dataDir.resolve("server.properties");
    // In secure mode the file holds the broker's password; the temporary directory is the
    // owner's only (createTempDirectory), and close() deletes it.
    try (OutputStream out = Files.newOutputStream(propsFile)) {
      props.store(out, "sluice local: single-node KRaft broker");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + propsFile, e);
    }
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int rc;
    List<String> args =
        new ArrayList<>(
            List.of("format", "-t", Uuid.randomUuid().toString(), "-c", propsFile.toString()));
    args.addAll(extraArgs);
    try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      rc = StorageTool.execute(args.toArray(String[]::new), out);
    } catch (Exception e) {
      throw new IllegalStateException("cannot format the broker's storage: " + e.getMessage(), e);
    }
    if (rc != 0) {
      throw new IllegalStateException(
          "cannot format the broker's storage (exit "
              + rc
              + "): "
              + buf.toString(StandardCharsets.UTF_8));
    }
  }

  private void awaitReady() {
    Map<String, Object> conf = new HashMap<>(superUserSettings);
    conf.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    conf.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) READY_TIMEOUT.toMillis());
    try (Admin admin = Admin.create(conf)) {
      long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get().isEmpty()) {
            return;
          }
        } catch (Exception e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "the embedded broker did not come up within " + READY_TIMEOUT.toSeconds() + " s",
                e);
          }
        }
        sleep(100);
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the broker", e);
    }
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Best effort: a leftover temporary directory is harmless.
    }
  }
}
