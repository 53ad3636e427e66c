package dev.sluice.topology;

import dev.sluice.core.Algorithm;
import dev.sluice.core.rule.LimitRule;

/**
 * What the validator remembers of a rule's last valid version to decide its counter generation
 * (SPEC 4): the counters survive an update iff algorithm and window stay the same.
 *
 * @param algorithm the effective algorithm
 * @param windowSeconds the window
 * @param generation the counter generation: the rules-topic offset of the version that started it
 */
record RuleGeneration(Algorithm algorithm, long windowSeconds, long generation) {

  /**
   * The generation a new valid version at {@code offset} gets, given the previous one (or null).
   */
  static RuleGeneration next(RuleGeneration previous, LimitRule rule, long offset) {
    boolean keep =
        previous != null
            && previous.algorithm == rule.algorithm()
            && previous.windowSeconds == rule.windowSeconds();
    return new RuleGeneration(
        rule.algorithm(), rule.windowSeconds(), keep ? previous.generation : offset);
  }

  /** Store form, readable in a changelog dump: {@code ALGORITHM|windowSeconds|generation}. */
  String encode() {
    return algorithm.name() + "|" + windowSeconds + "|" + generation;
  }

  /** Inverse of {@link #encode}. */
  static RuleGeneration decode(String s) {
    String[] parts = s.split("\\|");
    if (parts.length != 3) {
      throw new IllegalStateException("corrupt rule generation entry: " + s);
    }
    return new RuleGeneration(
        Algorithm.valueOf(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]));
  }
}
