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

  /**
   * Creates a rule without checking ranges: only {@link RuleValidator} should call this.
   *
   * @param id unique id; not null
   * @param key exact key or prefix pattern; not null
   * @param limit permits per window
   * @param windowSeconds window length in seconds
   * @param priority higher wins
   * @param metadata constraints, sorted by key; not null, kept as given (pass an unmodifiable map)
   * @param algorithm the counting algorithm; not null
   * @param shadow shadow mode
   * @param generation counter generation, 0 when never published
   * @throws NullPointerException when {@code id}, {@code key}, {@code metadata} or {@code
   *     algorithm} is null
   */
  public LimitRule {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(algorithm, "algorithm");
  }

  /**
   * Whether the key is a prefix pattern.
   *
   * @return true when {@link #key()} ends in {@code *}
   */
  public boolean isPrefixPattern() {
    return key.endsWith("*");
  }

  /**
   * The prefix a pattern matches.
   *
   * @return {@code key} without its final {@code *} (empty for the pattern {@code *}); the key
   *     itself if exact
   */
  public String prefix() {
    return isPrefixPattern() ? key.substring(0, key.length() - 1) : key;
  }

  /**
   * The window length W of SPEC 5.
   *
   * @return {@code windowSeconds * 1000}, in milliseconds (at most 2,678,400,000 for a valid rule)
   */
  public long windowMillis() {
    return windowSeconds * 1000L;
  }

  /**
   * The same rule under another counter generation.
   *
   * @param newGeneration the generation of the copy
   * @return a copy of this rule with {@code generation = newGeneration}
   */
  public LimitRule withGeneration(long newGeneration) {
    return new LimitRule(
        id, key, limit, windowSeconds, priority, metadata, algorithm, shadow, newGeneration);
  }

  /**
   * True when a request with {@code requestKey} and {@code requestMetadata} satisfies this rule
   * (SPEC 3): the key matches exactly or by prefix, and every metadata constraint holds.
   *
   * @param requestKey the request's key; not null
   * @param requestMetadata the request's metadata; not null, may be empty
   * @return whether this rule matches the request
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

  /**
   * The metadata keys whose request values split counters (SPEC 4).
   *
   * @return the keys whose constraint is {@code *}, in sorted order; empty when there are none
   */
  public List<String> wildcardMetadataKeys() {
    return metadata.entrySet().stream()
        .filter(e -> ANY_VALUE.equals(e.getValue()))
        .map(Map.Entry::getKey)
        .toList();
  }

  /**
   * Whether a change from {@code previous} to this rule keeps counters (SPEC 4).
   *
   * @param previous the version this rule replaces; not null
   * @return true when the algorithm and the window length are unchanged
   */
  public boolean keepsCountersOf(LimitRule previous) {
    return previous.algorithm == algorithm && previous.windowSeconds == windowSeconds;
  }
}
