package dev.sluice.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {
  private static final Map<String, String> SECURITY =
      Map.of(
          "security.protocol", "SASL_SSL",
          "sasl.mechanism", "SCRAM-SHA-512",
          "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;",
          "ssl.truststore.location", "/etc/kafka/truststore.jks");

  private static DecisionClientConfig.Builder base() {
    return DecisionClientConfig.builder("b:9093")
        .timeout(Duration.ofMillis(250))
        .linger(Duration.ofMillis(2))
        .kafkaProperties(SECURITY);
  }

  @Test
  void shouldSendRequestsDurablyAndNeverBlock() {
    Map<String, Object> p = KafkaSettings.producer(base().build(), "c1");
    assertEquals("all", p.get("acks"));
    assertEquals(true, p.get("enable.idempotence"));
    assertEquals(2, p.get("linger.ms"));
    assertEquals(0, p.get("max.block.ms"));
    assertEquals(1000, p.get("request.timeout.ms"));
    assertEquals(1002, p.get("delivery.timeout.ms"));
    assertEquals("b:9093", p.get("bootstrap.servers"));
    assertEquals("c1-requests", p.get("client.id"));
    SECURITY.forEach((k, v) -> assertEquals(v, p.get(k), k));
  }

  @Test
  void shouldLetUsersTuneProducerDefaults() {
    Map<String, Object> p =
        KafkaSettings.producer(
            base().kafkaProperty("batch.size", "1024").kafkaProperty("client.id", "svc").build(),
            "c1");
    assertEquals("1024", p.get("batch.size"));
    assertEquals("svc-requests", p.get("client.id"));
  }

  @Test
  void shouldReadRepliesCommittedFromTheEndInTheReplyGroup() {
    Map<String, Object> p =
        KafkaSettings.replyConsumer(base().replyGroupId("checkout").build(), "c1");
    assertEquals("read_committed", p.get("isolation.level"));
    assertEquals(false, p.get("enable.auto.commit"));
    assertEquals("latest", p.get("auto.offset.reset"));
    assertEquals("checkout", p.get("group.id"));
    assertEquals(CooperativeStickyAssignor.class.getName(), p.get("partition.assignment.strategy"));
    assertEquals("c1-replies", p.get("client.id"));
    SECURITY.forEach((k, v) -> assertEquals(v, p.get(k), k));
  }

  @Test
  void shouldUseNoGroupForExplicitPartitions() {
    Map<String, Object> p = KafkaSettings.replyConsumer(base().replyPartitions(0).build(), "c1");
    assertFalse(p.containsKey("group.id"));
    assertFalse(p.containsKey("partition.assignment.strategy"));
  }

  @Test
  void shouldLeaveAssignmentToTheBrokerUnderTheConsumerGroupProtocol() {
    Map<String, Object> p =
        KafkaSettings.replyConsumer(
            base().kafkaProperty("group.protocol", "CONSUMER").build(), "c");
    assertNull(p.get("partition.assignment.strategy"));
    assertNull(p.get("heartbeat.interval.ms"));
  }

  @Test
  void shouldReadRulesCommittedFromTheBeginningWithoutAGroup() {
    Map<String, Object> p = KafkaSettings.rulesConsumer(base().build(), "c1");
    assertEquals("read_committed", p.get("isolation.level"));
    assertEquals("earliest", p.get("auto.offset.reset"));
    assertFalse(p.containsKey("group.id"));
    assertEquals("c1-rules", p.get("client.id"));
    SECURITY.forEach((k, v) -> assertEquals(v, p.get(k), k));
  }
}
