package dev.sluice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SluiceMainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) throws Exception {
    return SluiceMain.dispatch(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void shouldPrintUsageAndExitTwoWithoutCommand() throws Exception {
    assertEquals(2, run());
    assertTrue(err().contains("usage: sluice <command>"), err());
  }

  @Test
  void shouldPrintUsageOnHelp() throws Exception {
    assertEquals(0, run("--help"));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("rules validate FILE"));
  }

  @Test
  void shouldPrintACommandsOwnUsageOnItsHelpFlag() throws Exception {
    assertEquals(0, run("check", "--help"));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("usage: sluice check --key K"));
    assertEquals("", err());

    out.reset();
    assertEquals(0, run("rules", "apply", "-h"));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("rules apply"));
  }

  @Test
  void shouldRejectUnknownCommand() throws Exception {
    assertEquals(2, run("launch"));
    assertTrue(err().contains("unknown command 'launch'"), err());
  }

  @Test
  void shouldPrintCommandUsageOnBadArguments() throws Exception {
    assertEquals(2, run("check", "--cost", "2"));
    assertTrue(err().contains("sluice check: check needs --key K"), err());
    assertTrue(err().contains("usage: sluice check --key K"), err());

    err.reset();
    assertEquals(2, run("rules", "frobnicate"));
    assertTrue(err().contains("unknown rules subcommand 'frobnicate'"), err());

    err.reset();
    assertEquals(2, run("run"));
    assertTrue(err().contains("run needs --config FILE"), err());

    err.reset();
    assertEquals(2, run("local", "--duration", "soon"));
    assertTrue(err().contains("--duration must be a whole number (got 'soon')"), err());
  }

  @Test
  void shouldFailWithAClearMessageForAMissingConfigFile() throws Exception {
    assertEquals(1, run("run", "--config", "does-not-exist.properties"));
    assertTrue(
        err().contains("sluice run: config file does-not-exist.properties does not exist"), err());
  }

  @Test
  void benchShouldSayHowToRunItWhenTheBenchmarksAreNotOnTheClasspath() throws Exception {
    assertEquals(2, run("bench"));
    assertTrue(err().contains("bin/sluice bench"), err());
  }
}
