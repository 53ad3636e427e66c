package dev.sluice.core.rule;

import dev.sluice.core.Algorithm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;

/**
 * A validated rate-limit rule (SPEC section 1), immutable. Build one only through {@link
 * RuleValidator}, which checks every constraint; the constructor re-checks only nulls and the shape
 * of {@code limits}.
 *
 * <p>A rule has 1 to 8 {@linkplain Limit limits}, enforced together; a limit's index is its
 * position. The top-level form ({@code limit} and {@code windowSeconds}) is one limit at index 0,
 * and {@link #limitsForm()} remembers which form the rule was written in, so that it can be shown
 * and re-encoded as written. Each limit carries its own counter generation (SPEC 4).
 *
 * @param id unique id
 * @param key exact key, or a prefix pattern ending in {@code *}
 * @param limits the limits, 1 to 8, unmodifiable, each with its effective algorithm
 * @param limitsForm true when the rule was given with {@code limits}, false for the top-level form
 *     (then {@code limits} has exactly one entry)
 * @param priority higher wins
 * @param metadata constraints, sorted by key, unmodifiable; a value of {@code *} requires the key
 *     with any value and splits counters by that value
 * @param algorithm the rule's algorithm (defaults applied): the top-level limit's, and the default
 *     of every {@code limits} entry that names none
 * @param shadow shadow mode
 */
