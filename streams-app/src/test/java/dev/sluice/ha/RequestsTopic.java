package dev.sluice.ha;

import dev.sluice.schema.DecodedRequest;
import dev.sluice.schema.RequestCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The requests topic read from the beginning to its current end: the ids of the requests that were
 * actually written (a check whose send failed, or was still buffered, may or may not be there),
 * which is what "every request gets a decision" is measured against.
 */
final class RequestsTopic {
  /**
   * One request record.
   *
   * @param timestamp the broker's LogAppendTime
   */
  record Written(String id, String key, int partition, long offset, long timestamp) {}

  /**
   * Requests by id (the first record of each), how many records carry each id (more than one when a
   * producer wrote a request twice), and how many records were not decodable requests (fuzz input).
   */
  record Contents(
      Map<String, Written> byId, Map<String, Integer> copies, long undecodable, long total) {}

  private RequestsTopic() {}

  static Contents read(String bootstrapServers, String topic, int partitions) {
    Map<String, Written> byId = new HashMap<>();
    Map<String, Integer> copies = new HashMap<>();
    long undecodable = 0;
    long total = 0;
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.CLIENT_ID_CONFIG,
                "ha-requests-reader"),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        tps.add(new TopicPartition(topic, p));
      }
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end in 60 s");
        }
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          total++;
          try {
            DecodedRequest req = RequestCodec.decode(r.value());
            if (req.id() != null) {
              byId.putIfAbsent(
                  req.id(),
                  new Written(req.id(), req.key(), r.partition(), r.offset(), r.timestamp()));
              copies.merge(req.id(), 1, Integer::sum);
            }
          } catch (RuntimeException e) {
            undecodable++;
          }
        }
      }
    }
    return new Contents(byId, copies, undecodable, total);
  }
}
