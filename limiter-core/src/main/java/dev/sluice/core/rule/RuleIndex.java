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
 * <p>How a lookup works: the exact-key bucket comes from a hash table (one probe), and the
 * prefix patterns come from a radix tree walked along the request key, which visits only the
 * patterns that are prefixes of the key (see {@link PrefixTree}). Each bucket is sorted by
 * {@link RulePrecedence}, and its first rule whose metadata constraints hold competes; the scan of
 * a bucket stops as soon as its rules can no longer beat the best rule found so far. A lookup
 * allocates nothing and costs O(key length + patterns that are prefixes of the key + rules tested
 * in their buckets).
 *
 * <p>What a reader sees while the writer works: every bucket is immutable and replaced with one
 * write, so each bucket is seen before or after each change, never half-done. A rule whose key
 * changes is added under its new key before it is removed from the old one, so a racing reader
 * may see both versions for a moment but never neither; it then applies whichever wins, which is
 * the answer of the state before or after the change. An update of a rule that keeps its key is a
 * single write. A lookup that overlaps several updates may combine buckets read at different
 * moments; each is a real state of that bucket.
 *
 * <p>Bounds: one entry per rule held; nothing expires (rules leave only by {@link #remove}). The
 * hash tables do not shrink after mass removals. An update copies the bucket of its key, and a
 * lookup may test every rule in a bucket, so keys should carry a handful of rules each, not
 * thousands (use distinct keys such as {@code tenant:acme:*} rather than thousands of {@code *}
 * rules told apart by metadata).
 *
 * <p>Memory: about 60 bytes of index per rule on top of the rule itself (two hash-table slots of
 * 8 bytes at under 5/8 load, or a 32-byte tree node for a pattern); see {@code
 * benchmarks/README.md} for measured figures.
 */
public final class RuleIndex {
  private final RuleTable byId = new RuleTable(true);
  private final RuleTable exact = new RuleTable(false);
  private final PrefixTree patterns = new PrefixTree();

  /** An empty index. */
  public RuleIndex() {}

  /**
   * Adds the rule, replacing any rule with the same id (even one with another key). Writer thread
   * only. Costs O(rules sharing the key) for the bucket copy, plus O(key length) for a pattern.
   */
  public void upsert(LimitRule rule) {
    Objects.requireNonNull(rule, "rule");
    LimitRule previous = (LimitRule) byId.get(rule.id());
    if (previous != null && previous.key().equals(rule.key())) {
      setBucket(rule, Buckets.replace(bucketOf(rule), previous.id(), rule));
    } else {
      // New key first, then the old one goes: a racing reader never finds the rule missing.
      setBucket(rule, Buckets.replace(bucketOf(rule), null, rule));
      if (previous != null) {
        setBucket(previous, Buckets.replace(bucketOf(previous), previous.id(), null));
      }
    }
    byId.put(rule.id(), rule);
  }

  /** Removes the rule with this id; returns whether one was there. Writer thread only. */
  public boolean remove(String id) {
    Objects.requireNonNull(id, "id");
    LimitRule previous = (LimitRule) byId.get(id);
    if (previous == null) {
      return false;
    }
    setBucket(previous, Buckets.replace(bucketOf(previous), id, null));
    byId.remove(id);
    return true;
  }

  /**
   * The applied rule for this request, or null when none matches (SPEC 3). Any thread; lock-free
   * and allocation-free.
   *
   * @param key the request key
   * @param metadata the request metadata; null is taken as empty
   */
  public LimitRule match(String key, Map<String, String> metadata) {
    Objects.requireNonNull(key, "key");
    Map<String, String> md = metadata == null ? Map.of() : metadata;
    LimitRule best = null;
    Object bucket = exact.get(key);
    if (bucket != null) {
      best = Buckets.best(bucket, null, md);
    }
    return patterns.best(key, md, best);
  }

  /** The rule with this id, or null. Any thread. */
  public LimitRule get(String id) {
    return (LimitRule) byId.get(Objects.requireNonNull(id, "id"));
  }

  /** Number of rules held. Any thread. */
  public int size() {
    return byId.size();
  }

  /**
   * Visits every rule, in no particular order. Any thread; under concurrent updates it is weakly
   * consistent: a rule held throughout is visited once, in one of its versions, and a rule added
   * or removed meanwhile may or may not be visited.
   */
  public void forEach(Consumer<? super LimitRule> action) {
    Objects.requireNonNull(action, "action");
    byId.forEach(v -> action.accept((LimitRule) v));
  }

  /** A copy of every rule, sorted by id. Any thread; weakly consistent like {@link #forEach}. */
  public List<LimitRule> snapshot() {
    List<LimitRule> rules = new ArrayList<>(size());
    forEach(rules::add);
    rules.sort(Comparator.comparing(LimitRule::id));
    return List.copyOf(rules);
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
