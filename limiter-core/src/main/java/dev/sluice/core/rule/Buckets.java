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
   * A new bucket: {@code bucket} without the rule whose id is {@code removeId} (if any and if not
   * null), plus {@code add} (if not null). Returns null when nothing is left.
   */
  static Object replace(Object bucket, String removeId, LimitRule add) {
    LimitRule[] rules = toArray(bucket);
    int kept = 0;
    LimitRule[] next = new LimitRule[rules.length + 1];
    boolean added = add == null;
    for (LimitRule r : rules) {
      if (removeId != null && r.id().equals(removeId)) {
        continue;
      }
      if (!added && RulePrecedence.compare(add, r) < 0) {
        next[kept++] = add;
        added = true;
      }
      next[kept++] = r;
    }
    if (!added) {
      next[kept++] = add;
    }
    if (kept == 0) {
      return null;
    }
    if (kept == 1) {
      return next[0];
    }
    if (kept == next.length) {
      return next;
    }
    LimitRule[] exact = new LimitRule[kept];
    System.arraycopy(next, 0, exact, 0, kept);
    return exact;
  }

  private static LimitRule[] toArray(Object bucket) {
    if (bucket == null) {
      return new LimitRule[0];
    }
    return bucket instanceof LimitRule r ? new LimitRule[] {r} : (LimitRule[]) bucket;
  }

  /**
   * The better of {@code best} and the first rule of {@code bucket} whose metadata constraints
   * {@code metadata} satisfies. The bucket's rules already match the request key.
   *
   * <p>The bucket is in precedence order, so the scan stops at the first rule that does not beat
   * {@code best}: no later rule of the bucket can.
   */
  static LimitRule best(Object bucket, LimitRule best, Map<String, String> metadata) {
    if (bucket instanceof LimitRule r) {
      return (best == null || RulePrecedence.compare(r, best) < 0) && satisfies(r, metadata)
          ? r
          : best;
    }
    for (LimitRule r : (LimitRule[]) bucket) {
      if (best != null && RulePrecedence.compare(r, best) >= 0) {
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
