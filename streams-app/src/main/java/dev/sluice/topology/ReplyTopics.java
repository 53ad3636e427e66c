package dev.sluice.topology;

import java.util.Map;

/**
 * Which reply topics decisions may be written to right now, as far as this instance knows, told
 * without blocking: the limiter asks before routing each decision to a request's {@code
 * replyTopic}, so that a request naming a topic that does not exist, or that the service may not
 * write, is answered at once (an {@code INVALID_REQUEST} decision on the decisions topic and a dead
 * letter) instead of stalling its stream thread in the producer while it waits for metadata.
 *
 * <p>Kafka Streams creates processors and handlers itself, so an application hands its instance to
 * them through the Streams properties under {@link #CONFIG} (an object value, like {@link
 * DecisionMetrics#HANDLER_CONFIG}); without one every topic counts as writable ({@link #ANY}),
 * which is what tests and {@code simulate} use.
 */
public interface ReplyTopics {
  /** Every topic is writable: no check (tests, {@code simulate}). */
  ReplyTopics ANY = topic -> null;

  /**
   * The Streams properties key under which an application puts its instance (an object value, not a
   * string). Not a Sluice setting.
   */
  String CONFIG = "sluice.internal.reply-topics";

  /**
   * Why decisions cannot be written to {@code topic} now, or null when they can. Must not block: it
   * is called on a stream thread for every request naming a reply topic.
   *
   * @param topic an allowed reply topic other than the decisions topic
   * @return null when writable; else a reason completing "replyTopic: ..." (e.g. {@code "does not
   *     exist"})
   */
  String unavailable(String topic);

  /**
   * Writing to {@code topic} failed although {@link #unavailable} said it could be written (the
   * topic was deleted, or the permission revoked, since it was last looked up): treat it as
   * unavailable until it is looked up again. Must not block.
   *
   * @param topic the reply topic
   * @param cause what the producer reported
   */
  default void writeFailed(String topic, Exception cause) {}

  /**
   * True when {@code topic} is a reply topic this instance may write besides the decisions topic
   * (so a failed send there is the request's fault, not the service's). {@link #ANY} knows none.
   */
  default boolean isReplyTopic(String topic) {
    return false;
  }

  /** The instance under {@link #CONFIG} in {@code configs}, or {@link #ANY}. */
  static ReplyTopics fromConfigs(Map<String, ?> configs) {
    return configs.get(CONFIG) instanceof ReplyTopics r ? r : ANY;
  }
}
