package dev.sluice.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.sluice.avro.AppliedRule;
import dev.sluice.avro.Decision;
import dev.sluice.avro.RateLimitRequest;
import dev.sluice.avro.Rule;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every schema must read data written by every earlier version of itself: each released snapshot
 * under {@code src/main/resources/dev/sluice/schema/released/} and every version in git history. An
 * incompatible change fails the build; a compatible one needs no action (add a snapshot when
 * releasing).
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
