package dev.sluice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.topology.SluiceConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice acls}: the plan for a configuration's names, as a table or as commands. */
class AclsCommandTest {
  @TempDir Path tmp;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  private String run(String... args) {
    Io io =
        new Io(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            Map.of());
    assertEquals(0, AclsCommand.run(List.of(args), io));
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void shouldPrintTheStandardPlanWithoutAConfig() {
    assertEquals(AclPlan.standard(SluiceConfig.defaultConfig(), "sluice").toMarkdown(), run());
  }

  @Test
  void shouldFollowTheConfigsNamesAndPrincipals() throws IOException {
    Path config = tmp.resolve("acme.properties");
    Files.writeString(
        config,
        String.join(
            "\n",
            "bootstrap.servers=kafka.acme:9093",
            "application.id=acme-limiter",
            "sluice.topic.requests=acme.requests",
            "sluice.reply.topic.allowed.prefixes=acme.replies.",
            ""));
    String commands =
        run(
            "--config",
            config.toString(),
            "--commands",
            "--app-principal",
            "User:CN=limiter,OU=acme",
            "--client-reads-rules");
    assertTrue(
        commands.contains(
            "kafka-acls.sh --bootstrap-server kafka.acme:9093 --command-config"
                + " admin-client.properties --add --allow-principal User:CN=limiter,OU=acme"
                + " --operation Read --operation DescribeConfigs --resource-pattern-type literal"
                + " --topic acme.requests\n"),
        commands);
    assertTrue(commands.contains("--resource-pattern-type prefixed --topic acme.replies.\n"));
    assertTrue(commands.contains("--group acme-limiter\n"), commands);
    assertTrue(
        commands.contains(
            "User:sluice-client --operation Read --resource-pattern-type literal"
                + " --topic sluice.rules\n"),
        "--client-reads-rules grants the rules topic: " + commands);
  }

  @Test
  void shouldRefuseABarePrincipalName() {
    UsageException e =
        assertThrows(UsageException.class, () -> run("--app-principal", "sluice-app"));
    assertTrue(e.getMessage().contains("TYPE:NAME"), e.getMessage());
  }
}
