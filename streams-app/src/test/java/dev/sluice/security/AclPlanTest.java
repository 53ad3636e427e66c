package dev.sluice.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.app.AclPlan;
import dev.sluice.app.AclPlan.ClientAccess;
import dev.sluice.app.AclPlan.Grant;
import dev.sluice.topology.SluiceConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/**
 * The ACL plan: what each role gets, that names follow the configuration, and that docs/SECURITY.md
 * shows exactly the code's plan (regenerate the tables with {@code -Dsluice.docs.regenerate=true}).
 */
class AclPlanTest {
  private static final Path DOC = Path.of("..", "docs", "SECURITY.md");
  private static final String HOW_TO_REGENERATE =
      "docs/SECURITY.md differs from AclPlan. If the plan change is intended, regenerate with\n"
          + "  mvn -B -o -pl streams-app -am test -Dsluice.docs.regenerate=true"
          + " -Dtest=AclPlanTest -Dsurefire.failIfNoSpecifiedTests=false\n"
          + "and commit the doc with the change.";

  private static final String APP = AclPlan.principal(AclPlan.APP_USER);
  private static final String ADMIN = AclPlan.principal(AclPlan.ADMIN_USER);
  private static final String CLIENT = AclPlan.principal(AclPlan.CLIENT_USER);

  /** The generated blocks of docs/SECURITY.md, by marker name. */
  static Map<String, String> documentedBlocks() {
    SluiceConfig defaults = SluiceConfig.defaultConfig();
    AclPlan standard = AclPlan.standard(defaults, "sluice");
    SluiceConfig withTenants =
        SecureCluster.sluiceConfig(Map.of(SluiceConfig.REPLY_TOPIC_PREFIXES, "sluice.decisions."));
    AclPlan tenants =
        AclPlan.standard(withTenants, "sluice")
            .with(
                AclPlan.client(
                    AclPlan.principal("tenant-a"),
                    ClientAccess.tenant(withTenants, "sluice.decisions.tenant-a.", "tenant-a.")));
    return Map.of(
        "acl-plan",
        standard.toMarkdown(),
        "acl-plan-tenants",
        tenants.minus(standard).toMarkdown(),
        "acl-plan-commands",
        "```sh\n" + standard.toKafkaAclsCommands("BROKER:9093") + "```\n");
  }

  @Test
  void securityDocShouldListExactlyTheCodesPlan() throws IOException {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    String expected = doc;
    for (Map.Entry<String, String> block : documentedBlocks().entrySet()) {
      expected = replaceBlock(expected, block.getKey(), block.getValue());
    }
    if (Boolean.getBoolean("sluice.docs.regenerate")) {
      Files.writeString(DOC, expected, StandardCharsets.UTF_8);
      doc = expected;
    }
    assertEquals(expected, doc, HOW_TO_REGENERATE);
  }

  private static String replaceBlock(String doc, String name, String content) {
    String begin = "<!-- " + name + ":begin";
    String end = "<!-- " + name + ":end -->";
    int b = doc.indexOf(begin);
    int e = doc.indexOf(end);
    assertTrue(b >= 0 && e > b, "docs/SECURITY.md lacks the markers of block " + name);
    int afterBegin = doc.indexOf("-->", b) + "-->".length() + 1;
    return doc.substring(0, afterBegin) + content + doc.substring(e);
  }

  @Test
  void standardPlanShouldGiveEachRoleOnlyWhatItUses() {
    AclPlan plan = AclPlan.standard(SluiceConfig.defaultConfig(), "sluice");
    assertEquals(
        Set.of(
            "TOPIC sluice.rules LITERAL [READ, DESCRIBE_CONFIGS]",
            "TOPIC sluice.rules-applied LITERAL [READ, WRITE, DESCRIBE_CONFIGS]",
            "TOPIC sluice.requests LITERAL [READ, DESCRIBE_CONFIGS]",
            "TOPIC sluice.decisions LITERAL [WRITE]",
            "TOPIC sluice.dead-letters LITERAL [WRITE]",
            "TOPIC sluice- PREFIXED [READ, WRITE, CREATE]",
            "GROUP sluice LITERAL [READ]",
            "TRANSACTIONAL_ID sluice- PREFIXED [WRITE]"),
        of(plan, APP));
    assertEquals(
        Set.of(
            "TOPIC sluice.rules LITERAL [READ, WRITE]",
            "TOPIC sluice.rules-applied LITERAL [READ]"),
        of(plan, ADMIN));
    assertEquals(
        Set.of(
            "TOPIC sluice.requests LITERAL [WRITE]",
            "TOPIC sluice.decisions LITERAL [READ]",
            "GROUP sluice-client PREFIXED [READ]"),
        of(plan, CLIENT));
    assertTrue(
        plan.grants().stream().noneMatch(g -> g.resourceType() == ResourceType.CLUSTER),
        "no cluster-wide permission");
    assertEquals(
        plan.grants().stream().mapToInt(g -> g.operations().size()).sum(), plan.bindings().size());
  }

