package dev.sluice.topology;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * A request's time is its record timestamp (LogAppendTime in production). Kafka Streams drops a
 * record whose extracted time is negative; that would lose a request without a decision, so a
 * record without a timestamp (only possible in the pre-0.10 message format) is taken as time 0,
 * which the counters then move forward to their own clock (SPEC 4).
 */
public final class RecordTimeExtractor implements TimestampExtractor {
  /** Stateless; one instance may serve every source. */
  public RecordTimeExtractor() {}

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    return Math.max(0L, record.timestamp());
  }
}
