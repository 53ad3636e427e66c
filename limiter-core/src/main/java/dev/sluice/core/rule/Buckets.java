package dev.sluice.core.rule;

import java.util.Map;
import java.util.SortedMap;

/**
 * The rules that share one key, as {@link RuleIndex} stores them: {@code null} when none, the
 * {@link LimitRule} itself when one (the common case, and no array to pay for), otherwise a
 * {@code LimitRule[]} of two or more sorted by {@link RulePrecedence}. A bucket is never changed
 * after it is published: every update builds a new one, so a reader sees one version whole.
 *
 * <p>An update copies the bucket, so it costs O(rules sharing the key); so does a lookup that
 * has to test many of them. Keys are expected to carry a handful of rules, not thousands.
 */
final class Buckets {
  private static final LimitRule[] EMPTY = new LimitRule[0];

  private Buckets() {}

  /** The key every rule of a non-null bucket has. */
  static String key(Object bucket) {
    return bucket instanceof LimitRule r ? r.key() : ((LimitRule[]) bucket)[0].key();
  }

  /** Number of rules in a bucket. */
  static int size(Object bucket) {
    if (bucket == null) {
      return 0;
    }
    return bucket instanceof LimitRule ? 1 : ((LimitRule[]) bucket).length;
  }

  /**
   * A new bucket: {@code bucket} without {@code remove} (if not null; it must be in the bucket),
   * plus {@code add} (if not null; no rule with its id may remain). Returns null when nothing is
   * left. Positions are found by binary search, so only the copy is linear in the bucket size.
   */
  static Object replace(Object bucket, LimitRule remove, LimitRule add) {
    LimitRule[] rules = toArray(bucket);
    if (remove != null) {
      int at = position(rules, remove);
      if (at < 0 || rules[at] != remove) {
        throw new IllegalStateException("rule " + remove.id() + " is not in its bucket");
      }
      LimitRule[] kept = new LimitRule[rules.length - 1];
      System.arraycopy(rules, 0, kept, 0, at);
      System.arraycopy(rules, at + 1, kept, at, kept.length - at);
      rules = kept;
    }
    if (add != null) {
      int at = -(position(rules, add) + 1);
      if (at < 0) {
        throw new IllegalStateException("rule " + add.id() + " is already in its bucket");
      }
      LimitRule[] grown = new LimitRule[rules.length + 1];
      System.arraycopy(rules, 0, grown, 0, at);
      grown[at] = add;
      System.arraycopy(rules, at, grown, at + 1, rules.length - at);
      rules = grown;
    }
    return rules.length == 0 ? null : rules.length == 1 ? rules[0] : rules;
  }

  /** Binary search by precedence: the index of {@code rule}, or {@code -(insertion point) - 1}. */
  private static int position(LimitRule[] rules, LimitRule rule) {
    int lo = 0;
    int hi = rules.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = RulePrecedence.compare(rules[mid], rule);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -(lo + 1);
  }

  private static LimitRule[] toArray(Object bucket) {
    if (bucket == null) {
      return EMPTY;
    }
    return bucket instanceof LimitRule r ? new LimitRule[] {r} : (LimitRule[]) bucket;
  }

  /** The priority of a bucket's first (and highest-priority) rule. */
  static int topPriority(Object bucket) {
    return bucket instanceof LimitRule r ? r.priority() : ((LimitRule[]) bucket)[0].priority();
  }

  /**
   * The better of {@code best} and the first rule of {@code bucket} whose metadata constraints
   * {@code metadata} satisfies. The bucket's rules already match the request key and all have the
   * tier-2 rank {@code specificity}; {@code bestSpecificity} is that of {@code best}.
   *
   * <p>The bucket is in precedence order, so the scan stops at the first rule that does not beat
   * {@code best}: no later rule of the bucket can.
   */
  static LimitRule best(
      Object bucket,
      int specificity,
      LimitRule best,
      int bestSpecificity,
      Map<String, String> metadata) {
    if (bucket instanceof LimitRule r) {
      return (best == null || RulePrecedence.compare(r, specificity, best, bestSpecificity) < 0)
              && satisfies(r, metadata)
          ? r
          : best;
    }
    for (LimitRule r : (LimitRule[]) bucket) {
      if (best != null && RulePrecedence.compare(r, specificity, best, bestSpecificity) >= 0) {
        return best;
      }
      if (satisfies(r, metadata)) {
        return r;
      }
    }
    return best;
  }

  /** True when the request metadata satisfies every constraint of the rule (SPEC 3). */
  static boolean satisfies(LimitRule rule, Map<String, String> metadata) {
    SortedMap<String, String> constraints = rule.metadata();
    if (constraints instanceof CompactSortedMap compact) {
      int n = compact.entryCount();
      for (int i = 0; i < n; i++) {
        String actual = metadata.get(compact.keyAt(i));
        if (actual == null) {
          return false;
        }
        String wanted = compact.valueAt(i);
        if (!wanted.equals(LimitRule.ANY_VALUE) && !wanted.equals(actual)) {
          return false;
        }
      }
      return true;
    }
    if (constraints.isEmpty()) {
      return true;
    }
    for (Map.Entry<String, String> c : constraints.entrySet()) {
      String actual = metadata.get(c.getKey());
      if (actual == null) {
        return false;
      }
      if (!c.getValue().equals(LimitRule.ANY_VALUE) && !c.getValue().equals(actual)) {
        return false;
      }
    }
    return true;
  }
}
