package dev.sluice.client;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka properties of the client's producer and two consumers: the client's defaults, then the
 * user's Kafka properties verbatim (security settings among them), then the settings the client
 * relies on (which the config refuses as user properties, see {@link
 * DecisionClientConfig#RESERVED_KAFKA_KEYS}).
 */
final class KafkaSettings {
  private KafkaSettings() {}

  /**
   * The request producer. Defaults worth knowing: {@code max.block.ms=0}, so {@code send} never
   * blocks a caller: when the requests topic's metadata is missing (e.g. while the broker is down)
   * or the buffer is full, the send fails at once and the check completes by policy with {@link
   * FailureCause#SEND_FAILED} (the client keeps the topic's metadata warm so this does not happen
   * in normal operation). {@code delivery.timeout.ms} is about the check timeout, because a request
   * older than its deadline is worthless (the caller already acted on the policy) and delivering it
   * later would only charge permits nobody uses.
   */
  static Map<String, Object> producer(DecisionClientConfig c, String clientId) {
    long timeoutMs = c.timeout().toMillis();
    long lingerMs = c.linger().toMillis();
    long requestTimeoutMs = Math.max(timeoutMs, 1000);
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 65536);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) requestTimeoutMs);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) (requestTimeoutMs + lingerMs));
    p.putAll(c.kafkaProperties());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId(c, clientId, "requests"));
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, (int) lingerMs);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return p;
  }

  /**
   * The reply consumer: read_committed, never commits, starts at the end. In automatic mode it
   * joins {@code replyGroupId}; with the classic group protocol it uses the cooperative sticky
   * assignor so a member joining or leaving moves only the partitions that must move.
   */
  static Map<String, Object> replyConsumer(DecisionClientConfig c, String clientId) {
    Map<String, Object> p = consumerBase(c, clientId, "replies");
    if (c.automaticReplyPartitions()) {
      p.put(ConsumerConfig.GROUP_ID_CONFIG, c.replyGroupId());
      String protocol =
          String.valueOf(p.getOrDefault(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic"));
      if (protocol.toLowerCase(Locale.ROOT).equals("classic")) {
        // Members learn of a rebalance by heartbeat: 1 s instead of 3 s lets a new instance
        // get its partitions in about a second or two.
        p.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1000);
        p.putIfAbsent(
            ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
            CooperativeStickyAssignor.class.getName());
      }
    }
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    return p;
  }

  /** The rules consumer of the local fallback: no group, read_committed, from the beginning. */
  static Map<String, Object> rulesConsumer(DecisionClientConfig c, String clientId) {
    Map<String, Object> p = consumerBase(c, clientId, "rules");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return p;
  }

  private static Map<String, Object> consumerBase(
      DecisionClientConfig c, String clientId, String role) {
    Map<String, Object> p = new HashMap<>(c.kafkaProperties());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId(c, clientId, role));
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return p;
  }

  private static String clientId(DecisionClientConfig c, String instance, String role) {
    String base = c.kafkaProperties().get(ProducerConfig.CLIENT_ID_CONFIG);
    return (base == null ? instance : base) + "-" + role;
  }
}
