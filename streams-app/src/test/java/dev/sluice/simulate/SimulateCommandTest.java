package dev.sluice.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulateCommandTest {
  @TempDir Path dir;
  private String stdout;
  private String stderr;

  private int simulate(String rules, String... requestLines) throws IOException {
    Path r = dir.resolve("rules.json");
    Path q = dir.resolve("requests.jsonl");
    Files.writeString(r, rules);
    Files.write(q, List.of(requestLines));
    return run("--rules", r.toString(), "--requests", q.toString());
  }

  private int run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        SimulateCommand.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    stdout = out.toString(StandardCharsets.UTF_8);
    stderr = err.toString(StandardCharsets.UTF_8);
    return status;
  }

  private List<String> lines() {
    return stdout.isEmpty() ? List.of() : List.of(stdout.split("\n"));
  }

  @Test
  void shouldPrintOnePlainJsonDecisionPerRequestLineInOrder() throws IOException {
    int status =
        simulate(
            "[{\"id\":\"fw\",\"key\":\"login:*\",\"limit\":1,\"windowSeconds\":10,"
                + "\"algorithm\":\"FIXED_WINDOW\"}]",
            "{\"id\":\"a1\",\"key\":\"login:alice\",\"timestampMs\":1000}",
            "{\"id\":\"a2\",\"key\":\"login:alice\",\"timestampMs\":2000}",
            "{\"id\":\"n1\",\"key\":\"nobody\",\"timestampMs\":3000}");
    assertEquals(0, status, stderr);
    assertEquals(
        List.of(
            "{\"requestId\":\"a1\",\"key\":\"login:alice\",\"allowed\":true,\"reason\":\"ALLOWED\","
                + "\"ruleId\":\"fw\",\"limit\":1,\"remaining\":0,\"resetAfterMs\":9000,"
                + "\"retryAfterMs\":0,\"limitIndex\":0,\"granted\":1,\"timestampMs\":1000,"
                + "\"shadow\":false,\"message\":null}",
            "{\"requestId\":\"a2\",\"key\":\"login:alice\",\"allowed\":false,"
                + "\"reason\":\"RATE_LIMITED\",\"ruleId\":\"fw\",\"limit\":1,\"remaining\":0,"
                + "\"resetAfterMs\":8000,\"retryAfterMs\":8000,\"limitIndex\":0,\"granted\":0,"
                + "\"timestampMs\":2000,"
                + "\"shadow\":false,\"message\":null}",
            "{\"requestId\":\"n1\",\"key\":\"nobody\",\"allowed\":true,"
                + "\"reason\":\"NO_MATCHING_RULE\",\"ruleId\":null,\"limit\":-1,\"remaining\":-1,"
                + "\"resetAfterMs\":-1,\"retryAfterMs\":-1,\"limitIndex\":-1,\"granted\":-1,"
                + "\"timestampMs\":3000,\"shadow\":false,"
                + "\"message\":null}"),
        lines());
    assertEquals("", stderr);
  }

  @Test
  void shouldReadLimitsChecksAndMaxCostAndPrintGrantedAndLimitIndex() throws IOException {
    int status =
        simulate(
            "[{\"id\":\"bd\",\"key\":\"u:*\",\"limits\":["
                + "{\"limit\":3,\"windowSeconds\":10,\"algorithm\":\"FIXED_WINDOW\"},"
                + "{\"limit\":5,\"windowSeconds\":3600,\"algorithm\":\"FIXED_WINDOW\"}]}]",
            "{\"id\":\"c\",\"key\":\"u:1\",\"cost\":0,\"timestampMs\":1000}",
            "{\"id\":\"p\",\"key\":\"u:1\",\"cost\":1,\"maxCost\":9,\"timestampMs\":1000}",
            "{\"id\":\"d\",\"key\":\"u:1\",\"timestampMs\":2000}",
            "{\"rule\":{\"id\":\"bd\",\"key\":\"u:*\",\"limits\":["
                + "{\"limit\":3,\"windowSeconds\":10,\"algorithm\":\"FIXED_WINDOW\"}]}}",
            "{\"id\":\"e\",\"key\":\"u:1\",\"timestampMs\":10000}",
            "{\"id\":\"m\",\"key\":\"u:1\",\"cost\":0,\"maxCost\":1,\"timestampMs\":1}");
    assertEquals(0, status, stderr);
    List<String> out = lines();
    assertEquals(5, out.size(), stdout);
    assertTrue(
        out.get(0)
            .contains(
                "\"allowed\":true,\"reason\":\"ALLOWED\",\"ruleId\":\"bd\",\"limit\":3,"
                    + "\"remaining\":3,\"resetAfterMs\":9000,\"retryAfterMs\":0,\"limitIndex\":0,"
                    + "\"granted\":0,\"timestampMs\":1000"),
        out.get(0));
    assertTrue(out.get(1).contains("\"remaining\":0,"), out.get(1));
    assertTrue(out.get(1).contains("\"limitIndex\":0,\"granted\":3,"), out.get(1));
    assertTrue(out.get(2).contains("\"reason\":\"RATE_LIMITED\""), out.get(2));
    assertTrue(out.get(2).contains("\"retryAfterMs\":8000,\"limitIndex\":0,\"granted\":0,"));
    assertTrue(out.get(3).contains("\"limitIndex\":0,\"granted\":1,"), out.get(3));
    assertTrue(out.get(4).contains("\"reason\":\"INVALID_REQUEST\""), out.get(4));
    assertTrue(out.get(4).contains("\"message\":\"maxCost: "), out.get(4));
    assertTrue(out.get(4).contains("\"timestampMs\":1,"), out.get(4));
    assertEquals("", stderr);
  }

  @Test
  void shouldApplyRuleLinesBeforeTheLinesAfterThem() throws IOException {
    simulate(
        "[]",
        "{\"id\":\"q1\",\"key\":\"k\",\"timestampMs\":0}",
        "{\"rule\":{\"id\":\"r\",\"key\":\"k\",\"limit\":0,\"windowSeconds\":1}}",
        "{\"id\":\"q2\",\"key\":\"k\",\"timestampMs\":0}",
        "{\"deleteRuleId\":\"r\"}",
        "{\"id\":\"q3\",\"key\":\"k\",\"timestampMs\":0}");
    List<String> out = lines();
    assertEquals(3, out.size(), stdout);
    assertTrue(out.get(0).contains("\"reason\":\"NO_MATCHING_RULE\""));
    assertTrue(out.get(1).contains("\"reason\":\"RATE_LIMITED\",\"ruleId\":\"r\""));
    assertTrue(out.get(2).contains("\"reason\":\"NO_MATCHING_RULE\""));
  }

  @Test
  void shouldReportRejectedRulesAndDeadLettersOnStandardError() throws IOException {
    int status =
        simulate(
            "[{\"id\":\"bad\",\"key\":\"k\",\"limit\":-5,\"windowSeconds\":60}, 7]",
            "this is not json",
            "{\"rule\":{\"id\":\"bad2\",\"key\":\"k\",\"limit\":1}}",
            "{\"id\":\"q\",\"key\":\"k\",\"timestampMs\":0}");
    assertEquals(0, status);
    List<String> err = List.of(stderr.split("\n"));
    assertEquals(4, err.size(), stderr);
    assertTrue(
        err.get(0).startsWith("rule bad rejected: ") && err.get(0).contains("limit"), err.get(0));
    assertTrue(err.get(1).startsWith("rule (no id) rejected: "), err.get(1));
    assertTrue(err.get(2).startsWith("line 1: dead letter (deserialization): "), err.get(2));
    assertTrue(
        err.get(3).startsWith("rule bad2 rejected: ") && err.get(3).contains("windowSeconds"),
        err.get(3));
    assertEquals(1, lines().size(), "a non-JSON line gets no decision; the request does");
  }

  @Test
  void shouldAnswerInvalidRequestForATimestampThatIsMissingNotAnIntegerOrOutOfRange()
      throws IOException {
    simulate(
        "[]",
        "{\"id\":\"m\",\"key\":\"k\"}",
        "{\"id\":\"z\",\"key\":\"k\",\"timestampMs\":null}",
        "{\"id\":\"n\",\"key\":\"k\",\"timestampMs\":-5}",
        "{\"id\":\"s\",\"key\":\"k\",\"timestampMs\":\"soon\"}",
        "{\"id\":\"f\",\"key\":\"k\",\"timestampMs\":1.5}",
        "{\"id\":\"d\",\"key\":\"k\",\"timestampMs\":2.0}",
        "{\"id\":\"e\",\"key\":\"k\",\"timestampMs\":1e3}",
        "{\"id\":\"a\",\"key\":\"k\",\"timestampMs\":9007199254740993}",
        "{\"id\":\"b\",\"key\":\"k\",\"timestampMs\":123456789012345678901234567890}",
        "{\"id\":\"c\",\"key\":\"k\",\"timestampMs\":-123456789012345678901234567890}",
        "{\"id\":\"x\",\"key\":\"k\",\"timestampMs\":1e3,\"cost\":-1}");
    List<String> out = lines();
    assertEquals(11, out.size(), stdout);
    for (String line : out.subList(0, 10)) {
      assertTrue(line.contains("\"reason\":\"INVALID_REQUEST\""), line);
      assertTrue(line.contains("\"message\":\"timestampMs: "), line);
    }
    // SPEC 7: the given integer, even out of range or beyond 64 bits; null when not an integer.
    List<String> echoed = new java.util.ArrayList<>();
    for (String line : out) {
      int at = line.indexOf("\"timestampMs\":") + "\"timestampMs\":".length();
      echoed.add(line.substring(at, line.indexOf(',', at)));
    }
    assertEquals(
        List.of(
            "null",
            "null",
            "-5",
            "null",
            "null",
            "null",
            "null",
            "9007199254740993",
            "123456789012345678901234567890",
            "-123456789012345678901234567890",
            "null"),
        echoed);
    assertTrue(out.get(10).contains("\"message\":\"cost: "), "cost is named before timestampMs");
  }

  @Test
  void shouldAcceptTheTimestampRangeEnds() throws IOException {
    simulate(
        "[]",
        "{\"id\":\"lo\",\"key\":\"k\",\"timestampMs\":0}",
        "{\"id\":\"hi\",\"key\":\"k\",\"timestampMs\":9007199254740992}",
        "{\"id\":\"mz\",\"key\":\"k\",\"timestampMs\":-0}");
    List<String> out = lines();
    assertEquals(3, out.size(), stdout);
    for (String line : out) {
      assertTrue(line.contains("\"reason\":\"NO_MATCHING_RULE\""), line);
    }
    assertTrue(out.get(1).contains("\"timestampMs\":9007199254740992,"), out.get(1));
  }

  @Test
  void shouldEchoNullForNonStringIdsAndKeys() throws IOException {
    simulate("[]", "{\"id\":12,\"key\":[1],\"timestampMs\":5}");
    assertEquals(
        List.of(
            "{\"requestId\":null,\"key\":null,\"allowed\":false,"
                + "\"reason\":\"INVALID_REQUEST\",\"ruleId\":null,\"limit\":-1,\"remaining\":-1,"
                + "\"resetAfterMs\":-1,\"retryAfterMs\":-1,\"limitIndex\":-1,\"granted\":-1,"
                + "\"timestampMs\":5,\"shadow\":false,"
                + "\"message\":\"id: must be a string (got 12)\"}"),
        lines());
  }

  @Test
  void shouldDecideTheFirstLineOfARequestsFileThatStartsWithAByteOrderMark() throws IOException {
    // SPEC 7: one decision per request line; a BOM is file encoding, not part of line 1.
    simulate("[]", "\uFEFF{\"id\":\"b\",\"key\":\"k\",\"timestampMs\":1}");
    assertEquals(1, lines().size(), stderr);
    assertTrue(lines().get(0).startsWith("{\"requestId\":\"b\","), stdout);
  }

  @Test
  void shouldFailClearlyOnMissingOrMalformedFiles() throws IOException {
    assertEquals(2, run("--rules", dir.resolve("none.json").toString(), "--requests", "x"));
    assertTrue(stderr.contains("cannot read rules file"), stderr);
    Path notArray = dir.resolve("obj.json");
    Files.writeString(notArray, "{\"id\":\"r\"}");
    Path requests = dir.resolve("r.jsonl");
    Files.writeString(requests, "");
    assertEquals(2, run("--rules", notArray.toString(), "--requests", requests.toString()));
    assertTrue(stderr.contains("must hold a JSON array"), stderr);
    Files.writeString(notArray, "[");
    assertEquals(2, run("--rules", notArray.toString(), "--requests", requests.toString()));
    assertTrue(stderr.contains("cannot read rules file"), stderr);
    Files.writeString(notArray, "[]");
    assertEquals(
        2, run("--rules", notArray.toString(), "--requests", dir.resolve("no").toString()));
    assertTrue(stderr.contains("cannot read requests file"), stderr);
    assertEquals(2, run("--rules", notArray.toString()));
    assertTrue(stderr.contains("usage"), stderr);
  }
}
