package dev.sluice.core.rule;

import dev.sluice.core.Algorithm;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;

/**
 * A validated rate-limit rule (SPEC section 1), immutable. Build one only through {@link
 * RuleValidator}, which checks every constraint; the constructor re-checks nothing but nulls.
 *
 * @param id unique id
 * @param key exact key, or a prefix pattern ending in {@code *}
 * @param limit permits per window
 * @param windowSeconds window length in seconds
 * @param priority higher wins
 * @param metadata constraints, sorted by key, unmodifiable; a value of {@code *} requires the key
 *     with any value and splits counters by that value
 * @param algorithm the counting algorithm (defaults already applied)
 * @param shadow shadow mode
 * @param generation counter generation (SPEC 4): counters written under another generation start
 *     fresh. 0 for a rule that was validated but never published.
 */
public record LimitRule(
    String id,
    String key,
    long limit,
    long windowSeconds,
    int priority,
    SortedMap<String, String> metadata,
    Algorithm algorithm,
    boolean shadow,
    long generation) {

  /** The metadata value meaning "any value, one counter per value". */
  public static final String ANY_VALUE = "*";

  public LimitRule {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(algorithm, "algorithm");
  }

  /** True when {@link #key()} is a prefix pattern (ends in {@code *}). */
  public boolean isPrefixPattern() {
    return key.endsWith("*");
  }

  /**
   * The prefix a pattern matches ({@code key} without its final {@code *}); the key itself if
   * exact.
   */
  public String prefix() {
    return isPrefixPattern() ? key.substring(0, key.length() - 1) : key;
  }

  /** Window length in milliseconds. */
  public long windowMillis() {
    return windowSeconds * 1000L;
  }

  /** The same rule under another counter generation. */
  public LimitRule withGeneration(long newGeneration) {
    return new LimitRule(
        id, key, limit, windowSeconds, priority, metadata, algorithm, shadow, newGeneration);
  }

  /**
   * True when a request with {@code requestKey} and {@code requestMetadata} satisfies this rule
   * (SPEC 3): the key matches exactly or by prefix, and every metadata constraint holds.
   */
  public boolean matches(String requestKey, Map<String, String> requestMetadata) {
    if (isPrefixPattern()) {
      if (!requestKey.startsWith(key.substring(0, key.length() - 1))) {
        return false;
      }
    } else if (!requestKey.equals(key)) {
      return false;
    }
    for (Map.Entry<String, String> c : metadata.entrySet()) {
      String v = requestMetadata.get(c.getKey());
      if (v == null || (!ANY_VALUE.equals(c.getValue()) && !c.getValue().equals(v))) {
        return false;
      }
    }
    return true;
  }

  /** Keys whose constraint is {@code *}, in sorted order: their request values split counters. */
  public List<String> wildcardMetadataKeys() {
    return metadata.entrySet().stream()
        .filter(e -> ANY_VALUE.equals(e.getValue()))
        .map(Map.Entry::getKey)
        .toList();
  }

  /**
   * True when a change from {@code previous} to this rule keeps counters (same algorithm and
   * window).
   */
  public boolean keepsCountersOf(LimitRule previous) {
    return previous.algorithm == algorithm && previous.windowSeconds == windowSeconds;
  }
}
