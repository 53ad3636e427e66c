package dev.sluice.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice bench --targets redis,redis-aof}: a short run of both against the redis-server the
 * bench starts. Skipped, saying so, only when redis-server is not installed ({@code .ci/run}
 * installs it).
 */
class RedisTargetIntegrationTest {
  @TempDir Path dir;

  @Test
  void shouldAnswerEveryCheckOfEveryStepOnBothRedisTargets() throws Exception {
    assumeTrue(
        RedisServer.binary() != null,
        "redis-server is not installed; the redis targets need it: " + RedisServer.INSTALL);
    Path out = dir.resolve("run");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    int status;
    try (PrintStream err = new PrintStream(log, true, StandardCharsets.UTF_8)) {
      status =
          BenchMain.run(
              List.of(
                  "--targets", "redis,redis-aof",
                  "--rates", "1000,max",
                  "--duration-per-step", "2",
                  "--warmup", "0",
                  "--jit-warmup", "0",
                  "--drain", "5",
                  "--max-in-flight", "500",
                  "--keys", "1000",
                  "--out", out.toString()),
              err,
              err);
    }
    String console = log.toString(StandardCharsets.UTF_8);
    assertEquals(0, status, console);
    JsonNode root = new ObjectMapper().readTree(Files.readString(out.resolve("results.json")));
    Set<String> seen = new HashSet<>();
    for (JsonNode step : root.get("steps")) {
      String target = step.get("target").asText();
      seen.add(target + " " + step.get("rate").asText());
      assertTrue(step.get("sent").asLong() > 0, target + ": sent nothing");
      assertEquals(
          step.get("sent").asLong(),
          step.get("replies").asLong(),
          target + " " + step.get("rate").asText() + ": a reply for every check");
    }
    assertEquals(
        Set.of("redis 1000/s", "redis max", "redis-aof 1000/s", "redis-aof max"), seen, console);
    assertEquals(0, root.get("run").get("redisFailedCalls").asLong(), console);
    assertEquals(0, root.get("run").get("redis-aofFailedCalls").asLong(), console);
    assertTrue(
        Files.exists(out.resolve("latency.svg")), "the run's plot is written like any other");
  }
}
