package dev.sluice.ha;

import dev.sluice.app.TopicsCreator;
import dev.sluice.client.CheckRequest;
import dev.sluice.client.ClientDecision;
import dev.sluice.client.DecisionClient;
import dev.sluice.client.DecisionClientConfig;
import dev.sluice.client.DecisionSource;
import dev.sluice.client.FailurePolicy;
import dev.sluice.topology.SluiceConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One Sluice deployment on a {@link KafkaProcessCluster}: its own application id and five topics
 * (created as {@code sluice run --create-topics} would, by {@link TopicsCreator}), rules, {@link
 * #INSTANCES} instances as separate JVMs, a {@link DecisionLog} on the decisions topic and a {@link
 * DecisionClient} that fails closed after {@link #CLIENT_TIMEOUT}.
 */
final class Scenario implements AutoCloseable {
  static final int INSTANCES = 3;
  static final int PARTITIONS = 6;

  /**
   * The reply partitions the client owns: two, as one application instance among several would
   * (each transaction of an instance writes a marker to every partition it wrote decisions to, so
   * replies spread over all six partitions would make every commit touch all six).
   */
  static final List<Integer> REPLY_PARTITIONS =
      IntStream.range(0, Integer.getInteger("ha.replyPartitions", 2)).boxed().toList();

  /**
   * The client's timeout: far above a healthy decision's latency here (tens to a few hundred ms on
   * this shared machine), far below a fail-over, so that fail-overs show up as policy decisions and
   * nothing else does.
   */
  static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(2);

  final String run;
  final KafkaProcessCluster cluster;
  final SluiceConfig topics;
  final List<SluiceProcess> apps = new ArrayList<>();
  DecisionLog decisions;
  DecisionClient client;
  final KafkaProducer<String, byte[]> raw;

  private Scenario(
      KafkaProcessCluster cluster,
      String run,
      String guarantee,
      Map<String, String> extra,
      List<Findings.Limit> limits) {
    this.run = run;
    this.cluster = cluster;
    Properties t = new Properties();
    t.setProperty(SluiceConfig.TOPIC_RULES, run + ".rules");
    t.setProperty(SluiceConfig.TOPIC_RULES_APPLIED, run + ".rules-applied");
    t.setProperty(SluiceConfig.TOPIC_REQUESTS, run + ".requests");
    t.setProperty(SluiceConfig.TOPIC_DECISIONS, run + ".decisions");
    t.setProperty(SluiceConfig.TOPIC_DEAD_LETTERS, run + ".dead-letters");
    this.topics = SluiceConfig.fromProperties(t);
    try (Admin admin = cluster.admin()) {
      TopicsCreator.createMissing(admin, topics, PARTITIONS, (short) 3);
    }
    this.raw =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG,
                5,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                2 * 1024 * 1024),
            new StringSerializer(),
            new ByteArraySerializer());
    for (Findings.Limit l : limits) {
      publishRule(l.ruleId(), l.json());
    }
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("bootstrap.servers", cluster.bootstrapServers());
    settings.put("application.id", run);
    settings.put("processing.guarantee", guarantee);
    settings.put(SluiceConfig.ROCKSDB_CACHE_BYTES, Long.toString(16L << 20));
    t.stringPropertyNames().forEach(k -> settings.put(k, t.getProperty(k)));
    settings.putAll(extra);
    for (int i = 1; i <= INSTANCES; i++) {
      apps.add(new SluiceProcess(run, i, settings));
    }
    DecisionLog log = null;
    try {
      apps.forEach(SluiceProcess::start);
      apps.forEach(a -> a.awaitReady(Duration.ofSeconds(180)));
      log = new DecisionLog(cluster.bootstrapServers(), topics.decisionsTopic(), PARTITIONS);
      this.client = newClient();
      for (Findings.Limit l : limits) {
        awaitRule(l.keyPrefix() + "probe", l.ruleId());
      }
    } catch (RuntimeException | Error e) {
      if (client != null) {
        client.close();
      }
      if (log != null) {
        log.close();
      }
      raw.close(Duration.ZERO);
      apps.forEach(SluiceProcess::kill9);
      throw e;
    }
    this.decisions = log;
  }

  private DecisionClient newClient() {
    return DecisionClient.create(
        DecisionClientConfig.builder(cluster.bootstrapServers())
            .requestsTopic(topics.requestsTopic())
            .replyTopic(topics.decisionsTopic())
            .rulesTopic(topics.rulesTopic())
            .replyPartitions(REPLY_PARTITIONS)
            .timeout(CLIENT_TIMEOUT)
            .failurePolicy(FailurePolicy.FAIL_CLOSED)
            .startupTimeout(Duration.ofSeconds(60))
            .build());
  }

  /**
   * Starts a deployment.
   *
   * @param guarantee {@code exactly_once_v2} or {@code at_least_once}
   * @param extra further instance settings (e.g. {@code transaction.timeout.ms})
   */
  static Scenario start(
      KafkaProcessCluster cluster,
      String run,
      String guarantee,
      Map<String, String> extra,
      List<Findings.Limit> limits) {
    return new Scenario(cluster, run, guarantee, extra, limits);
  }

  /** Publishes a JSON rule. */
  void publishRule(String id, String json) {
    send(topics.rulesTopic(), id, json.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes one raw record and waits for the ack. */
  void send(String topic, String key, byte[] value) {
    try {
      raw.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot write to " + topic, e);
    }
  }

  /** Asks until a service decision for {@code key} names {@code ruleId} (rules are in force). */
  void awaitRule(String key, String ruleId) {
    boolean ok =
        Harness.await(
            Duration.ofSeconds(90),
            () -> {
              ClientDecision d = client.decide(CheckRequest.of(key));
              return d.source() == DecisionSource.SERVICE && ruleId.equals(d.ruleId());
            });
    if (!ok) {
      throw new IllegalStateException(
          "rule " + ruleId + " not in force after 90 s; logs: " + logs());
    }
  }

  /**
   * A decision by the service itself for {@code key}, asking again (with a new id each time) while
   * the client answers by policy; null when none came within {@code timeout}. Every ask may be
   * charged, so use it where that cannot change the outcome (a key kept at its limit, or one that
   * is being exhausted).
   */
  ClientDecision serviceDecision(String key, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      ClientDecision d = client.decide(CheckRequest.of(key));
      if (d.source() == DecisionSource.SERVICE) {
        return d;
      }
    }
    return null;
  }

  /** Asks for {@code key} until the service denies it: the key is then at its limit. */
  void exhaust(String key) {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      ClientDecision d = serviceDecision(key, Duration.ofSeconds(30));
      if (d != null && !d.allowed()) {
        return;
      }
    }
    throw new IllegalStateException(key + " not denied within 90 s; logs: " + logs());
  }

  /** The instances' process ids, for "recovered without a restart". */
  List<Long> pids() {
    return apps.stream().map(a -> a.process().pid()).toList();
  }

  /**
   * The requests-topic partitions instance {@code index} (1-based) is active for, from the consumer
   * group's current assignment (its members' client ids start with {@code app-<index>-}).
   */
  Set<Integer> activePartitions(int index) {
    Set<Integer> out = new HashSet<>();
    try (Admin admin = cluster.admin()) {
      ConsumerGroupDescription g =
          admin.describeConsumerGroups(List.of(run)).all().get(10, TimeUnit.SECONDS).get(run);
      for (MemberDescription m : g.members()) {
        if (!m.clientId().startsWith("app-" + index + "-")) {
          continue;
        }
        for (TopicPartition tp : m.assignment().topicPartitions()) {
          if (tp.topic().equals(topics.requestsTopic())) {
            out.add(tp.partition());
          }
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot describe group " + run, e);
    }
    return out;
  }

  /** The node id of the group coordinator of this deployment's application id. */
  int groupCoordinator() {
    try (Admin admin = cluster.admin()) {
      return admin
          .describeConsumerGroups(List.of(run))
          .all()
          .get(10, TimeUnit.SECONDS)
          .get(run)
          .coordinator()
          .id();
    } catch (Exception e) {
      throw new IllegalStateException("cannot describe group " + run, e);
    }
  }

  /** Requests-topic contents, for the at-the-source figures. */
  RequestsTopic.Contents requestsWritten() {
    return RequestsTopic.read(cluster.bootstrapServers(), topics.requestsTopic(), PARTITIONS);
  }

  /** Every log of this scenario, for failure messages. */
  List<Path> logs() {
    List<Path> out = new ArrayList<>();
    apps.forEach(a -> out.add(a.log()));
    out.addAll(cluster.logs());
    return out;
  }

  @Override
  public void close() {
    try {
      if (client != null) {
        client.close();
      }
    } finally {
      if (decisions != null) {
        decisions.close();
      }
      raw.close(Duration.ofSeconds(2));
      apps.forEach(SluiceProcess::kill9);
    }
  }
}
