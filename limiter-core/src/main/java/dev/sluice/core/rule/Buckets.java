package dev.sluice.core.rule;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * The rules that share one key, as {@link RuleIndex} stores them: {@code null} when none, the
 * {@link LimitRule} itself when one (the common case, and no array to pay for), a {@code
 * LimitRule[]} of two or more sorted by {@link RulePrecedence}, or, past a size threshold, a {@link
 * LargeBucket} indexed by metadata. A rule or an array is never changed after it is published:
 * every update builds a new one, so a reader sees one version whole. An update of an array costs
 * O(its size) for the copy (positions are found by binary search); a lookup tests its rules in
 * order until one applies, which is why large buckets get an index.
 */
final class Buckets {
  private static final LimitRule[] EMPTY = new LimitRule[0];

  private Buckets() {}

  /** The key every rule of a non-null bucket has. */
  static String key(Object bucket) {
    if (bucket instanceof LimitRule r) {
      return r.key();
    }
    return bucket instanceof LargeBucket large ? large.key() : ((LimitRule[]) bucket)[0].key();
  }

  /**
   * The bucket after replacing {@code remove} (if not null, it must be there) with {@code add} (if
   * not null, no rule with its id may be there); null when empty. A small bucket is rebuilt; one
   * that grows past {@code largeAt} rules becomes a {@link LargeBucket}, updated in place from then
   * on (running {@code between} as {@link LargeBucket#replace} says), until it shrinks below half
   * that and becomes an array again. The caller publishes the result. Writer thread.
   */
  static Object update(
      Object bucket, LimitRule remove, LimitRule add, int largeAt, Runnable between) {
    if (bucket instanceof LargeBucket large) {
      large.replace(remove, add, between);
      if (large.size() == 0) {
        return null;
      }
      if (large.size() >= largeAt / 2) {
        return large;
      }
      List<LimitRule> rules = large.rules();
      rules.sort(RulePrecedence.ORDER);
      return rules.isEmpty() ? null : rules.size() == 1 ? rules.get(0) : rules.toArray(EMPTY);
    }
    Object next = replace(bucket, remove, add);
    if (next instanceof LimitRule[] rules && rules.length > largeAt) {
      LargeBucket large = new LargeBucket(rules[0].key());
      for (LimitRule r : rules) {
        large.replace(null, r, between);
      }
      return large;
    }
    return next;
  }

  /**
   * A new small bucket (rule, array or null): {@code bucket} without {@code remove} (if not null;
   * it must be in the bucket), plus {@code add} (if not null; no rule with its id may remain).
   * Returns null when nothing is left. Positions are found by binary search, so only the copy is
   * linear in the bucket size.
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

  /** The highest priority in a non-null bucket. Writer thread. */
  static int topPriority(Object bucket) {
    if (bucket instanceof LimitRule r) {
      return r.priority();
    }
    return bucket instanceof LargeBucket large
        ? large.topPriority()
        : ((LimitRule[]) bucket)[0].priority();
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
    if (bucket instanceof LargeBucket large) {
      return large.best(specificity, best, bestSpecificity, metadata);
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
