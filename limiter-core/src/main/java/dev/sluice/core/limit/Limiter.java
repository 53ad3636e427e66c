package dev.sluice.core.limit;

import dev.sluice.core.Verdict;
import dev.sluice.core.rule.LimitRule;
import java.util.Map;

/**
 * Applies a rule to one request against its counter (SPEC 4 and 5). Pure: the stored counter
 * comes in as bytes and the new counter goes out as bytes.
 */
public final class Limiter {
  private Limiter() {}

  /**
   * The result of one evaluation.
   *
   * @param counter the counter to store (never null: a denied first request creates it too)
   * @param verdict the decision
   */
  public record Evaluation(byte[] counter, Verdict verdict) {}

  /** The counter identity of SPEC 4 as bytes: rule id, request key, the "*" metadata values. */
  public static byte[] counterKey(LimitRule rule, String requestKey, Map<String, String> metadata) {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * Evaluates a valid request ({@code cost >= 1}, {@code timeMs >= 0}) under {@code rule}.
   *
   * @param stored the counter bytes last returned for this counter key, or null when none
   */
  public static Evaluation evaluate(
      LimitRule rule, byte[] stored, String requestId, String key, long cost, long timeMs) {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * The time from which a stored counter is idle: a fresh counter would decide every later
   * request as this one does. A store may drop the counter once its time passes this.
   */
  public static long idleAfterMs(byte[] counter) {
    throw new UnsupportedOperationException("TODO");
  }
}
