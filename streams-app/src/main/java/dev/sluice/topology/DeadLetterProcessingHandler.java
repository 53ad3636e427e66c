package dev.sluice.topology;

import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles an unexpected exception thrown while processing one record (KIP-1033/1034). A poison
 * record (a bug for this one input) goes to the dead-letter topic with the raw source bytes and
 * processing goes on; a failure of Kafka Streams itself (a {@link StreamsException}, such as a
 * state store error) stops the thread so that it is retried, never skipped; so does a schema
 * registry that cannot answer (a retriable {@code SchemaRegistryException}). A request whose reply
 * topic cannot be written ({@link ReplyTopicUnavailableException}, thrown by the limiter after it
 * answered the request) is dead-lettered at stage {@code reply-topic} with a WARN line.
 */
public final class DeadLetterProcessingHandler implements ProcessingExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);

  private DeadLetterTarget target = DeadLetterTarget.NONE;

  /** Created by Kafka Streams from {@code processing.exception.handler}. */
  public DeadLetterProcessingHandler() {}

  @Override
  public void configure(Map<String, ?> configs) {
    target = DeadLetterTarget.fromConfigs(configs);
  }

  @Override
  public Response handleError(
      ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    // A registry that cannot answer says nothing about the record: fail, so it is retried.
    if (target.topic() == null
        || exception instanceof StreamsException
        || RecordFormats.registryUnavailable(exception)) {
      LOG.error(
          "Processing failed in {} at {}-{}@{}; stopping",
          context.processorNodeId(),
          context.topic(),
          context.partition(),
          context.offset(),
          exception);
      return Response.fail();
    }
    if (exception instanceof ReplyTopicUnavailableException) {
      LOG.warn(
          "Request at {}-{}@{} answered INVALID_REQUEST on the decisions topic and sent to {}: {}",
          context.topic(),
          context.partition(),
          context.offset(),
          target.topic(),
          exception.getMessage());
      return Response.resume(
          target.deadLetter(
              DeadLetters.Stage.REPLY_TOPIC,
              context.sourceRawKey(),
              context.sourceRawValue(),
              context.headers(),
              exception,
              context));
    }
    LOG.error(
        "Processing failed in {} at {}-{}@{}; record sent to {}",
        context.processorNodeId(),
        context.topic(),
        context.partition(),
        context.offset(),
        target.topic(),
        exception);
    return Response.resume(
        target.deadLetter(
            DeadLetters.Stage.PROCESSING,
            context.sourceRawKey(),
            context.sourceRawValue(),
            context.headers(),
            exception,
            context));
  }
}
