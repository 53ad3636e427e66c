package dev.sluice.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.avro.AppliedRule;
import dev.sluice.avro.Decision;
import dev.sluice.avro.RateLimitAlgorithm;
import dev.sluice.avro.RateLimitRequest;
import dev.sluice.avro.Rule;
import dev.sluice.avro.RuleLimit;
import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Schema evolution, checked against each released snapshot (resources under {@code
 * dev/sluice/schema/released/}, which the codecs also read at run time) and every version in git
 * history. Which direction each record needs, and why:
 *
 * <table>
 *   <caption>Required compatibility per record</caption>
 *   <tr><th>record</th><th>new reads old (backward)</th><th>old reads new (forward)</th></tr>
 *   <tr><td>RateLimitRequest</td><td>required: new instances read requests of old clients, and
 *       old records still on the topic</td><td>required: old instances read requests of new
 *       clients during a rolling upgrade</td></tr>
 *   <tr><td>Decision</td><td>required: new clients read decisions of old instances</td>
 *       <td>required: old clients read decisions of new instances</td></tr>
 *   <tr><td>Rule</td><td>required: rules published before the upgrade stay readable</td>
 *       <td>only for rules in the top-level form: a pre-version-2 reader has {@code limit} and
 *       {@code windowSeconds} as plain longs, so it reads a rule with both set and skips {@code
 *       limits}, but cannot read a rule in the {@code limits} form (null top-level fields). The
 *       schema check reports exactly those two fields; every instance must be upgraded before
 *       limits-form rules are published.</td></tr>
 *   <tr><td>AppliedRule</td><td>required: the applied-rules store survives the upgrade</td>
 *       <td>as Rule, which it embeds ({@code limitGenerations} is skipped)</td></tr>
 * </table>
 *
 * <p>These are schema-resolution facts: they hold where the reader learns the writer's schema, as
 * the schema-registry wire format does (by id), in either upgrade order. A single-object reader
 * knows the writer only by fingerprint, and a release knows its own schemas and the released ones
 * before it, never a newer one; so {@link AvroCodec} writes requests, rules and applied rules in
 * the oldest released form that holds them ({@code AvroCodecTest} pins those bytes to a v1
 * writer's), decisions always in the current one, and single-object deployments upgrade clients
 * before the service (docs/DEPLOYMENT.md). An incompatible change fails the build; a compatible one
 * needs no action (add a snapshot when releasing, and list it in {@link AvroCodec#RELEASED}).
 */
class SchemaCompatibilityTest {
  private static final Map<String, Schema> CURRENT =
      Map.of(
          "Rule", Rule.getClassSchema(),
          "RateLimitRequest", RateLimitRequest.getClassSchema(),
          "Decision", Decision.getClassSchema(),
          "AppliedRule", AppliedRule.getClassSchema());

  static Stream<Arguments> previousVersions() throws IOException {
    List<Arguments> out = new ArrayList<>();
    for (String name : CURRENT.keySet()) {
      Path released = Path.of("src/main/resources/dev/sluice/schema/released");
      try (Stream<Path> dirs = Files.list(released)) {
        for (Path dir : dirs.sorted().toList()) {
          out.add(Arguments.of(name, dir.getFileName().toString(), parseWithDeps(dir, name)));
        }
      }
      for (String commit : gitCommitsTouching("src/main/avro/" + name + ".avsc")) {
        Schema old = gitSchema(commit, name);
        if (old != null) {
          out.add(Arguments.of(name, "git " + commit.substring(0, 8), old));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} reads data written by {1}")
  @MethodSource("previousVersions")
  void shouldReadDataWrittenByEveryPreviousVersion(String name, String version, Schema writer) {
    SchemaCompatibility.SchemaPairCompatibility result =
        SchemaCompatibility.checkReaderWriterCompatibility(CURRENT.get(name), writer);
    assertEquals(
        SchemaCompatibilityType.COMPATIBLE,
        result.getType(),
        () -> name + " cannot read data written by " + version + ": " + result.getDescription());
  }

  static Stream<Arguments> previousVersionsReadingNewData() throws IOException {
    return previousVersions().filter(a -> FORWARD.contains((String) a.get()[0]));
  }

  /** Records whose every earlier version must read data written by the current schema. */
  private static final Set<String> FORWARD = Set.of("RateLimitRequest", "Decision");

  @ParameterizedTest(name = "{0} of {1} reads data written by the current schema")
  @MethodSource("previousVersionsReadingNewData")
  void shouldLetEveryPreviousVersionReadDataWrittenByTheCurrentSchema(
      String name, String version, Schema reader) {
    SchemaCompatibility.SchemaPairCompatibility result =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, CURRENT.get(name));
    assertEquals(
        SchemaCompatibilityType.COMPATIBLE,
        result.getType(),
        () -> name + " of " + version + " cannot read current data: " + result.getDescription());
  }

  static Stream<Arguments> previousRuleVersions() throws IOException {
    return previousVersions().filter(a -> !FORWARD.contains((String) a.get()[0]));
  }

  @ParameterizedTest(name = "{0} of {1} reads current data except the limits form")
  @MethodSource("previousRuleVersions")
  void shouldLetEarlierRuleReadersFailOnlyOnTheNullableTopLevelFields(
      String name, String version, Schema reader) {
    // A pre-version-2 Rule has limit and windowSeconds as plain longs; a later one as unions.
    Schema readerRule = name.equals("Rule") ? reader : reader.getField("rule").schema();
    boolean preVersion2 = readerRule.getField("limit").schema().getType() == Schema.Type.LONG;
    String prefix = name.equals("Rule") ? "" : "/fields/0/type";
    Set<String> expected =
        preVersion2
            ? Set.of(
                prefix + "/fields/" + readerRule.getField("limit").pos() + "/type/0",
                prefix + "/fields/" + readerRule.getField("windowSeconds").pos() + "/type/0")
            : Set.of();
    Set<String> found = new TreeSet<>();
    for (SchemaCompatibility.Incompatibility i :
        SchemaCompatibility.checkReaderWriterCompatibility(reader, CURRENT.get(name))
            .getResult()
            .getIncompatibilities()) {
      found.add(i.getLocation());
    }
    assertEquals(expected, found, () -> name + " of " + version + " reading current data");
  }

  @Test
  void shouldLetAV1RuleReaderReadATopLevelFormRuleButNotALimitsFormRule() throws IOException {
    Schema v1 = ReleasedBytes.schema("v1", "Rule");
    Rule topLevel =
        Rule.newBuilder()
            .setId("r")
            .setKey("user:*")
            .setLimit(5L)
            .setWindowSeconds(60L)
            .setAlgorithm(RateLimitAlgorithm.TOKEN_BUCKET)
            .setPriority(3)
            .build();
    GenericRecord old = readAs(v1, topLevel);
    assertEquals("r", old.get("id").toString());
    assertEquals(5L, old.get("limit"));
    assertEquals(60L, old.get("windowSeconds"));
    assertEquals("TOKEN_BUCKET", old.get("algorithm").toString());
    assertEquals(3, old.get("priority"));

    Rule limitsForm =
        Rule.newBuilder()
            .setId("r")
            .setKey("user:*")
            .setLimits(List.of(new RuleLimit(5L, 60L, null)))
            .build();
    assertThrows(AvroTypeException.class, () -> readAs(v1, limitsForm));
  }

  @Test
  void shouldLetV1ReadersReadEveryCurrentRequestAndDecisionField() throws IOException {
    RateLimitRequest request =
        new RateLimitRequest("q", "k", Map.of("a", "b"), 0L, 2, "replies", 0L);
    GenericRecord r = readAs(ReleasedBytes.schema("v1", "RateLimitRequest"), request);
    assertEquals("q", r.get("id").toString());
    assertEquals(0L, r.get("cost"));
    assertEquals(2, r.get("replyPartition"));
    assertEquals("replies", r.get("replyTopic").toString());

    Decision decision =
        DecisionCodec.toAvro(
            new Verdict(
                "q", "k", false, Reason.RATE_LIMITED, "r", 9, 0, 700, 300, 0, 2, 55, true, null));
    GenericRecord d = readAs(ReleasedBytes.schema("v1", "Decision"), decision);
    assertEquals(false, d.get("allowed"));
    assertEquals("RATE_LIMITED", d.get("reason").toString());
    assertEquals(9L, d.get("limit"));
    assertEquals(300L, d.get("retryAfterMs"));
    assertEquals(55L, d.get("timestampMs"));
    assertEquals(true, d.get("shadow"));
  }

  /**
   * Writes {@code value} with the current schema (not through {@link AvroCodec}, which may pick an
   * older form), then reads it with {@code reader}, as a reader that knows the writer's schema.
   */
  private static <T extends SpecificRecord> GenericRecord readAs(Schema reader, T value)
      throws IOException {
    Schema writer = value.getSchema();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<T>(writer).write(value, enc);
    enc.flush();
    return new GenericDatumReader<GenericRecord>(writer, reader)
        .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
  }

  @Test
  void shouldListEveryReleasedSnapshotForTheCodecsToRead() throws IOException {
    try (Stream<Path> dirs = Files.list(Path.of("src/main/resources/dev/sluice/schema/released"))) {
      assertEquals(
          dirs.map(d -> d.getFileName().toString()).sorted().toList(),
          AvroCodec.RELEASED.stream().sorted().toList());
    }
    for (String version : AvroCodec.RELEASED) {
      for (String name : CURRENT.keySet()) {
        assertEquals(
            parseWithDeps(Path.of("src/main/resources/dev/sluice/schema/released", version), name),
            AvroCodec.releasedSchema(version, name));
      }
    }
  }

  @Test
  void shouldDetectAnIncompatibleChange() {
    // Guards the guard: a new required field without default cannot read old data.
    Schema old = Rule.getClassSchema();
    String json =
        old.toString()
            .replace("\"fields\":[", "\"fields\":[{\"name\":\"extra\",\"type\":\"long\"},");
    Schema broken = new Schema.Parser().parse(json);
    assertFalse(
        SchemaCompatibility.checkReaderWriterCompatibility(broken, old).getType()
            == SchemaCompatibilityType.COMPATIBLE);
  }

  private static Schema parseWithDeps(Path dir, String name) throws IOException {
    Schema.Parser parser = new Schema.Parser();
    for (String dep : List.of("RateLimitAlgorithm", "DecisionReason", "Rule")) {
      Path p = dir.resolve(dep + ".avsc");
      if (!dep.equals(name) && Files.exists(p)) {
        parser.parse(p.toFile());
      }
    }
    return parser.parse(dir.resolve(name + ".avsc").toFile());
  }

  private static List<String> gitCommitsTouching(String path) {
    String log = git("log", "--format=%H", "--", path);
    return log == null || log.isBlank() ? List.of() : List.of(log.trim().split("\\s+"));
  }

  private static Schema gitSchema(String commit, String name) {
    Schema.Parser parser = new Schema.Parser();
    for (String dep : List.of("RateLimitAlgorithm", "DecisionReason", "Rule")) {
      if (!dep.equals(name)) {
        String text = git("show", commit + ":./src/main/avro/" + dep + ".avsc");
        if (text != null) {
          parser.parse(text);
        }
      }
    }
    String text = git("show", commit + ":./src/main/avro/" + name + ".avsc");
    return text == null ? null : parser.parse(text);
  }

  private static String git(String... args) {
    List<String> cmd = new ArrayList<>(List.of("git"));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return null;
      }
      return out;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
