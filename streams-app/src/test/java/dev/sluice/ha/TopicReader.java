package dev.sluice.ha;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/** Reads a whole topic from the beginning: to its current end, or (a consumer) on and on. */
final class TopicReader {
  /** Only committed transactions: what a downstream consumer of Sluice's output sees. */
  private static final Map<String, Object> READ_COMMITTED =
      Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");

  private TopicReader() {}

  /** Every record of {@code topic}, read_committed, from the beginning to its current end. */
  static List<ConsumerRecord<byte[], byte[]>> readAll(
      String bootstrapServers, String topic, int partitions) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    readToEnd(bootstrapServers, topic, partitions, "ha-topic-reader", READ_COMMITTED, out::add);
    return out;
  }

  /**
   * Hands every record of {@code topic} from the beginning to its current end (the end offsets when
   * called) to {@code each}, in order per partition; fails after 60 s.
   *
   * @param configs further consumer settings (isolation level); none: read_uncommitted
   */
  static void readToEnd(
      String bootstrapServers,
      String topic,
      int partitions,
      String clientId,
      Map<String, Object> configs,
      Consumer<ConsumerRecord<byte[], byte[]>> each) {
    try (KafkaConsumer<byte[], byte[]> c =
        fromBeginning(
            bootstrapServers, topic, partitions, clientId, configs, new ByteArrayDeserializer())) {
      List<TopicPartition> tps = new ArrayList<>(c.assignment());
      Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end in 60 s");
        }
        c.poll(Duration.ofMillis(200)).forEach(each);
      }
    }
  }

  /**
   * A consumer (no group, no commits) assigned every partition of {@code topic}, positioned at the
   * beginning; the caller closes it.
   *
   * @param configs further consumer settings (isolation level, fetch wait)
   */
  static <K> KafkaConsumer<K, byte[]> fromBeginning(
      String bootstrapServers,
      String topic,
      int partitions,
      String clientId,
      Map<String, Object> configs,
      Deserializer<K> keys) {
    Map<String, Object> all = new HashMap<>(configs);
    all.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    all.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    all.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    KafkaConsumer<K, byte[]> c = new KafkaConsumer<>(all, keys, new ByteArrayDeserializer());
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      tps.add(new TopicPartition(topic, p));
    }
    c.assign(tps);
    c.seekToBeginning(tps);
    return c;
  }
}
