package dev.sluice.topology;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles a failed send. A decision that could not be written to a request's reply topic (the topic
 * was deleted after this instance last looked it up, a record too large for it...) goes to the
 * dead-letter topic at stage {@code reply-topic}, the topic is marked unwritable in {@link
 * ReplyTopics} so later requests naming it are answered on the decisions topic at once, and
 * processing goes on. Every other failed send (decisions, dead-letter, changelog or rules-applied
 * topic) stops the thread, as Kafka Streams' default does: those say something about the service,
 * not about one request.
 *
 * <p>Kafka Streams 4.4 never calls this for an authorisation or invalid-topic error (it treats them
 * as fatal before asking the handler); {@link ReplyTopics} is what keeps such topics away from the
 * producer. Under exactly-once a failed send also dooms the open transaction: it aborts and the
 * request is processed again, then answered as unwritable from {@link ReplyTopics}.
 */
public final class DeadLetterProductionHandler implements ProductionExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProductionHandler.class);

  private DeadLetterTarget target = DeadLetterTarget.NONE;
  private ReplyTopics replyTopics = ReplyTopics.ANY;

  /** Created by Kafka Streams from {@code production.exception.handler}. */
  public DeadLetterProductionHandler() {}

  @Override
  public void configure(Map<String, ?> configs) {
    target = DeadLetterTarget.fromConfigs(configs);
    replyTopics = ReplyTopics.fromConfigs(configs);
  }

  @Override
  public Response handleError(
      ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
    if (target.topic() == null || !replyTopics.isReplyTopic(record.topic())) {
      return Response.fail();
    }
    replyTopics.writeFailed(record.topic(), exception);
    LOG.warn(
        "Decision for {}-{}@{} could not be written to reply topic {}; sent to {}: {}",
        context.topic(),
        context.partition(),
        context.offset(),
        record.topic(),
        target.topic(),
        exception.toString());
    // The raw request when Kafka Streams still holds it, else the decision that failed.
    boolean raw = context.sourceRawValue() != null;
    return Response.resume(
        target.deadLetter(
            DeadLetters.Stage.REPLY_TOPIC,
            raw ? context.sourceRawKey() : record.key(),
            raw ? context.sourceRawValue() : record.value(),
            raw ? context.headers() : record.headers(),
            exception,
            context));
  }
}
