package dev.sluice.ha;

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
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;

/**
 * A three-node KRaft cluster, each node a combined broker and controller in its own JVM on
 * loopback: replication factor 3 and {@code min.insync.replicas=2} for every topic, internal ones
 * included, so that one node can be lost without losing data or availability.
 *
 * <p>Each node's storage is formatted with {@code kafka.tools.StorageTool format} (what {@code
 * kafka-storage.sh} runs) and the node started with {@code kafka.Kafka server.properties} (what
 * {@code kafka-server-start.sh} runs). A killed node restarts on the same ports and log directory.
 * Apart from thread counts and {@code group.initial.rebalance.delay.ms=0} (tests form groups from
 * nothing), the brokers keep Kafka's defaults, so the failure figures are those of a default
 * cluster; {@link #TX_CLEANUP_INTERVAL_MS} is the one timing setting changed, see
 * docs/RELIABILITY.md.
 */
final class KafkaProcessCluster implements AutoCloseable {
  static final int NODES = 3;

  /**
   * Broker {@code transaction.abort.timed.out.transaction.cleanup.interval.ms}: how often the
   * transaction coordinator looks for transactions past their timeout (Kafka's default 10 s). A
   * crashed instance's open transaction blocks read_committed readers of every partition it wrote
   * to until it is aborted, so this adds directly to a fail-over; overridable with {@code
   * -Dha.txCleanupIntervalMs} to measure the difference.
   */
  static final String TX_CLEANUP_INTERVAL_MS = System.getProperty("ha.txCleanupIntervalMs", "1000");

  private final String name;
  private final Path dataDir;
  private final Path logDir;
  private final int[] ports = new int[NODES];
  private final int[] controllerPorts = new int[NODES];
  private final ChildProcess[] nodes = new ChildProcess[NODES];

  private KafkaProcessCluster(String name) {
    this.name = name;
    this.dataDir = Harness.DATA_ROOT.resolve(name);
    this.logDir = Harness.LOG_ROOT.resolve(name);
    for (int i = 0; i < NODES; i++) {
      ports[i] = Harness.freePort();
      controllerPorts[i] = Harness.freePort();
    }
  }

  /** Formats and starts the three nodes in parallel and waits until all three are registered. */
  static KafkaProcessCluster start(String name) {
    KafkaProcessCluster cluster = new KafkaProcessCluster(name);
    try {
      Harness.deleteRecursively(cluster.dataDir);
      String clusterId = Uuid.randomUuid().toString();
      for (int i = 0; i < NODES; i++) {
        cluster.format(i, clusterId);
      }
      for (int i = 0; i < NODES; i++) {
        cluster.startNode(i);
      }
      cluster.awaitNodes(NODES, Duration.ofSeconds(90));
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  /** {@code bootstrap.servers} listing every node. */
  String bootstrapServers() {
    List<String> hosts = new ArrayList<>();
    for (int port : ports) {
      hosts.add("localhost:" + port);
    }
    return String.join(",", hosts);
  }

  /** Node {@code index} (0-2); its Kafka node id is {@code index + 1}. */
  ChildProcess node(int index) {
    return nodes[index];
  }

  /** The index of the node with Kafka node id {@code nodeId}. */
  static int indexOf(int nodeId) {
    return nodeId - 1;
  }

  /** An admin client on the whole cluster. */
  Admin admin() {
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000));
  }

  /** SIGKILL of one node. */
  void kill9(int index) {
    nodes[index].kill9();
  }

  /** Starts a stopped node again, same ports and data. */
  void restart(int index) {
    if (nodes[index] != null && nodes[index].isAlive()) {
      throw new IllegalStateException("node " + (index + 1) + " is still running");
    }
    startNode(index);
  }

  /** SIGSTOP of every node: the cluster is unreachable, connections stay open. */
  void pauseAll() {
    for (ChildProcess n : nodes) {
      n.pause();
    }
  }

  /** SIGCONT of every node. */
  void resumeAll() {
    for (ChildProcess n : nodes) {
      n.resume();
    }
  }

