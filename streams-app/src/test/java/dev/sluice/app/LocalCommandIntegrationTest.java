package dev.sluice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice local --duration} end to end: broker, instance, rules, demo, clean stop. */
class LocalCommandIntegrationTest {
  @Test
  void shouldShowAllowsTurningIntoDeniesAndExitCleanly(@TempDir Path tmp) throws Exception {
    // The example rules with their fixed windows turned into sliding logs: a fixed window on
    // wall-clock time resets at a minute boundary, which would make this test depend on when it
    // runs. The demo only relies on the rules' ids, keys and limits.
    Path rules = tmp.resolve("rules.json");
    Files.writeString(
        rules,
        Files.readString(Path.of("../examples/rules.json"))
            .replace("\"FIXED_WINDOW\"", "\"SLIDING_WINDOW\""));
    CapturedIo io = new CapturedIo();
    long t0 = System.nanoTime();
    int rc =
        LocalCommand.run(
            List.of(
                "--duration", "15", "--port", "0", "--http-port", "0", "--rules", rules.toString()),
            io.io());
    long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
    String text = io.out();
    assertEquals(0, rc, io.err());
    assertTrue(text.matches("(?s).*login:alice .* allowed .*ALLOWED .*login-per-user.*"), text);
    assertTrue(text.matches("(?s).*login:alice .* DENIED .*RATE_LIMITED .*login-per-user.*"), text);
    // export-quota's daily quota (limit index 1) denies at the latest on the demo's seventh try,
    // whatever the timing of the burst limit; the rule column names it as export-quota#1.
    assertTrue(
        text.matches("(?s).*export:carol .* DENIED .*RATE_LIMITED .*export-quota#1 .*"), text);
    assertTrue(text.contains("Sluice is running."), text);
    assertTrue(io.err().contains("sluice local: stopped"));
    assertTrue(seconds < 90, "took " + seconds + " s");
  }
}
