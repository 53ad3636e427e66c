package dev.sluice.app;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
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
 * same storage format step {@code kafka-storage.sh format} does ({@link StorageTool}); only the
 * log directory and ports are chosen here.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final Path dataDir;
  private final int port;
  private final KafkaRaftServer server;
  private boolean closed;

  private EmbeddedKafka(Path dataDir, int port, KafkaRaftServer server) {
    this.dataDir = dataDir;
    this.port = port;
    this.server = server;
  }

  /**
   * Formats a fresh log directory under {@code parentDir}, starts the broker and waits until it
   * answers an admin request.
   *
   * @param parentDir where to create the temporary data directory
   * @param preferredPort the client port to listen on when free (0 for any free port); another
   *     free port is used when it is taken
   * @throws IllegalStateException when the broker cannot be formatted or started
   */
  public static EmbeddedKafka start(Path parentDir, int preferredPort) {
    Path dataDir;
    try {
      Files.createDirectories(parentDir);
      dataDir = Files.createTempDirectory(parentDir, "kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the broker's data directory", e);
    }
    int port = isFree(preferredPort) ? preferredPort : freePort();
    int controllerPort = freePort();
    Properties props = serverProperties(dataDir.resolve("logs"), port, controllerPort);
    try {
      format(dataDir, props);
      KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
      server.startup();
      EmbeddedKafka kafka = new EmbeddedKafka(dataDir, port, server);
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

  /**
   * Stops the broker (waiting for it to finish) and deletes its data. Idempotent.
   */
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
            Map.entry(
                "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
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

  private static void format(Path dataDir, Properties props) {
    Path propsFile = dataDir.resolve("server.properties");
    try (OutputStream out = Files.newOutputStream(propsFile)) {
      props.store(out, "sluice local: single-node KRaft broker");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + propsFile, e);
    }
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int rc;
    try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      rc =
          StorageTool.execute(
              new String[] {
                "format", "-t", Uuid.randomUuid().toString(), "-c", propsFile.toString()
              },
              out);
    } catch (Exception e) {
      throw new IllegalStateException("cannot format the broker's storage: " + e.getMessage(), e);
    }
    if (rc != 0) {
      throw new IllegalStateException(
          "cannot format the broker's storage (exit " + rc + "): "
              + buf.toString(StandardCharsets.UTF_8));
    }
  }

  private void awaitReady() {
    Map<String, Object> conf =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) READY_TIMEOUT.toMillis());
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

  private static boolean isFree(int port) {
    if (port <= 0) {
      return false;
    }
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free local port", e);
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
