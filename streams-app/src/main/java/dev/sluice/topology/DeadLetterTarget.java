package dev.sluice.topology;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * Where the dead-letter handlers send a record and whom they tell: the dead-letter topic (null when
 * none is configured) and the {@link DecisionMetrics} from the handler configs. Both handlers are
 * created by Kafka Streams from class names and read these from the same configs.
 */
final class DeadLetterTarget {
  /** No topic, no metrics: what a handler holds before {@code configure}. */
  static final DeadLetterTarget NONE = new DeadLetterTarget(null, DecisionMetrics.NONE);

  private final String topic;
  private final DecisionMetrics metrics;

  private DeadLetterTarget(String topic, DecisionMetrics metrics) {
    this.topic = topic;
    this.metrics = metrics;
  }

  /** The topic and metrics a handler's {@code configure(configs)} is given. */
  static DeadLetterTarget fromConfigs(Map<String, ?> configs) {
    Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
    return new DeadLetterTarget(
        topic == null ? null : topic.toString(), DecisionMetrics.fromConfigs(configs));
  }

  /** The dead-letter topic, or null when none is configured. */
  String topic() {
    return topic;
  }

  /**
   * Counts one dead letter at {@code stage} and returns the record for the handler's {@code
   * Response.resume}: the source bytes and headers with the error headers of {@link DeadLetters},
   * the source position taken from {@code context}. Only call it when {@link #topic()} is set.
   */
  List<ProducerRecord<byte[], byte[]>> deadLetter(
      DeadLetters.Stage stage,
      byte[] key,
      byte[] value,
      Headers headers,
      Exception exception,
      ErrorHandlerContext context) {
    metrics.deadLettered(stage);
    return List.of(
        DeadLetters.failed(
            topic,
            key,
            value,
            headers,
            stage,
            exception,
            context.topic(),
            context.partition(),
            context.offset()));
  }
}
