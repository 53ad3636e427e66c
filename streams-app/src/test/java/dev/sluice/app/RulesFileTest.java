package dev.sluice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RulesFileTest {
  private static final Path RULES = Path.of("src/test/resources/rules");

  @Test
  void shouldAcceptAValidFile() {
    RulesFile file = RulesFile.read(RULES.resolve("valid.json"));
    assertTrue(file.isValid(), file.errors().toString());
    assertEquals(List.of("login", "api"), List.copyOf(file.rules().keySet()));
  }

  @Test
  void shouldReportEveryErrorWithFileRuleAndField() {
    RulesFile file = RulesFile.read(RULES.resolve("invalid.json"));
    assertFalse(file.isValid());
    String f = RULES.resolve("invalid.json").toString();
    List<String> errors = file.errors();
    assertTrue(
        errors.stream().anyMatch(e -> e.startsWith(f + ": rule \"neg\" (#2): limit:")),
        errors.toString());
    assertTrue(
        errors.stream().anyMatch(e -> e.startsWith(f + ": rule \"neg\" (#2): windowSeconds:")),
        errors.toString());
    assertTrue(
        errors.stream().anyMatch(e -> e.startsWith(f + ": rule #3: id:")), errors.toString());
    assertTrue(
        errors.contains(f + ": rule \"ok\" (#4): id: duplicate of rule #1"), errors.toString());
    assertTrue(
        errors.stream().anyMatch(e -> e.startsWith(f + ": rule #5: must be a JSON object")),
        errors.toString());
    assertEquals(5, file.ruleCount());
  }

  @Test
  void shouldNameTheLineOfBrokenJson() {
    RulesFile file = RulesFile.read(RULES.resolve("truncated.json"));
    assertEquals(1, file.errors().size());
    assertTrue(
        file.errors().get(0).startsWith(RULES.resolve("truncated.json") + ":3:"),
        file.errors().toString());
  }

  @Test
  void validateCommandShouldExitOneAndPrintEveryError() {
    CapturedIo io = new CapturedIo();
    int rc =
        RulesCommand.run(List.of("validate", RULES.resolve("invalid.json").toString()), io.io());
    assertEquals(1, rc);
    String text = io.err();
    assertTrue(text.contains("duplicate of rule #1"), text);
    assertTrue(text.contains("error(s) in 5 rule(s)"), text);

    io.clearOut();
    assertEquals(
        0, RulesCommand.run(List.of("validate", RULES.resolve("valid.json").toString()), io.io()));
    assertTrue(io.out().contains("2 rule(s), all valid"));
  }

  @Test
  void shouldAcceptTheLimitsFormAndListEveryLimit() {
    RulesFile file = RulesFile.read(RULES.resolve("limits.json"));
    assertTrue(file.isValid(), file.errors().toString());
    assertEquals(2, file.rules().get("api").limits().size());

    CapturedIo io = new CapturedIo();
    assertEquals(
        0, RulesCommand.run(List.of("validate", RULES.resolve("limits.json").toString()), io.io()));
    List<String> lines = io.out().lines().toList();
    assertEquals(RULES.resolve("limits.json") + ": 2 rule(s), all valid", lines.get(0));
    assertEquals("  login  login:*  3/1m FIXED_WINDOW", lines.get(1));
    assertEquals(
        "  api    api:*    #0 20/1s TOKEN_BUCKET, #1 10000/1d FIXED_WINDOW  priority 5",
        lines.get(2));
  }

  @Test
  void shouldNameTheLimitsFieldOrEntryThatIsWrong() {
    RulesFile file = RulesFile.read(RULES.resolve("limits-invalid.json"));
    String f = RULES.resolve("limits-invalid.json").toString();
    List<String> errors = file.errors();
    assertTrue(
        errors.stream().anyMatch(e -> e.startsWith(f + ": rule \"both\" (#1): limits:")),
        errors.toString());
    assertTrue(
        errors.stream()
            .anyMatch(
                e -> e.startsWith(f + ": rule \"dup\" (#2): limits[1]: duplicates limits[0]")),
        errors.toString());
    assertTrue(
        errors.stream()
            .anyMatch(
                e ->
                    e.startsWith(f + ": rule \"typo\" (#3): limits[0]")
                        && e.contains("windowSecond")),
        errors.toString());
    assertEquals(3, file.ruleCount());
  }
}