public record LimitRule(
    String id,
    String key,
    List<Limit> limits,
    boolean limitsForm,
    int priority,
    SortedMap<String, String> metadata,
    Algorithm algorithm,
    boolean shadow) {

  /** The metadata value meaning "any value, one counter per value". */
  public static final String ANY_VALUE = "*";

  /** The most limits a rule may have. */
  public static final int MAX_LIMITS = 8;

  /**
   * One limit of a rule: {@code (limit, windowSeconds, effective algorithm)} of SPEC 1, with the
   * generation of its counters.
   *
   * @param limit permits per window
   * @param windowSeconds window length in seconds
   * @param algorithm the effective counting algorithm (defaults applied)
   * @param generation counter generation (SPEC 4): counters written under another generation start
   *     fresh. 0 for a rule that was validated but never published.
   */
  public record Limit(long limit, long windowSeconds, Algorithm algorithm, long generation) {
    /**
     * Checks only that {@code algorithm} is present.
     *
     * @param limit permits per window
     * @param windowSeconds window length in seconds
     * @param algorithm the effective algorithm; not null
     * @param generation counter generation
     * @throws NullPointerException when {@code algorithm} is null
     */
    public Limit {
      Objects.requireNonNull(algorithm, "algorithm");
    }

    /**
     * The window length W of SPEC 5.
     *
     * @return {@code windowSeconds * 1000}, in milliseconds (at most 2,678,400,000 when valid)
     */
    public long windowMillis() {
      return windowSeconds * 1000L;
    }

    /**
     * Whether this limit's counters carry over from {@code previous} on a rule update (SPEC 4).
     *
     * @param previous the limit at the same index in the version replaced; not null
     * @return true when the effective algorithm and the window are the same
     */
    public boolean keepsCountersOf(Limit previous) {
      return previous.algorithm == algorithm && previous.windowSeconds == windowSeconds;
    }

    /**
     * The same limit under another counter generation.
     *
     * @param newGeneration the generation of the copy
     * @return a copy with {@code generation = newGeneration}
     */
    public Limit withGeneration(long newGeneration) {
      return new Limit(limit, windowSeconds, algorithm, newGeneration);
    }
  }

  /**
   * Creates a rule without checking ranges: only {@link RuleValidator} (and decoders of rules it
   * validated) should call this.
   *
   * @param id unique id; not null
   * @param key exact key or prefix pattern; not null
   * @param limits 1 to 8 limits; not null, copied
   * @param limitsForm whether the rule was given in the {@code limits} form
   * @param priority higher wins
   * @param metadata constraints, sorted by key; not null, kept as given (pass an unmodifiable map)
   * @param algorithm the rule's algorithm; not null
   * @param shadow shadow mode
   * @throws NullPointerException when {@code id}, {@code key}, {@code limits}, {@code metadata} or
   *     {@code algorithm} is null
   * @throws IllegalArgumentException when {@code limits} has no entry or more than 8, or the
   *     top-level form has more than one
   */
  public LimitRule {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(key, "key");
    limits = List.copyOf(limits);
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(algorithm, "algorithm");
    if (limits.isEmpty() || limits.size() > MAX_LIMITS || (!limitsForm && limits.size() != 1)) {
      throw new IllegalArgumentException(
          "a rule has 1 to " + MAX_LIMITS + " limits, the top-level form exactly 1");
    }
  }

  /**
   * Creates a rule of the top-level form (one limit, index 0) without checking ranges.
   *
   * @param id unique id; not null
   * @param key exact key or prefix pattern; not null
   * @param limit permits per window
   * @param windowSeconds window length in seconds
   * @param priority higher wins
   * @param metadata constraints, sorted by key; not null, kept as given (pass an unmodifiable map)
   * @param algorithm the counting algorithm; not null
   * @param shadow shadow mode
   * @param generation counter generation of the limit, 0 when never published
   * @throws NullPointerException when {@code id}, {@code key}, {@code metadata} or {@code
   *     algorithm} is null
   */
  public LimitRule(
      String id,
      String key,
      long limit,
      long windowSeconds,
      int priority,
      SortedMap<String, String> metadata,
      Algorithm algorithm,
      boolean shadow,
      long generation) {
    this(
        id,
        key,
        List.of(new Limit(limit, windowSeconds, algorithm, generation)),
        false,
        priority,
        metadata,
        algorithm,
        shadow);
  }

  /**
   * The limit at index 0: the only one of a top-level-form rule.
   *
   * @return {@code limits().get(0)}
   */
  public Limit first() {
    return limits.get(0);
  }

  /**
   * Limit index 0's permits per window (the only limit of a top-level-form rule). A rule of several
   * limits has more: see {@link #limits()}.
   *
   * @return {@code first().limit()}
   */
  public long limit() {
    return limits.get(0).limit();
  }

  /**
   * Limit index 0's window length in seconds; see {@link #limit()}.
   *
   * @return {@code first().windowSeconds()}
   */
  public long windowSeconds() {
    return limits.get(0).windowSeconds();
  }

  /**
   * Limit index 0's window length W of SPEC 5; see {@link #limit()}.
   *
   * @return {@code first().windowMillis()}, in milliseconds
   */
  public long windowMillis() {
    return limits.get(0).windowMillis();
  }

  /**
   * Limit index 0's counter generation; see {@link #limit()}.
   *
   * @return {@code first().generation()}
   */
  public long generation() {
    return limits.get(0).generation();
  }

  /**
   * The same rule with every limit under one counter generation.
   *
   * @param newGeneration the generation of every limit of the copy
   * @return a copy of this rule
   */
  public LimitRule withGeneration(long newGeneration) {
    long[] all = new long[limits.size()];
    Arrays.fill(all, newGeneration);
    return withGenerations(all);
  }

  /**
   * The same rule with a counter generation per limit index.
   *
   * @param generations one generation per limit, by index
   * @return a copy of this rule
   * @throws IllegalArgumentException when there is not exactly one generation per limit
   */
  public LimitRule withGenerations(long[] generations) {
    if (generations.length != limits.size()) {
      throw new IllegalArgumentException(
          "need " + limits.size() + " generations, got " + generations.length);
    }
    List<Limit> copy = new ArrayList<>(limits.size());
    for (int i = 0; i < limits.size(); i++) {
      copy.add(limits.get(i).withGeneration(generations[i]));
    }
    return new LimitRule(id, key, copy, limitsForm, priority, metadata, algorithm, shadow);
  }

  /**
   * Whether limit index 0's counters carry over from {@code previous} on a rule update (SPEC 4);
   * for every index see {@link #generationsAfter}.
   *
   * @param previous the valid version this rule replaces; not null
   * @return true when both have a limit 0 with the same effective algorithm and window
   */
  public boolean keepsCountersOf(LimitRule previous) {
    return first().keepsCountersOf(previous.first());
  }

  /**
   * The generations this rule gets when it replaces {@code previous} as a version published at
   * {@code offset} (SPEC 4): per index, the previous version's generation when it has a limit at
   * that index with the same effective algorithm and window, else {@code offset}.
   *
   * @param previous the valid version replaced, or null when there is none (new or re-created)
   * @param offset the generation of counters that start fresh
   * @return one generation per limit of this rule, by index
   */
  public long[] generationsAfter(LimitRule previous, long offset) {
    long[] out = new long[limits.size()];
    for (int i = 0; i < out.length; i++) {
      Limit now = limits.get(i);
      boolean keep =
          previous != null
              && i < previous.limits.size()
              && now.keepsCountersOf(previous.limits.get(i));
      out[i] = keep ? previous.limits.get(i).generation() : offset;
    }
    return out;
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
}
