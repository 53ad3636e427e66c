package dev.sluice.core.rule;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Finds the rule SPEC 3 applies to a request. One writer thread calls {@link #upsert} and {@link
 * #remove}; any number of reader threads call {@link #match}, {@link #get}, {@link #size}, {@link
 * #forEach} and {@link #snapshot} without locks.
 *
 * <p>How a lookup works: the exact-key bucket comes from a hash table (one probe, see {@link
 * RuleTable}), and the prefix patterns come from a radix tree walked along the request key, which
 * visits only the patterns that are prefixes of the key (see {@link PrefixTree}). Each bucket is
 * sorted by {@link RulePrecedence}, and its first rule whose metadata constraints hold competes;
 * the scan of a bucket stops as soon as its rules can no longer beat the best rule found so far. A
 * lookup allocates nothing and costs O(key length + patterns that are prefixes of the key + rules
 * tested in their buckets).
 *
 * <p>What a reader sees while the writer works. Every change of one rule is atomic to a lookup: the
 * lookup answers as the state just before or just after it. Buckets (and a large bucket's metadata
 * groups) are immutable arrays, each replaced with one write, so a change that keeps the rule's key
 * and group is one write. A change of key is two (add under the new key, then remove under the
 * old), and a lookup visits the two places in an order of its own, so it could pass the new place
 * before the add and the old one after the removal, and see neither version. (The same holds inside
 * a large bucket when a rule moves between metadata groups.) So the writer bumps a volatile counter
 * between the two writes, and a lookup that sees the counter move repeats itself. Why that
 * suffices: if the lookup saw the removal (an acquire read of a release write), the bump, which
 * precedes it, is visible to its final read of the counter; and if its first read of the counter
 * had already seen the bump, its later read of the new place would see the add. Repeats happen only
 * when a key change overlaps a lookup, and never block: the writer is always making progress. A
 * lookup that overlaps several changes may combine them (each one atomic), like any concurrent map
 * read.
 *
 * <p>Many rules on one key: up to 8 are kept as a sorted array, tested in order. Past that the
 * key's bucket is indexed by metadata ({@link LargeBucket}): each rule is filed under one of its
 * literal metadata constraints, so ten thousand {@code *} rules told apart by {@code tenant} cost a
 * lookup a couple of hash probes, not ten thousand tests. Rules on one key that differ only in
 * {@code *} constraints (or in none) are still tested in order.
 *
 * <p>Bounds: one entry per rule held; nothing expires (rules leave only by {@link #remove}). The
 * hash tables do not shrink after mass removals.
 *
 * <p>Memory: the index adds about 45 bytes per rule to the rules themselves: an entry in the id
 * table, plus one in the exact-key table (which also keeps each key's string beside its slot, so a
 * hit does not reach the key through the rule) or a 40-byte tree node and a share of a children
 * array for a pattern (a table entry costs 8 or 12 bytes a slot, about 2 slots an entry at a
 * million). Measured at a million generated rules: 238 bytes per rule in all, rules and strings
 * included (see {@code benchmarks/README.md}).
 */
public final class RuleIndex {
  /** Rules a key may carry before its bucket is indexed by metadata ({@link LargeBucket}). */
  static final int LARGE_BUCKET_AT = 8;

  private final RuleTable byId = new RuleTable(true);
  private final RuleTable exact = new RuleTable(false);
  private final PrefixTree patterns = new PrefixTree();

  /** Bumped between the two halves of a key change (see the class comment). */
  private volatile long keyChanges;

  private final Runnable bumpKeyChanges = () -> keyChanges = keyChanges + 1;
  private final int largeBucketAt;

  /** An empty index. */
  public RuleIndex() {
    this(LARGE_BUCKET_AT);
  }

  /** An empty index whose buckets become {@link LargeBucket}s past {@code largeBucketAt} rules. */
  RuleIndex(int largeBucketAt) {
    this.largeBucketAt = largeBucketAt;
  }

  /**
   * Adds the rule, replacing any rule with the same id (even one with another key). Writer thread
   * only. Costs O(key length) to find the key's bucket, plus a copy of the bucket while it holds up
   * to 8 rules, or the copy of one metadata group in a larger one.
   *
   * @param rule the validated rule; not null
   * @throws NullPointerException when {@code rule} is null
   */
  public void upsert(LimitRule rule) {
    Objects.requireNonNull(rule, "rule");
    LimitRule previous = (LimitRule) byId.get(rule.id());
    if (previous != null && previous.key().equals(rule.key())) {
      setBucket(rule, update(bucketOf(rule), previous, rule));
    } else {
      setBucket(rule, update(bucketOf(rule), null, rule));
      if (previous != null) {
        bumpKeyChanges.run();
        setBucket(previous, update(bucketOf(previous), previous, null));
      }
    }
    byId.put(rule.id(), rule);
  }

  /**
   * Removes the rule with this id. Writer thread only.
   *
   * @param id the rule id; not null
   * @return whether a rule with this id was there
   * @throws NullPointerException when {@code id} is null
   */
  public boolean remove(String id) {
    Objects.requireNonNull(id, "id");
    LimitRule previous = (LimitRule) byId.get(id);
    if (previous == null) {
      return false;
    }
    setBucket(previous, update(bucketOf(previous), previous, null));
    byId.remove(id);
    return true;
  }

  /**
   * The applied rule for this request, or null when none matches (SPEC 3). Any thread; lock-free
   * and allocation-free.
   *
   * @param key the request key
   * @param metadata the request metadata; null is taken as empty
   * @return the first matching rule by {@link RulePrecedence#ORDER}, or null
   * @throws NullPointerException when {@code key} is null
   */
  public LimitRule match(String key, Map<String, String> metadata) {
    Objects.requireNonNull(key, "key");
    Map<String, String> md = metadata == null ? Map.of() : metadata;
    while (true) {
      long changes = keyChanges;
      LimitRule best = null;
      Object bucket = exact.get(key);
      if (bucket != null) {
        best = Buckets.best(bucket, RulePrecedence.EXACT, null, 0, md);
      }
      best = patterns.best(key, md, best, RulePrecedence.EXACT);
      if (keyChanges == changes) {
        return best;
      }
    }
  }

  /**
   * Looks a rule up by id. Any thread.
   *
   * @param id the rule id; not null
   * @return the rule with this id, or null when there is none
   * @throws NullPointerException when {@code id} is null
   */
  public LimitRule get(String id) {
    return (LimitRule) byId.get(Objects.requireNonNull(id, "id"));
  }

  /**
   * The number of rules held. Any thread.
   *
   * @return the count of distinct rule ids
   */
  public int size() {
    return byId.size();
  }

  /**
   * Visits every rule, in no particular order. Any thread; under concurrent updates it is weakly
   * consistent: a rule held throughout is visited once, in one of its versions, and a rule added or
   * removed meanwhile may or may not be visited.
   *
   * @param action called once per rule; not null
   * @throws NullPointerException when {@code action} is null
   */
  public void forEach(Consumer<? super LimitRule> action) {
    Objects.requireNonNull(action, "action");
    byId.forEach(v -> action.accept((LimitRule) v));
  }

  /**
   * A copy of every rule. Any thread; weakly consistent like {@link #forEach}. Costs a sort of all
   * rules.
   *
   * @return an unmodifiable list of the rules, sorted by id
   */
  public List<LimitRule> snapshot() {
    List<LimitRule> rules = new ArrayList<>(size());
    forEach(rules::add);
    rules.sort(Comparator.comparing(LimitRule::id));
    return List.copyOf(rules);
  }

  /** The radix tree's node count, after checking its shape (see {@link PrefixTree#checkShape}). */
  int checkPatternTree() {
    return patterns.checkShape();
  }

  private Object update(Object bucket, LimitRule remove, LimitRule add) {
    return Buckets.update(bucket, remove, add, largeBucketAt, bumpKeyChanges);
  }

  private Object bucketOf(LimitRule rule) {
    String key = rule.key();
    return rule.isPrefixPattern() ? patterns.get(key, key.length() - 1) : exact.get(key);
  }

  /** Publishes {@code bucket} (null: none) as the bucket of {@code rule}'s key. */
  private void setBucket(LimitRule rule, Object bucket) {
    String key = rule.key();
    if (rule.isPrefixPattern()) {
      patterns.set(bucket == null ? key : Buckets.key(bucket), key.length() - 1, bucket);
    } else if (bucket == null) {
      exact.remove(key);
    } else {
      exact.put(key, bucket);
    }
  }
}
