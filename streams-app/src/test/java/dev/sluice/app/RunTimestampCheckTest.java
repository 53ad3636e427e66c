package dev.sluice.app;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code sluice run}'s check of the requests topic's timestamp type: LogAppendTime passes,
 * CreateTime is refused unless allowed, an unreadable setting is a warning. (The refusal against a
 * real broker is in {@code dev.sluice.security.SecureClusterIntegrationTest}.)
 */
class RunTimestampCheckTest {
  private static final String TOPIC = "sluice.requests";

  @Test
  void shouldPassLogAppendTime() {
    assertNull(
        RunCommand.checkTimestampType(
            TOPIC, new TopicsCreator.TimestampType("LogAppendTime", null), false));
  }

  @Test
  void shouldRefuseCreateTimeNamingTheFixAndTheOverride() {
    CliException e =
        assertThrows(
            CliException.class,
            () ->
                RunCommand.checkTimestampType(
                    TOPIC, new TopicsCreator.TimestampType("CreateTime", null), false));
    for (String part :
        List.of(
            "sluice.requests: message.timestamp.type is CreateTime",
            "--add-config message.timestamp.type=LogAppendTime",
            "--allow-create-time",
            "docs/SECURITY.md")) {
      assertTrue(e.getMessage().contains(part), e.getMessage());
    }
  }

  @Test
  void shouldOnlyWarnAboutCreateTimeWhenAllowed() {
    String warning =
        RunCommand.checkTimestampType(
            TOPIC, new TopicsCreator.TimestampType("CreateTime", null), true);
    assertTrue(warning.contains("running anyway (--allow-create-time)"), warning);
  }

  @Test
  void shouldWarnWhenTheTypeCannotBeRead() {
    String warning =
        RunCommand.checkTimestampType(
            TOPIC, new TopicsCreator.TimestampType(null, "Topic authorization failed."), false);
    assertTrue(
        warning.startsWith("cannot read message.timestamp.type of sluice.requests"), warning);
    assertTrue(warning.contains("DESCRIBE_CONFIGS"), warning);
  }
}
