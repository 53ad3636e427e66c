package dev.sluice.app;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Plain Kafka clients for the admin commands, built from a {@link AppConfig} (so security settings
 * apply) with short timeouts: a command that cannot reach the cluster says so in seconds instead of
 * retrying for a minute.
 */
final class KafkaAccess {
  /** How long an admin command waits for the cluster before giving up. */
  static final Duration TIMEOUT = Duration.ofSeconds(15);

  private KafkaAccess() {}

  static Admin admin(AppConfig config) {
    Map<String, Object> p = config.clientProperties(AdminClientConfig.configNames());
    p.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    p.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    return Admin.create(p);
  }

  static KafkaProducer<String, byte[]> producer(AppConfig config) {
    Map<String, Object> p = config.clientProperties(ProducerConfig.configNames());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) TIMEOUT.toMillis());
    p.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis() * 2);
    p.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  static KafkaConsumer<String, byte[]> consumer(AppConfig config) {
    Map<String, Object> p = config.clientProperties(ConsumerConfig.configNames());
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    p.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    p.putIfAbsent(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * Reads a compacted topic from the start to its current end (the last stable offset: committed
   * data only) and returns the latest value of each key; tombstoned keys are absent.
   *
   * @throws CliException when the topic does not exist or the cluster does not answer in time
   */
  static Map<String, byte[]> readLatest(AppConfig config, String topic) {
    try (KafkaConsumer<String, byte[]> consumer = consumer(config)) {
      List<PartitionInfo> infos;
      try {
        infos = consumer.partitionsFor(topic);
      } catch (TimeoutException e) {
        throw unreachable(config, e);
      }
      if (infos == null || infos.isEmpty()) {
        throw new CliException(
            "topic "
                + topic
                + " does not exist on "
                + config.bootstrapServers()
                + " (create the topics with `sluice run --create-topics` or see README)");
      }
      List<TopicPartition> partitions = new ArrayList<>();
      infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
      Map<String, byte[]> latest = new LinkedHashMap<>();
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (!caughtUp(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new CliException(
              "could not read topic " + topic + " to its end within " + TIMEOUT.toSeconds() + " s");
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.key() == null) {
            continue;
          }
          if (r.value() == null) {
            latest.remove(r.key());
          } else {
            latest.put(r.key(), r.value());
          }
        }
      }
      return latest;
    } catch (TimeoutException e) {
      throw unreachable(config, e);
    }
  }

  private static boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  static CliException unreachable(AppConfig config, Exception cause) {
    return new CliException(
        "cannot reach Kafka at "
            + config.bootstrapServers()
            + " within "
            + TIMEOUT.toSeconds()
            + " s (is it running? is bootstrap.servers right?)",
        cause);
  }
}
