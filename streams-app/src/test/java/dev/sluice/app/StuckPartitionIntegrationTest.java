package dev.sluice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.topology.InJvmBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 item 2 on a real broker: a requests partition that stops moving while requests keep
 * arriving makes {@code /health/ready} answer 503 naming it, and the {@code
 * sluice_partitions_stuck} gauge count it; once it moves again the instance is ready again. The
 * partition is stopped by pausing the instance's Kafka Streams (it stays in the group, owning the
 * partition, and commits nothing), which is what a blocked stream thread looks like from outside.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class StuckPartitionIntegrationTest {
  private KafkaClusterTestKit cluster;
  private final HttpClient http = HttpClient.newHttpClient();
  @TempDir Path tmp;

  @BeforeAll
  void startBroker() throws Exception {
    cluster = InJvmBroker.start(Map.of());
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
      admin
          .createTopics(
              List.of(
                  new NewTopic("sluice.rules", 1, (short) 1),
                  new NewTopic("sluice.rules-applied", 1, (short) 1),
                  new NewTopic("sluice.requests", 1, (short) 1)
                      .configs(Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime")),
                  new NewTopic("sluice.decisions", 1, (short) 1),
                  new NewTopic("sluice.dead-letters", 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  void stopBroker() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void shouldReportAPartitionThatStopsMovingAsNotReadyNamingIt() throws Exception {
    Map<String, String> o = new HashMap<>();
    o.put("bootstrap.servers", cluster.bootstrapServers());
    o.put("application.id", "stuck-it");
    o.put("state.dir", tmp.toString());
    o.put("replication.factor", "1");
    o.put("num.standby.replicas", "0");
    o.put("processing.guarantee", "at_least_once");
    o.put("sluice.health.stuck.partition.ms", "2000");
    try (SluiceInstance instance =
            SluiceInstance.start(AppConfig.forInstance(null, Map.of(), o), 0);
        KafkaProducer<String, byte[]> producer = producer()) {
      assertTrue(instance.awaitReady(Duration.ofSeconds(90)), "instance ready");
      send(producer, 0);
      assertEquals(200, get(instance, "/health/ready").statusCode());

      instance.streams().pause();
      HttpResponse<String> ready = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      for (int i = 1; System.nanoTime() < deadline; i++) {
        send(producer, i);
        ready = get(instance, "/health/ready");
        if (ready.statusCode() == 503) {
          break;
        }
        Thread.sleep(200);
      }
      assertEquals(503, ready.statusCode(), ready.body());
      assertTrue(
          ready.body().contains("\"stuckPartitions\":[\"sluice.requests-0: committed offset "),
          ready.body());
      assertTrue(
          get(instance, "/metrics").body().contains("sluice_partitions_stuck 1.0"),
          "the gauge counts it");

      instance.streams().resume();
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline && get(instance, "/health/ready").statusCode() != 200) {
        Thread.sleep(200);
      }
      HttpResponse<String> again = get(instance, "/health/ready");
      assertEquals(200, again.statusCode(), again.body());
      assertTrue(again.body().contains("\"stuckPartitions\":[]"), again.body());
    }
  }

  private HttpResponse<String> get(SluiceInstance instance, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.httpPort() + path))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void send(KafkaProducer<String, byte[]> producer, int i) throws Exception {
    String json = "{\"id\":\"r" + i + "\",\"key\":\"k\"}";
    producer
        .send(new ProducerRecord<>("sluice.requests", "k", json.getBytes(StandardCharsets.UTF_8)))
        .get();
  }

  private KafkaProducer<String, byte[]> producer() {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }
}
