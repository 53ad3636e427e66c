package dev.sluice.schema.registry;

/**
 * Confluent's default subject naming: a topic's record values are registered under {@code
 * <topic>-value} and its keys under {@code <topic>-key}. Sluice's record keys are plain strings
 * (rule ids, request keys), so only value subjects are used today.
 */
public final class TopicNameStrategy {
  private TopicNameStrategy() {}

  /**
   * The subject of a topic's record values.
   *
   * @param topic the topic name; not blank
   * @return {@code <topic>-value}, e.g. {@code sluice.requests-value}
   * @throws IllegalArgumentException when {@code topic} is null or blank
   */
  public static String valueSubject(String topic) {
    return checked(topic) + "-value";
  }

  /**
   * The subject of a topic's record keys.
   *
   * @param topic the topic name; not blank
   * @return {@code <topic>-key}, e.g. {@code sluice.requests-key}
   * @throws IllegalArgumentException when {@code topic} is null or blank
   */
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
