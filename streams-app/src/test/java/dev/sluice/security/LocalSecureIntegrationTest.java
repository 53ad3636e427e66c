package dev.sluice.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.app.AclPlan;
import dev.sluice.app.CapturedIo;
import dev.sluice.app.CheckCommand;
import dev.sluice.app.Io;
import dev.sluice.app.LocalCommand;
import dev.sluice.app.RulesCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

/**
 * {@code sluice local --secure} end to end: the demo runs through the three principals, and the
 * client configs it prints work with {@code check} and {@code rules} while it runs, each only for
 * what its principal may do.
 */
class LocalSecureIntegrationTest {
  private static final Pattern CONFIG_LINE =
      Pattern.compile("^ {4}(sluice-[a-z]+) +(/\\S+\\.properties)$", Pattern.MULTILINE);

  @Test
  void secureDemoShouldRunAsThreePrincipalsAndPrintWorkingConfigs() throws Exception {
    CapturedIo io = new CapturedIo();
    CompletableFuture<Integer> local = new CompletableFuture<>();
    // A generous --duration only bounds a failed test: the test interrupts `local` once done,
    // which stops it the way Ctrl-C does (everything closed, the temporary directory deleted).
    Thread thread =
        new Thread(
            () -> {
              try {
                local.complete(
                    LocalCommand.run(
                        List.of(
                            "--secure",
                            "--duration",
                            "180",
                            "--port",
                            "0",
                            "--http-port",
                            "0",
                            "--rules",
                            "../examples/rules.json"),
                        io.io()));
              } catch (Throwable t) {
                local.completeExceptionally(t);
              }
            },
            "sluice-local-under-test");
    thread.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!io.out().contains("Press Ctrl-C") && !io.out().contains("Stopping after")) {
      assertFalse(local.isDone(), () -> "local ended early: " + io.err());
      assertTrue(System.nanoTime() < deadline, () -> "local not running: " + io.out() + io.err());
      Thread.sleep(200);
    }
    String text = io.out();
    assertTrue(text.matches("(?s).*login:alice .* DENIED .*RATE_LIMITED .*login-per-user.*"), text);
    assertTrue(text.contains("SASL/SCRAM-SHA-512, StandardAuthorizer"), text);

    Map<String, Path> configs = new LinkedHashMap<>();
    Matcher m = CONFIG_LINE.matcher(text);
    while (m.find()) {
      configs.put(m.group(1), Path.of(m.group(2)));
    }
    assertEquals(
        List.of(AclPlan.APP_USER, AclPlan.ADMIN_USER, AclPlan.CLIENT_USER),
        List.copyOf(configs.keySet()),
        text);
    for (Path file : configs.values()) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }
    String client = configs.get(AclPlan.CLIENT_USER).toString();
    String admin = configs.get(AclPlan.ADMIN_USER).toString();

    ByteArrayOutputStream cliOut = new ByteArrayOutputStream();
    Io cli =
        new Io(
            new PrintStream(cliOut, true, StandardCharsets.UTF_8),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            Map.of());
    assertEquals(
        0, CheckCommand.run(List.of("--key", "login:alice", "--json", "--config", client), cli));
    String decision = cliOut.toString(StandardCharsets.UTF_8);
    assertTrue(decision.contains("\"ruleId\":\"login-per-user\""), decision);
    assertTrue(decision.contains("\"source\":\"SERVICE\""), decision);
    assertEquals(0, RulesCommand.run(List.of("list", "--config", admin), cli));
    assertTrue(cliOut.toString(StandardCharsets.UTF_8).contains("login-per-user"));
    // The client's config cannot touch the rules.
    assertThrows(
        TopicAuthorizationException.class,
        () -> RulesCommand.run(List.of("delete", "login-per-user", "--config", client), cli));

    thread.interrupt();
    ExecutionException stopped =
        assertThrows(ExecutionException.class, () -> local.get(60, TimeUnit.SECONDS));
    assertTrue(stopped.getCause() instanceof InterruptedException, String.valueOf(stopped));
    assertTrue(io.err().contains("sluice local: stopped"));
    for (Path file : configs.values()) {
      assertFalse(Files.exists(file), "left behind: " + file);
    }
  }
}
