package dev.sluice.topology;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends records whose bytes cannot be decoded (KIP-1034) to the dead-letter topic and goes on.
 * Without a dead-letter topic configured it stops the application instead: a record is never
 * dropped silently. A schema registry that cannot answer (a retriable {@code
 * SchemaRegistryException}) is not the record's fault: the handler stops the thread, and the record
 * is read again once the instance restarts.
 */
public final class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);

  private String deadLetterTopic;
  private DecisionMetrics metrics = DecisionMetrics.NONE;

  /** Created by Kafka Streams from {@code deserialization.exception.handler}. */
  public DeadLetterDeserializationHandler() {}

  @Override
  public void configure(Map<String, ?> configs) {
    Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
    deadLetterTopic = topic == null ? null : topic.toString();
    metrics = DecisionMetrics.fromConfigs(configs);
  }

  @Override
  public Response handleError(
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    if (RecordFormats.registryUnavailable(exception)) {
      LOG.error(
          "Schema registry unavailable while decoding {}-{}@{}; stopping so the record is read"
              + " again after a restart, not dead-lettered",
          context.topic(),
          context.partition(),
          context.offset(),
          exception);
      return Response.fail();
    }
    if (deadLetterTopic == null) {
      LOG.error(
          "Undecodable record at {}-{}@{} and no dead-letter topic configured; stopping",
          context.topic(),
          context.partition(),
          context.offset(),
          exception);
      return Response.fail();
    }
    LOG.warn(
        "Undecodable record at {}-{}@{} sent to {}: {}",
        context.topic(),
        context.partition(),
        context.offset(),
        deadLetterTopic,
        exception.getMessage());
    metrics.deadLettered(DeadLetters.Stage.DESERIALIZATION);
    return Response.resume(
        List.of(
            DeadLetters.failed(
                deadLetterTopic,
                record.key(),
                record.value(),
                record.headers(),
                DeadLetters.Stage.DESERIALIZATION,
                exception,
                context.topic(),
                context.partition(),
                context.offset())));
  }
}
