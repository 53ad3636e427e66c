package dev.sluice.schema.registry;

/**
 * Confluent's default subject naming: a topic's record values are registered under {@code
 * <topic>-value} and its keys under {@code <topic>-key}. Sluice's record keys are plain strings
 * (rule ids, request keys), so only value subjects are used today.
 */
public final class TopicNameStrategy {
  private TopicNameStrategy() {}

  /** The subject of {@code topic}'s record values, e.g. {@code sluice.requests-value}. */
  public static String valueSubject(String topic) {
    return checked(topic) + "-value";
  }

  /** The subject of {@code topic}'s record keys, e.g. {@code sluice.requests-key}. */
  public static String keySubject(String topic) {
    return checked(topic) + "-key";
  }

  private static String checked(String topic) {
    if (topic == null || topic.isBlank()) {
      throw new IllegalArgumentException(
          "topic must be a non-blank topic name, was '" + topic + "'");
    }
    return topic;
  }
}
