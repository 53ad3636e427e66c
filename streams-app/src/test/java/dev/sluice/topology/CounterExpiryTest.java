package dev.sluice.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The idle-counter sweep keeps {@code sluice-counters} bounded by the keys in use. */
class CounterExpiryTest {
  @TempDir Path dir;

  private static TopologyFixture fixture(Path dir, int batch) {
    Properties p = new Properties();
    p.setProperty(SluiceConfig.EXPIRY_INTERVAL_MS, "1000");
    p.setProperty(SluiceConfig.EXPIRY_GRACE_MS, "0");
    p.setProperty(SluiceConfig.EXPIRY_BATCH_SIZE, Integer.toString(batch));
    return new TopologyFixture(dir, p);
  }

  @Test
  void shouldShrinkTheStoreIncrementallyOnceCountersAreIdle() {
    try (TopologyFixture f = fixture(dir, 2)) {
      f.rule(
          "fw",
          "{\"id\":\"fw\",\"key\":\"*\",\"limit\":5,\"windowSeconds\":1,"
              + "\"algorithm\":\"FIXED_WINDOW\"}");
      for (int i = 0; i < 5; i++) {
        f.request("q" + i, "user:" + i, 1, 0);
      }
      f.request("late", "late", 1, 10_000_000);
      assertEquals(6, f.counterCount());
      long before = 6;
      for (int sweep = 0; sweep < 4; sweep++) {
        f.advanceWallClock(Duration.ofMillis(1000));
        long now = f.counterCount();
        assertTrue(before - now <= 2, "a sweep examines at most batch.size entries");
        before = now;
      }
      assertEquals(1, f.counterCount(), "only the counter still in use is left");
      TestOutputTopic<byte[], byte[]> changelog =
          f.driver.createOutputTopic(
              "sluice-test-" + RateLimiterTopology.COUNTERS_STORE + "-changelog",
              new ByteArrayDeserializer(),
              new ByteArrayDeserializer());
      long tombstones =
          changelog.readRecordsToList().stream().filter(r -> r.value() == null).count();
      assertEquals(5, tombstones, "every expiry reaches the changelog");
    }
  }

  @Test
  void shouldKeepCountersThatAreNotIdleYet() {
    try (TopologyFixture f = fixture(dir, 100)) {
      f.rule(
          "fw",
          "{\"id\":\"fw\",\"key\":\"*\",\"limit\":5,\"windowSeconds\":3600,"
              + "\"algorithm\":\"FIXED_WINDOW\"}");
      f.request("a", "a", 1, 0);
      f.request("b", "b", 1, 1000);
      f.advanceWallClock(Duration.ofMillis(5000));
      assertEquals(2, f.counterCount());
    }
  }
}
