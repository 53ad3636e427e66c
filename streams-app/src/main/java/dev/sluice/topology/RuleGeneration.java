package dev.sluice.topology;

import dev.sluice.core.Algorithm;
import dev.sluice.core.rule.LimitRule;
import java.util.ArrayList;
import java.util.List;

/**
 * What the validator remembers of a rule's last valid version to decide its counter generations
 * (SPEC 4): the counters of limit index {@code i} survive an update iff the new version has a limit
 * at index {@code i} with the same effective algorithm and window.
 *
 * <p>Store form, readable in a changelog dump, versioned so that every release reads every entry
 * written before it: a rule of one limit is stored as {@code ALGORITHM|windowSeconds|generation},
 * exactly as releases before several limits per rule wrote it (so an older instance that takes over
 * the rules task during a rolling upgrade reads it too); a rule of several limits as {@code
 * v2|ALGORITHM|windowSeconds|generation|...}, three fields per limit in index order, which only
 * releases that can apply such a rule ever write or read.
 *
 * @param limits per limit index, what decides whether its counters survive, and their generation
 */
record RuleGeneration(List<Limit> limits) {

  /**
   * One limit's entry.
   *
   * @param algorithm the effective algorithm
   * @param windowSeconds the window
   * @param generation the counter generation: the rules-topic offset of the version that started it
   */
  record Limit(Algorithm algorithm, long windowSeconds, long generation) {}

  private static final String V2 = "v2";

  RuleGeneration {
    limits = List.copyOf(limits);
    if (limits.isEmpty()) {
      throw new IllegalArgumentException("a rule generation entry needs at least one limit");
    }
  }

  /**
   * The generations a new valid version at {@code offset} gets, given the previous valid version's
   * entry (or null when there is none: a new rule, or one re-created after a delete).
   */
  static RuleGeneration next(RuleGeneration previous, LimitRule rule, long offset) {
    List<Limit> out = new ArrayList<>(rule.limits().size());
    for (int i = 0; i < rule.limits().size(); i++) {
      LimitRule.Limit now = rule.limits().get(i);
      Limit before = previous != null && i < previous.limits.size() ? previous.limits.get(i) : null;
      boolean keep =
          before != null
              && before.algorithm == now.algorithm()
              && before.windowSeconds == now.windowSeconds();
      out.add(new Limit(now.algorithm(), now.windowSeconds(), keep ? before.generation : offset));
    }
    return new RuleGeneration(out);
  }

  /** The generation of each limit, by index, as {@link LimitRule#withGenerations} takes them. */
  long[] generations() {
    long[] out = new long[limits.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = limits.get(i).generation;
    }
    return out;
  }

  /** The store form; see the class comment. */
  String encode() {
    StringBuilder s = new StringBuilder();
    if (limits.size() > 1) {
      s.append(V2);
    }
    for (Limit l : limits) {
      if (!s.isEmpty()) {
        s.append('|');
      }
      s.append(l.algorithm.name()).append('|').append(l.windowSeconds).append('|');
      s.append(l.generation);
    }
    return s.toString();
  }

  /** Inverse of {@link #encode}, for both versions. */
  static RuleGeneration decode(String s) {
    String[] parts = s.split("\\|", -1);
    int from = parts.length > 0 && parts[0].equals(V2) ? 1 : 0;
    int fields = parts.length - from;
    if (fields < 3 || fields % 3 != 0 || (from == 0 && fields != 3)) {
      throw new IllegalStateException("corrupt rule generation entry: " + s);
    }
    List<Limit> limits = new ArrayList<>(fields / 3);
    try {
      for (int i = from; i < parts.length; i += 3) {
        limits.add(
            new Limit(
                Algorithm.valueOf(parts[i]),
                Long.parseLong(parts[i + 1]),
                Long.parseLong(parts[i + 2])));
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("corrupt rule generation entry: " + s, e);
    }
    return new RuleGeneration(limits);
  }
}