  @Test
  void planShouldFollowTheConfiguredNames() {
    SluiceConfig config =
        SecureCluster.sluiceConfig(
            Map.of(
                SluiceConfig.TOPIC_RULES, "acme.rules",
                SluiceConfig.TOPIC_REQUESTS, "acme.requests",
                SluiceConfig.REPLY_TOPIC_PREFIXES, "acme.replies.,other."));
    AclPlan plan = AclPlan.standard(config, "acme-limiter");
    Set<String> app = of(plan, APP);
    assertTrue(app.contains("TOPIC acme.rules LITERAL [READ, DESCRIBE_CONFIGS]"), app.toString());
    assertTrue(
        app.contains("TOPIC acme.requests LITERAL [READ, DESCRIBE_CONFIGS]"), app.toString());
    assertTrue(app.contains("TOPIC acme.replies. PREFIXED [WRITE]"), app.toString());
    assertTrue(app.contains("TOPIC other. PREFIXED [WRITE]"), app.toString());
    assertTrue(app.contains("GROUP acme-limiter LITERAL [READ]"), app.toString());
    assertTrue(app.contains("TOPIC acme-limiter- PREFIXED [READ, WRITE, CREATE]"), app.toString());
    assertTrue(app.contains("TRANSACTIONAL_ID acme-limiter- PREFIXED [WRITE]"), app.toString());
    assertTrue(of(plan, ADMIN).contains("TOPIC acme.rules LITERAL [READ, WRITE]"));
    assertTrue(of(plan, CLIENT).contains("TOPIC acme.requests LITERAL [WRITE]"));
  }

  @Test
  void clientShouldReadRulesOnlyWithLocalFallback() {
    SluiceConfig config = SluiceConfig.defaultConfig();
    Set<String> without =
        of(AclPlan.of(AclPlan.client(CLIENT, ClientAccess.standard(config, false))), CLIENT);
    Set<String> with =
        of(AclPlan.of(AclPlan.client(CLIENT, ClientAccess.standard(config, true))), CLIENT);
    assertFalse(without.stream().anyMatch(g -> g.contains("sluice.rules")), without.toString());
    assertEquals(
        Set.of("TOPIC sluice.rules LITERAL [READ]"),
        with.stream().filter(g -> !without.contains(g)).collect(Collectors.toSet()));
  }

  @Test
  void tenantShouldReadOnlyUnderItsOwnPrefix() {
    SluiceConfig config =
        SecureCluster.sluiceConfig(Map.of(SluiceConfig.REPLY_TOPIC_PREFIXES, "sluice.decisions."));
    Set<String> tenant =
        of(
            AclPlan.of(
                AclPlan.client(
                    "User:tenant-a",
                    ClientAccess.tenant(config, "sluice.decisions.tenant-a.", "tenant-a."))),
            "User:tenant-a");
    assertEquals(
        Set.of(
            "TOPIC sluice.requests LITERAL [WRITE]",
            "TOPIC sluice.decisions.tenant-a. PREFIXED [READ]",
            "GROUP tenant-a. PREFIXED [READ]"),
        tenant);
  }

  @Test
  void kafkaAclsCommandsShouldSpellOperationsAsTheToolDoes() {
    String commands =
        AclPlan.standard(SluiceConfig.defaultConfig(), "sluice").toKafkaAclsCommands("b:9093");
    assertTrue(
        commands.contains(
            "--allow-principal User:sluice-app --operation Read --operation DescribeConfigs"
                + " --resource-pattern-type literal --topic sluice.rules\n"),
        commands);
    assertTrue(
        commands.contains(
            "--operation Write --resource-pattern-type prefixed" + " --transactional-id sluice-\n"),
        commands);
    assertEquals(
        AclPlan.standard(SluiceConfig.defaultConfig(), "sluice").grants().size(),
        commands.lines().count());
  }

  @Test
  void grantShouldRefuseWhatKafkaCannotMatchExactly() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new Grant(
                APP,
                ResourceType.TOPIC,
                "t",
                PatternType.MATCH,
                EnumSet.of(AclOperation.READ),
                "why"));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new Grant(
                APP,
                ResourceType.TOPIC,
                "t",
                PatternType.LITERAL,
                EnumSet.noneOf(AclOperation.class),
                "why"));
  }

  /** A principal's grants as {@code TYPE name PATTERN [OPS]}. */
  private static Set<String> of(AclPlan plan, String principal) {
    List<Grant> grants =
        plan.grants().stream().filter(g -> g.principal().equals(principal)).toList();
    return grants.stream()
        .map(g -> g.resourceType() + " " + g.name() + " " + g.patternType() + " " + g.operations())
        .collect(Collectors.toSet());
  }
}
