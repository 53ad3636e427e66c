package dev.sluice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArgsTest {
  private static Args parse(String... argv) {
    return Args.parse(List.of(argv), Set.of("--json"), Set.of("--key", "--cost"), Set.of("--meta"));
  }

  @Test
  void shouldParseOptionsFlagsRepeatsAndPositionals() {
    Args a = parse("FILE", "--key", "k1", "--json", "--meta", "a=1", "--meta=b=2", "--cost=3");
    assertEquals("k1", a.value("--key"));
    assertTrue(a.flag("--json"));
    assertEquals(Map.of("a", "1", "b", "2"), a.keyValues("--meta"));
    assertEquals(3, a.longValue("--cost", 1, 1, 10));
    assertEquals(List.of("FILE"), a.positionals(1, "FILE"));
  }

  @Test
  void shouldDefaultAbsentValues() {
    Args a = parse();
    assertFalse(a.flag("--json"));
    assertEquals(null, a.value("--key"));
    assertEquals(1, a.longValue("--cost", 1, 1, 10));
    assertEquals(Map.of(), a.keyValues("--meta"));
  }

  @Test
  void shouldRejectUnknownOptionMissingValueAndRepeatedSingle() {
    assertEquals(
        "unknown option --nope",
        assertThrows(UsageException.class, () -> parse("--nope")).getMessage());
    assertEquals(
        "--key needs a value",
        assertThrows(UsageException.class, () -> parse("--key")).getMessage());
    assertEquals(
        "--key given twice",
        assertThrows(UsageException.class, () -> parse("--key", "a", "--key", "b")).getMessage());
    assertEquals(
        "--json takes no value",
        assertThrows(UsageException.class, () -> parse("--json=yes")).getMessage());
  }

  @Test
  void shouldRejectBadNumbersAndKeyValues() {
    assertEquals(
        "--cost must be a whole number (got 'x')",
        assertThrows(UsageException.class, () -> parse("--cost", "x").longValue("--cost", 1, 1, 10))
            .getMessage());
    assertEquals(
        "--cost must be between 1 and 10 (got 11)",
        assertThrows(
                UsageException.class, () -> parse("--cost", "11").longValue("--cost", 1, 1, 10))
            .getMessage());
    assertEquals(
        "--meta takes key=value (got 'novalue')",
        assertThrows(UsageException.class, () -> parse("--meta", "novalue").keyValues("--meta"))
            .getMessage());
  }

  @Test
  void shouldCountPositionals() {
    assertEquals(
        "missing FILE",
        assertThrows(UsageException.class, () -> parse().positionals(1, "FILE")).getMessage());
    assertEquals(
        "unexpected argument(s) [b]",
        assertThrows(UsageException.class, () -> parse("a", "b").positionals(1, "FILE"))
            .getMessage());
    assertEquals(List.of("--key"), parse("--", "--key").positionals());
  }
}
