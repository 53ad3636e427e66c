package dev.sluice.topology;

import dev.sluice.core.Verdict;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.RecordContext;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A decision with where it must go. Only the verdict is written (as Avro, see {@link
 * RecordFormats}); topic and partition steer the decisions sink.
 *
 * @param verdict the decision
 * @param topic the reply topic (already checked against the allowed ones)
 * @param partition the requested reply partition (already checked non-negative), or null for key
 *     partitioning
 */
record RoutedDecision(Verdict verdict, String topic, Integer partition) {

  /** Writes the verdict as an Avro {@code Decision} in the configured {@link RecordFormats}. */
  static final class ValueSerializer implements Serializer<RoutedDecision> {
    private final RecordFormats formats;

    ValueSerializer(RecordFormats formats) {
      this.formats = formats;
    }

    @Override
    public byte[] serialize(String topic, RoutedDecision data) {
      return data == null ? null : formats.encodeDecision(topic, data.verdict());
    }
  }

  /** The reply topic of each decision. */
  static final class Topic implements TopicNameExtractor<String, RoutedDecision> {
    @Override
    public String extract(String key, RoutedDecision value, RecordContext recordContext) {
      return value.topic();
    }

    /** Stable text: {@code Topology#describe()} prints it, and topology-docs/ pins that. */
    @Override
    public String toString() {
      return "replyTopic of the request, else the decisions topic";
    }
  }

  /**
   * The requested reply partition, else Kafka's default key partitioning. A partition beyond the
   * topic's count is wrapped modulo the count and logged: the request has already been charged, so
   * its decision must be written somewhere (SPEC 6: one decision per request), and a client asking
   * for a partition that does not exist is misconfigured in a way only its operator can fix.
   */
  static final class Partition implements StreamPartitioner<String, RoutedDecision> {
    private static final Logger LOG = LoggerFactory.getLogger(Partition.class);
    private final AtomicLong wrapped = new AtomicLong();

    /** Required by the interface; Kafka Streams 4.4 calls the variant with headers. */
    @Override
    @Deprecated(forRemoval = true)
    @SuppressWarnings("removal")
    public Optional<Set<Integer>> partitions(
        String topic, String key, RoutedDecision value, int numPartitions) {
      return partitions(topic, key, value, null, numPartitions);
    }

    @Override
    public Optional<Set<Integer>> partitions(
        String topic, String key, RoutedDecision value, Headers headers, int numPartitions) {
      Integer p = value.partition();
      if (p == null) {
        return Optional.empty();
      }
      if (p >= numPartitions) {
        long n = wrapped.incrementAndGet();
        if (Long.bitCount(n) == 1) {
          LOG.warn(
              "replyPartition {} does not exist in {} ({} partitions); decision written to {} ({}"
                  + " such decisions so far)",
              p,
              topic,
              numPartitions,
              p % numPartitions,
              n);
        }
        return Optional.of(Set.of(p % numPartitions));
      }
      return Optional.of(Set.of(p));
    }
  }
}