  /** The log files of the nodes, for failure messages. */
  List<Path> logs() {
    List<Path> out = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      out.add(logDir.resolve("kafka-" + (i + 1) + ".log"));
    }
    return out;
  }

  /** Waits until {@code count} nodes are registered with the controller. */
  void awaitNodes(int count, Duration timeout) {
    try (Admin admin = admin()) {
      boolean ok =
          Harness.await(
              timeout,
              () -> {
                try {
                  Collection<Node> n = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                  return n.size() >= count;
                } catch (Exception e) {
                  return false;
                }
              });
      if (!ok) {
        throw new IllegalStateException(
            "cluster "
                + name
                + ": fewer than "
                + count
                + " nodes after "
                + timeout
                + "; logs: "
                + logs());
      }
    }
  }

  /**
   * Waits until every partition of every topic has all its replicas in sync (after a node came
   * back), so that the next failure starts from a whole cluster.
   */
  void awaitFullIsr(Duration timeout) {
    try (Admin admin = admin()) {
      boolean ok =
          Harness.await(
              timeout,
              () -> {
                try {
                  Set<String> topics = admin.listTopics().names().get(5, TimeUnit.SECONDS);
                  Map<String, TopicDescription> d =
                      admin.describeTopics(topics).allTopicNames().get(5, TimeUnit.SECONDS);
                  for (TopicDescription td : d.values()) {
                    for (TopicPartitionInfo p : td.partitions()) {
                      if (p.isr().size() < p.replicas().size()) {
                        return false;
                      }
                    }
                  }
                  return true;
                } catch (Exception e) {
                  return false;
                }
              });
      if (!ok) {
        throw new IllegalStateException(
            "cluster " + name + ": replicas not all in sync after " + timeout);
      }
    }
  }

  private void format(int index, String clusterId) {
    Path props = writeProperties(index);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int rc;
    try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      rc =
          StorageTool.execute(
              new String[] {"format", "-t", clusterId, "-c", props.toString()}, out);
    } catch (Exception e) {
      throw new IllegalStateException("cannot format node " + (index + 1), e);
    }
    if (rc != 0) {
      throw new IllegalStateException(
          "cannot format node " + (index + 1) + ": " + buf.toString(StandardCharsets.UTF_8));
    }
  }

  private void startNode(int index) {
    Map<String, String> sys = new LinkedHashMap<>();
    sys.put("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    sys.put("org.slf4j.simpleLogger.log.kafka", "warn");
    sys.put("org.slf4j.simpleLogger.log.org.apache.kafka", "warn");
    sys.put("org.slf4j.simpleLogger.showDateTime", "true");
    sys.put("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    nodes[index] =
        ChildProcess.start(
            name + "-kafka-" + (index + 1),
            Harness.javaCommand(
                "512m",
                sys,
                "kafka.Kafka",
                List.of(dataDir.resolve("node-" + (index + 1) + ".properties").toString())),
            logs().get(index));
  }

  private Path writeProperties(int index) {
    String voters =
        java.util.stream.IntStream.range(0, NODES)
            .mapToObj(i -> (i + 1) + "@localhost:" + controllerPorts[i])
            .collect(Collectors.joining(","));
    Properties p = new Properties();
    p.putAll(
        Map.ofEntries(
            Map.entry("process.roles", "broker,controller"),
            Map.entry("node.id", Integer.toString(index + 1)),
            Map.entry("controller.quorum.voters", voters),
            Map.entry(
                "listeners",
                "PLAINTEXT://localhost:"
                    + ports[index]
                    + ",CONTROLLER://localhost:"
                    + controllerPorts[index]),
            Map.entry("advertised.listeners", "PLAINTEXT://localhost:" + ports[index]),
            Map.entry("controller.listener.names", "CONTROLLER"),
            Map.entry("inter.broker.listener.name", "PLAINTEXT"),
            Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
            Map.entry("log.dirs", dataDir.resolve("node-" + (index + 1)).toString()),
            Map.entry("default.replication.factor", "3"),
            Map.entry("min.insync.replicas", "2"),
            Map.entry("offsets.topic.replication.factor", "3"),
            Map.entry("offsets.topic.num.partitions", "6"),
            Map.entry("transaction.state.log.replication.factor", "3"),
            Map.entry("transaction.state.log.min.isr", "2"),
            Map.entry("transaction.state.log.num.partitions", "6"),
            Map.entry(
                "transaction.abort.timed.out.transaction.cleanup.interval.ms",
                TX_CLEANUP_INTERVAL_MS),
            Map.entry("num.partitions", "6"),
            Map.entry("auto.create.topics.enable", "false"),
            Map.entry("group.initial.rebalance.delay.ms", "0"),
            // Small thread pools: three brokers and three instances share two cores.
            Map.entry("num.network.threads", "2"),
            Map.entry("num.io.threads", "2"),
            Map.entry("background.threads", "2"),
            Map.entry("num.recovery.threads.per.data.dir", "1"),
            Map.entry("log.cleaner.threads", "1"),
            Map.entry("num.replica.fetchers", "1")));
    Path file = dataDir.resolve("node-" + (index + 1) + ".properties");
    try {
      Files.createDirectories(dataDir);
      try (OutputStream out = Files.newOutputStream(file)) {
        p.store(out, "Sluice failure tests: node " + (index + 1) + " of " + NODES);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** Kills every node (SIGKILL: the data is thrown away anyway). */
  @Override
  public void close() {
    for (ChildProcess n : nodes) {
      if (n != null) {
        n.kill9();
      }
    }
  }
}
