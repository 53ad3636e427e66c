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
}
