package dev.sluice.app;

import dev.sluice.core.Reason;
import dev.sluice.topology.DeadLetters;
import dev.sluice.topology.DecisionMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The topology's {@link DecisionMetrics} as Micrometer meters (rendered by {@code /metrics}):
 *
 * <ul>
 *   <li>{@code sluice_decisions_total{reason, ruleId}}: decisions emitted by this instance; {@code
 *       ruleId="none"} when no rule applied;
 *   <li>{@code sluice_dead_letters_total{stage}}: records sent to the dead-letter topic, stage
 *       {@code deserialization}, {@code processing} or {@code rule-validator};
 *   <li>{@code sluice_decision_latency_seconds} (histogram): wall clock at emission minus the
 *       request's record timestamp.
 * </ul>
 *
 * <p>Bound: the {@code ruleId} label takes at most {@value #MAX_RULE_TAGS} distinct rule ids
 * (default {@value #DEFAULT_MAX_RULE_TAGS}); decisions of further rules are counted under {@code
 * ruleId="_other"}. A rule id's series are removed when the rule is deleted, which frees its slot,
 * so the series count is at most 4 reasons x (cap + 2). Thread-safe.
 */
final class MicrometerDecisionMetrics implements DecisionMetrics {
  /** Most distinct rule ids used as {@code ruleId} label values. */
  static final String MAX_RULE_TAGS = "sluice.metrics.max-rule-tags";

  /** Default of {@link #MAX_RULE_TAGS}. */
  static final int DEFAULT_MAX_RULE_TAGS = 1000;

  /** The label value of decisions of rules beyond the cap. */
  static final String OTHER = "_other";

  /** The label value of decisions no rule applied to. */
  static final String NONE_RULE = "none";

  private final MeterRegistry registry;
  private final int maxRuleTags;
  private final Map<String, Map<Reason, Counter>> byRule = new ConcurrentHashMap<>();
  private final Map<DeadLetters.Stage, Counter> deadLetters =
      new EnumMap<>(DeadLetters.Stage.class);
  private final Map<Reason, Counter> noRule;
  private final Map<Reason, Counter> other;
  private final Timer latency;

  MicrometerDecisionMetrics(MeterRegistry registry, int maxRuleTags) {
    this.registry = registry;
    this.maxRuleTags = maxRuleTags;
    for (DeadLetters.Stage stage : DeadLetters.Stage.values()) {
      deadLetters.put(
          stage,
          Counter.builder("sluice.dead.letters")
              .description("Records this instance sent to the dead-letter topic")
              .tag("stage", stage.header())
              .register(registry));
    }
    this.latency =
        Timer.builder("sluice.decision.latency")
            .description(
                "Wall clock at emission minus the request's record timestamp (broker append time)")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);
    // Created up front, so dashboards see zeros rather than gaps. Kept apart from byRule and never
    // removed: a rule may itself be called "none" or "_other"; its decisions then add up here.
    this.noRule = register(NONE_RULE);
    this.other = register(OTHER);
  }

  /**
   * Reads {@link #MAX_RULE_TAGS} from Sluice's delegated settings.
   *
   * @throws IllegalArgumentException naming the key when the value is not an integer 0 to
   *     1,000,000, or for another unknown {@code sluice.metrics.*} key
   */
  static int maxRuleTags(Map<String, String> delegated) {
    for (String key : delegated.keySet()) {
      if (key.startsWith("sluice.metrics.") && !key.equals(MAX_RULE_TAGS)) {
        throw new IllegalArgumentException(
            key + ": unknown Sluice setting (known under sluice.metrics.: " + MAX_RULE_TAGS + ")");
      }
    }
    String v = delegated.get(MAX_RULE_TAGS);
    if (v == null || v.isBlank()) {
      return DEFAULT_MAX_RULE_TAGS;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= 0 && n <= 1_000_000) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        MAX_RULE_TAGS + ": must be an integer 0 to 1000000 (got \"" + v + "\")");
  }

  @Override
  public void decided(Reason reason, String ruleId, long latencyMs) {
    counters(ruleId).get(reason).increment();
    latency.record(Math.max(0, latencyMs), TimeUnit.MILLISECONDS);
  }

  @Override
  public void ruleRemoved(String ruleId) {
    if (ruleId == null) {
      return;
    }
    Map<Reason, Counter> gone = byRule.remove(ruleId);
    if (gone != null) {
      gone.values().forEach(registry::remove);
    }
  }

  @Override
  public void deadLettered(DeadLetters.Stage stage) {
    deadLetters.get(stage).increment();
  }

  /** Rule ids with their own label value now (for tests). */
  int ruleTags() {
    return byRule.size();
  }

  private Map<Reason, Counter> counters(String ruleId) {
    if (ruleId == null || ruleId.equals(NONE_RULE)) {
      return noRule;
    }
    if (ruleId.equals(OTHER)) {
      return other;
    }
    Map<Reason, Counter> existing = byRule.get(ruleId);
    if (existing != null) {
      return existing;
    }
    // The cap is checked without a lock, so concurrent first decisions of new rules may overshoot
    // it by at most the number of stream threads; that keeps the hot path lock-free.
    if (byRule.size() >= maxRuleTags) {
      return other;
    }
    return byRule.computeIfAbsent(ruleId, this::register);
  }

  private Map<Reason, Counter> register(String tag) {
    Map<Reason, Counter> m = new EnumMap<>(Reason.class);
    for (Reason r : Reason.values()) {
      m.put(
          r,
          Counter.builder("sluice.decisions")
              .description("Decisions this instance emitted, by reason and applied rule")
              .tag("reason", r.name().toUpperCase(Locale.ROOT))
              .tag("ruleId", tag)
              .register(registry));
    }
    return m;
  }
}
