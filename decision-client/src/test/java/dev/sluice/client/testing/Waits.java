package dev.sluice.client.testing;

import dev.sluice.client.DecisionClient;
import dev.sluice.client.DecisionSource;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Bounded waits shared by the integration tests. */
public final class Waits {
  private Waits() {}

  /** Polls {@code condition} every 20 ms for up to 30 s; fails naming {@code what}. */
  public static void until(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(20);
    }
  }

  /**
   * Decides until {@code n} service decisions come in a row, for at most {@code seconds}; returns
   * the streak reached (so the caller asserts it equals {@code n}).
   */
  public static int serviceDecisionsInARow(DecisionClient client, int n, int seconds)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    int streak = 0;
    while (streak < n && System.nanoTime() < deadline) {
      if (client.decide("k", Map.of(), 1).source() == DecisionSource.SERVICE) {
        streak++;
      } else {
        streak = 0;
        Thread.sleep(50);
      }
    }
    return streak;
  }
}
