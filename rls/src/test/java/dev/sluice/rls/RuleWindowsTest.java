package dev.sluice.rls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.junit.jupiter.api.Test;

class RuleWindowsTest {
  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] rule(String id, long window) {
    return bytes(
        "{\"id\":\"" + id + "\",\"key\":\"k:*\",\"limit\":5,\"windowSeconds\":" + window + "}");
  }

  private static RuleWindows windows(int max) {
    return new RuleWindows(new MockConsumer<>("earliest"), "sluice.rules", max);
  }

  @Test
  void shouldRememberEachRulesWindowAndForgetItOnATombstone() {
    RuleWindows w = windows(10);
    w.apply(bytes("a"), rule("a", 60));
    assertEquals(60, w.windowSeconds("a", 0));
    assertEquals(-1, w.windowSeconds("a", 1));
    assertEquals(-1, w.windowSeconds("b", 0));
    assertEquals(-1, w.windowSeconds(null, 0));
    w.apply(bytes("a"), rule("a", 3600));
    assertEquals(3600, w.windowSeconds("a", 0));
    w.apply(bytes("a"), null);
    assertEquals(-1, w.windowSeconds("a", 0));
  }

  @Test
  void shouldRememberTheWindowOfEveryLimitByIndex() {
    RuleWindows w = windows(10);
    w.apply(
        bytes("burst"),
        bytes(
            "{\"id\":\"burst\",\"key\":\"k:*\",\"limits\":[{\"limit\":3,\"windowSeconds\":1},"
                + "{\"limit\":1000,\"windowSeconds\":86400,\"algorithm\":\"FIXED_WINDOW\"}]}"));
    assertEquals(1, w.windowSeconds("burst", 0));
    assertEquals(86400, w.windowSeconds("burst", 1));
    assertEquals(-1, w.windowSeconds("burst", 2));
  }

  @Test
  void shouldKeepThePreviousWindowWhenAVersionIsInvalid() {
    RuleWindows w = windows(10);
    w.apply(bytes("a"), rule("a", 60));
    w.apply(bytes("a"), rule("a", 0));
    w.apply(bytes("a"), bytes("not a rule"));
    assertEquals(60, w.windowSeconds("a", 0));
  }

  @Test
  void shouldHoldAtMostMaxRules() {
    RuleWindows w = windows(2);
    w.apply(bytes("a"), rule("a", 1));
    w.apply(bytes("b"), rule("b", 1));
    w.apply(bytes("c"), rule("c", 1));
    assertEquals(2, w.size());
    assertEquals(1, w.dropped());
    assertEquals(-1, w.windowSeconds("c", 0));
    // A rule already held may still change; a freed slot takes a new rule.
    w.apply(bytes("a"), rule("a", 60));
    assertEquals(60, w.windowSeconds("a", 0));
    w.apply(bytes("b"), null);
    w.apply(bytes("c"), rule("c", 86400));
    assertEquals(86400, w.windowSeconds("c", 0));
  }
}
