package dev.sluice.core.rule;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A bucket of many rules sharing one key, indexed by metadata so that a lookup does not test them
 * one by one: the usual case is one rule per tenant, {@code *} with {@code {tenant: acme}}.
 *
 * <p>Design note. Each rule is filed under its anchor, the first of its metadata constraints (in
 * key order) whose value is literal, not {@code *}: the rule can only match a request that carries
 * exactly that entry. Rules without a literal constraint are "loose". A lookup tests the loose
 * rules in precedence order as an ordinary bucket does, then, for each metadata key some anchor
 * uses and the request carries, the group filed under that key and the request's value. So it costs
 * O(anchor keys + rules tested), not O(rules).
 *
 * <p>Unlike a small bucket this one is updated in place, so that an update costs O(its group), not
 * O(bucket): each group and the loose list are immutable sorted arrays replaced with one write (a
 * {@link ConcurrentHashMap} put or a volatile write), and the anchor keys readers iterate are an
 * immutable array replaced likewise. A reader thus sees each group before or after each change. A
 * rule whose anchor changes is added to its new group before it leaves the old one, and the
 * caller's {@code between} hook runs in between (see {@link RuleIndex} for why).
 *
 * <p>Bounds: a group's map entry is removed when the group empties, and an anchor key when its last
 * group goes, so the structure holds nothing but its rules.
 */
final class LargeBucket {
  private static final LimitRule[] NONE = new LimitRule[0];
  private static final String[] NO_KEYS = new String[0];

  private final String key;
  private volatile LimitRule[] loose = NONE;
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, LimitRule[]>> anchored =
      new ConcurrentHashMap<>();
  private volatile String[] anchorKeys = NO_KEYS;

  // Writer only.
  private final TreeMap<Integer, Integer> priorities = new TreeMap<>();
  private int size;

  LargeBucket(String key) {
    this.key = key;
  }

  /** The key every rule here has. */
  String key() {
    return key;
  }

  /** Number of rules. Writer thread. */
  int size() {
    return size;
  }

  /** The highest priority of any rule here. Writer thread; the bucket must not be empty. */
  int topPriority() {
    return priorities.lastKey();
  }

  /** Every rule, in no particular order. Writer thread. */
  List<LimitRule> rules() {
    List<LimitRule> all = new ArrayList<>(size);
    all.addAll(Arrays.asList(loose));
    for (Map<String, LimitRule[]> groups : anchored.values()) {
      for (LimitRule[] group : groups.values()) {
        all.addAll(Arrays.asList(group));
      }
    }
    return all;
  }

  /** The first constraint key of the rule whose value is literal, or null. */
  static String anchorKey(LimitRule rule) {
    if (rule.metadata() instanceof CompactSortedMap compact) {
      for (int i = 0; i < compact.entryCount(); i++) {
        if (!compact.valueAt(i).equals(LimitRule.ANY_VALUE)) {
          return compact.keyAt(i);
        }
      }
      return null;
    }
    for (Map.Entry<String, String> e : rule.metadata().entrySet()) {
      if (!e.getValue().equals(LimitRule.ANY_VALUE)) {
        return e.getKey();
      }
    }
    return null;
  }

  /**
   * Replaces {@code remove} (if not null) with {@code add} (if not null), running {@code between}
   * after the add and before the removal when the two live in different groups. Writer thread.
   */
  void replace(LimitRule remove, LimitRule add, Runnable between) {
    if (remove != null && add != null && !sameGroup(remove, add)) {
      update(null, add);
      between.run();
      update(remove, null);
    } else {
      update(remove, add);
    }
  }

  private static boolean sameGroup(LimitRule a, LimitRule b) {
    String ka = anchorKey(a);
    String kb = anchorKey(b);
    if (ka == null || kb == null) {
      return ka == kb;
    }
    return ka.equals(kb) && a.metadata().get(ka).equals(b.metadata().get(kb));
  }

  /** One group change: remove and add must be in the same group when both are given. */
  private void update(LimitRule remove, LimitRule add) {
    LimitRule any = add != null ? add : remove;
    String k = anchorKey(any);
    if (k == null) {
      loose = sorted(loose, remove, add);
    } else {
      String v = any.metadata().get(k);
      ConcurrentHashMap<String, LimitRule[]> groups = anchored.get(k);
      if (groups == null) {
        groups = new ConcurrentHashMap<>();
        anchored.put(k, groups);
        String[] keys = Arrays.copyOf(anchorKeys, anchorKeys.length + 1);
        keys[keys.length - 1] = k;
        anchorKeys = keys;
      }
      LimitRule[] group = sorted(groups.getOrDefault(v, NONE), remove, add);
      if (group.length > 0) {
        groups.put(v, group);
      } else {
        groups.remove(v);
        if (groups.isEmpty()) {
          String[] keys =
              Arrays.stream(anchorKeys).filter(x -> !x.equals(k)).toArray(String[]::new);
          anchorKeys = keys;
          anchored.remove(k);
        }
      }
    }
    if (remove != null) {
      size--;
      priorities.merge(remove.priority(), -1, (a, b) -> a + b == 0 ? null : a + b);
    }
    if (add != null) {
      size++;
      priorities.merge(add.priority(), 1, Integer::sum);
    }
  }

  private static LimitRule[] sorted(LimitRule[] rules, LimitRule remove, LimitRule add) {
    Object bucket = Buckets.replace(rules.length == 0 ? null : rules, remove, add);
    if (bucket == null) {
      return NONE;
    }
    return bucket instanceof LimitRule r ? new LimitRule[] {r} : (LimitRule[]) bucket;
  }

  /**
   * As {@link Buckets#best}: the better of {@code best} and the best rule here that the request
   * metadata satisfies. Any thread; allocation-free.
   */
  LimitRule best(
      int specificity, LimitRule best, int bestSpecificity, Map<String, String> metadata) {
    LimitRule found = Buckets.best(loose, specificity, best, bestSpecificity, metadata);
    if (found != best) {
      best = found;
      bestSpecificity = specificity;
    }
    for (String k : anchorKeys) {
      String v = metadata.get(k);
      if (v == null) {
        continue;
      }
      ConcurrentHashMap<String, LimitRule[]> groups = anchored.get(k);
      LimitRule[] group = groups == null ? null : groups.get(v);
      if (group != null) {
        found = Buckets.best(group, specificity, best, bestSpecificity, metadata);
        if (found != best) {
          best = found;
          bestSpecificity = specificity;
        }
      }
    }
    return best;
  }
}
