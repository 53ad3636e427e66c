package dev.sluice.topology;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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

  private DeadLetterTarget target = DeadLetterTarget.NONE;

  /** Created by Kafka Streams from {@code deserialization.exception.handler}. */
  public DeadLetterDeserializationHandler() {}

  @Override
  public void configure(Map<String, ?> configs) {
    target = DeadLetterTarget.fromConfigs(configs);
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
    if (target.topic() == null) {
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
        target.topic(),
        exception.getMessage());
    return Response.resume(
        target.deadLetter(
            DeadLetters.Stage.DESERIALIZATION,
            record.key(),
            record.value(),
            record.headers(),
            exception,
            context));
  }
}
