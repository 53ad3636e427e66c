package dev.sluice.topology;

import dev.sluice.core.Reason;
import java.util.Map;

/**
 * What the topology reports about its work, for an application to turn into metrics. The topology
 * calls it and knows nothing of any metrics library: {@code dev.sluice.app} implements it with
 * Micrometer; {@link #NONE} (the default of {@link RateLimiterTopology#build(SluiceConfig)})
 * ignores everything.
 *
 * <p>Calls come from stream threads and the global thread concurrently, once per record: an
 * implementation must be thread-safe and cheap (no I/O, no locks held for long).
 *
 * <p>The dead-letter handlers are created by Kafka Streams from class names, so they cannot be
 * handed an instance through the topology; they find it in their configs under {@link
 * #HANDLER_CONFIG} (see {@link #fromConfigs}).
 */
public interface DecisionMetrics {
  /** Ignores every call. */
  DecisionMetrics NONE = new DecisionMetrics() {};

  /**
   * The Streams properties key under which an application puts its instance (an object value, not a
   * string) so that the dead-letter handlers report to it. Not a Sluice setting.
   */
  String HANDLER_CONFIG = "sluice.internal.decision-metrics";

  /**
   * One decision was emitted.
   *
   * @param reason its reason
   * @param ruleId the applied rule, or null (no match, invalid request)
   * @param latencyMs wall-clock time at emission minus the request's record timestamp (broker
   *     append time in production); may be negative when clocks disagree
   */
  default void decided(Reason reason, String ruleId, long latencyMs) {}

  /** Rule {@code ruleId} left this instance's rule store (deleted): forget what is kept for it. */
  default void ruleRemoved(String ruleId) {}

  /** A record went to the dead-letter topic at {@code stage}. */
  default void deadLettered(DeadLetters.Stage stage) {}

  /** The instance under {@link #HANDLER_CONFIG} in handler configs, or {@link #NONE}. */
  static DecisionMetrics fromConfigs(Map<String, ?> configs) {
    return configs.get(HANDLER_CONFIG) instanceof DecisionMetrics m ? m : NONE;
  }
}
