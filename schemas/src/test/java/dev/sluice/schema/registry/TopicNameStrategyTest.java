package dev.sluice.schema.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TopicNameStrategyTest {
  @Test
  void shouldNameSubjectsAfterTheTopic() {
    assertEquals("sluice.requests-value", TopicNameStrategy.valueSubject("sluice.requests"));
    assertEquals("sluice.requests-key", TopicNameStrategy.keySubject("sluice.requests"));
  }

  @Test
  void shouldRefuseABlankTopic() {
    assertThrows(IllegalArgumentException.class, () -> TopicNameStrategy.valueSubject(" "));
    assertThrows(IllegalArgumentException.class, () -> TopicNameStrategy.keySubject(null));
  }
}
