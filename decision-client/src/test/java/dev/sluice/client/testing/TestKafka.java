package dev.sluice.client.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.client.ClientDecision;
import dev.sluice.client.DecisionClient;
import dev.sluice.client.DecisionSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * One Kafka broker (and one KRaft controller) in this JVM, with replication factors of 1. The
 * broker can be stopped and started again on the same port to test outages.
 */
public final class TestKafka implements AutoCloseable {
  private static final int BROKER_ID = 0;
  private final KafkaClusterTestKit cluster;
  private final Admin admin;

  private TestKafka(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
    this.admin = cluster.admin();
  }

  /** Starts a cluster; typically 3-10 s. */
  public static TestKafka start() throws Exception {
    return start(Map.of());
  }

  /** Starts a cluster with extra broker settings. */
  public static TestKafka start(Map<String, String> brokerOverrides) throws Exception {
    KafkaClusterTestKit.Builder builder =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder()
                    .setCombined(false)
                    .setNumControllerNodes(1)
                    .setNumBrokerNodes(1)
                    .build())
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("offsets.topic.num.partitions", "4")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("transaction.state.log.num.partitions", "4")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .setConfigProp("auto.create.topics.enable", "false");
    brokerOverrides.forEach(builder::setConfigProp);
    KafkaClusterTestKit cluster = builder.build();
    try {
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
    return new TestKafka(cluster);
  }

  /** The broker's {@code host:port}. */
  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /** Creates topics (name to partition count) and waits until they exist. */
  public void createTopics(Map<String, Integer> topics) throws Exception {
    List<NewTopic> list = new ArrayList<>();
    topics.forEach((name, partitions) -> list.add(new NewTopic(name, partitions, (short) 1)));
    admin.createTopics(list).all().get(30, TimeUnit.SECONDS);
  }

  /** A producer with plain serializers for test records. */
  public KafkaProducer<String, byte[]> producer() {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers(),
            ProducerConfig.LINGER_MS_CONFIG,
            0,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            StringSerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ByteArraySerializer.class));
  }

  /** Stops the broker (the controller stays up); clients see connection refused. */
  public void stopBroker() {
    var broker = cluster.brokers().get(BROKER_ID);
    broker.shutdown();
    broker.awaitShutdown();
  }

  /**
   * What one round of checks sent while the broker was stopped gave.
   *
   * @param submitMs how long the {@code check} calls themselves took
   * @param doneMs from the first call until every check had completed
   * @param decisions every check's decision, in call order
   */
  public record OutageRound(long submitMs, long doneMs, List<ClientDecision> decisions) {
    /**
     * Asserts that the round completed within {@code withinMs} and every check by the FAIL_CLOSED
     * policy (denied), as a client that cannot reach its broker must answer.
     */
    public void assertAllFailedClosedWithin(long withinMs) {
      assertTrue(doneMs < withinMs, "all completed by policy after " + doneMs + " ms");
      for (ClientDecision d : decisions) {
        assertEquals(DecisionSource.FAIL_CLOSED, d.source());
        assertFalse(d.allowed());
      }
    }
  }

  /**
   * Stops the broker and, while it stays down, sends three rounds of {@code checks} checks (keys
   * {@code keyPrefix + i}, cost 1) one second apart, waiting up to {@code timeoutMs} + 5 s for each
   * round to complete and handing it to {@code eachRound} (the caller's assertions). The broker is
   * still stopped afterwards: {@link #startBroker()} ends the outage.
   */
  public void checkDuringOutage(
      DecisionClient client,
      String keyPrefix,
      int checks,
      long timeoutMs,
      Consumer<OutageRound> eachRound)
      throws Exception {
    stopBroker();
    for (int round = 0; round < 3; round++) {
      List<CompletableFuture<ClientDecision>> futures = new ArrayList<>();
      long start = System.nanoTime();
      for (int i = 0; i < checks; i++) {
        futures.add(client.check(keyPrefix + i, Map.of(), 1));
      }
      long submitMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
          .get(timeoutMs + 5000, TimeUnit.MILLISECONDS);
      long doneMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      eachRound.accept(
          new OutageRound(
              submitMs, doneMs, futures.stream().map(CompletableFuture::join).toList()));
      Thread.sleep(1000); // the outage goes on between rounds
    }
  }

  /** Starts the stopped broker again on the same listener port. */
  public void startBroker() throws Exception {
    cluster.restartBroker(BROKER_ID, Map.of());
    cluster.waitForReadyBrokers();
  }

  /** Stops the broker and controller and deletes their data. */
  @Override
  public void close() {
    admin.close();
    try {
      cluster.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      throw new IllegalStateException("closing the test cluster failed", e);
    }
  }
}
