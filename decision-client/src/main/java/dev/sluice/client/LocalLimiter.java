package dev.sluice.client;

import dev.sluice.core.Verdict;
import dev.sluice.core.limit.Limiter;
import dev.sluice.core.rule.LimitRule;
import dev.sluice.core.rule.RuleIndex;
import dev.sluice.core.rule.RuleValidation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-process approximate limiter behind {@link FailurePolicy#LOCAL_FALLBACK}: the rules from
 * the rules topic, each limit scaled to this instance's share, and local counters evaluated by the
 * same {@link Limiter} the service uses. It only sees the checks that fell back on this instance,
 * so it approximates the service: with N instances each taking share 1/N the fleet admits about the
 * global limit while the service is unreachable.
 *
 * <p>Scaling: every limit of a rule is scaled on its own: {@code L > 0} becomes {@code max(1,
 * floor(L * share))}; 0 stays 0 (a block list stays a block list). A rule of several limits (a
 * burst limit and a daily quota, say) is decided as the service decides it: every limit at one
 * effective time, all or nothing, partial grants up to {@code maxCost}. Rules are applied in
 * rules-topic order by one writer thread ({@link #apply}); decisions may run on any thread ({@link
 * #decide}).
 *
 * <p>Counters: one per limit index of a rule, keyed as the service keys them. Bound: {@code
 * maxCounters} entries (a rule of n limits takes n per key); beyond it the least recently used
 * counter is dropped (that limit then starts fresh: more permissive, never stricter). Expiry: once
 * a second (driven by decisions), counters whose {@link Limiter#idleAfterMs} has passed are
 * dropped, since a fresh counter would decide the same. A limit whose algorithm or window changes
 * on an update, or a rule deleted and published again, gets a new generation (SPEC 4, per index):
 * its old counters are ignored, then age out.
 */
final class LocalLimiter {
  private static final long SWEEP_INTERVAL_MS = 1000;

  private final RuleIndex index = new RuleIndex();
  private final double share;
  private final int maxCounters;
  private final LinkedHashMap<CounterKey, Counter> counters;
  private final AtomicLong rejected = new AtomicLong();
  private volatile int rules;
  private long nextSweepMs = Long.MIN_VALUE;

  LocalLimiter(double share, int maxCounters) {
    this.share = share;
    this.maxCounters = maxCounters;
    this.counters =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<CounterKey, Counter> eldest) {
            return size() > LocalLimiter.this.maxCounters;
          }
        };
  }

  /**
   * Applies one rules-topic record. Single writer.
   *
   * @param recordKey the record key (the rule id), or null
   * @param value the record value, null for a tombstone
   * @param offset the record's offset, used as the counter generation of a rule that starts fresh
   * @return null when applied, else why the record was rejected (the previous version stays)
   */
  String apply(String recordKey, byte[] value, long offset) {
    if (recordKey == null) {
      rejected.incrementAndGet();
      return "key: a rules record needs the rule id as its key";
    }
    if (value == null) {
      index.remove(recordKey);
      rules = index.size();
      return null;
    }
    RuleValidation v = RuleRecords.parse(value);
    if (!v.isValid()) {
      rejected.incrementAndGet();
      return v.errorMessage();
    }
    LimitRule rule = v.rule();
    if (!rule.id().equals(recordKey)) {
      rejected.incrementAndGet();
      return "id: must equal the record key " + recordKey + " (got " + rule.id() + ")";
    }
    LimitRule previous = index.get(rule.id());
    index.upsert(scaled(rule.withGenerations(rule.generationsAfter(previous, offset))));
    rules = index.size();
    return null;
  }

  /** {@link #decide(String, String, Map, long, long, long, FailureCause)} taking exactly cost. */
  ClientDecision decide(
      String id, String key, Map<String, String> metadata, long cost, long nowMs, FailureCause c) {
    return decide(id, key, metadata, cost, cost, nowMs, c);
  }

  /**
   * Decides a valid check locally at {@code nowMs}. Thread-safe.
   *
   * @param cost permits asked for, 0 (check only) to 1e9
   * @param maxCost the most permits taken: 0 when {@code cost} is 0, else {@code cost..1e9}
   * @return the local verdict, with the applied rule's scaled limits ({@link
   *     ClientDecision#quotas()}) and the binding limit's window
   */
  ClientDecision decide(
      String id,
      String key,
      Map<String, String> metadata,
      long cost,
      long maxCost,
      long nowMs,
      FailureCause cause) {
    LimitRule rule = index.match(key, metadata);
    if (rule == null) {
      return new ClientDecision(
          Verdict.noMatchingRule(id, key, nowMs), DecisionSource.LOCAL_FALLBACK, cause, -1);
    }
    byte[][] raw = Limiter.counterKeys(rule, key, metadata);
    int n = raw.length;
    CounterKey[] keys = new CounterKey[n];
    for (int i = 0; i < n; i++) {
      keys[i] = new CounterKey(raw[i]);
    }
    byte[][] stored = new byte[n][];
    Limiter.Evaluation ev;
    synchronized (counters) {
      if (nowMs >= nextSweepMs) {
        sweep(nowMs);
        nextSweepMs = nowMs + SWEEP_INTERVAL_MS;
      }
      for (int i = 0; i < n; i++) {
        // A counter of another generation (or window or algorithm) reads as fresh in the Limiter.
        Counter c = counters.get(keys[i]);
        stored[i] = c == null ? null : c.state;
      }
      ev = Limiter.evaluate(rule, stored, id, key, cost, maxCost, nowMs);
      if (ev.counters() != null) { // null for a check-only request, which changes nothing
        for (int i = 0; i < n; i++) {
          byte[] counter = ev.counters()[i];
          counters.put(keys[i], new Counter(counter, Limiter.idleAfterMs(counter)));
        }
      }
    }
    LimitRule.Limit binding = rule.limits().get(ev.verdict().limitIndex());
    return new ClientDecision(
        ev.verdict(), DecisionSource.LOCAL_FALLBACK, cause, binding.windowSeconds(), quotas(rule));
  }

  int rules() {
    return rules;
  }

  long rejected() {
    return rejected.get();
  }

  int counters() {
    synchronized (counters) {
      return counters.size();
    }
  }

  LimitRule rule(String id) {
    return index.get(id);
  }

  private LimitRule scaled(LimitRule r) {
    List<LimitRule.Limit> limits = new ArrayList<>(r.limits().size());
    for (LimitRule.Limit l : r.limits()) {
      long limit = l.limit() == 0 ? 0 : Math.max(1, (long) Math.floor(l.limit() * share));
      limits.add(new LimitRule.Limit(limit, l.windowSeconds(), l.algorithm(), l.generation()));
    }
    return new LimitRule(
        r.id(),
        r.key(),
        limits,
        r.limitsForm(),
        r.priority(),
        r.metadata(),
        r.algorithm(),
        r.shadow());
  }

  private static List<RateLimitHeaders.Quota> quotas(LimitRule rule) {
    List<RateLimitHeaders.Quota> out = new ArrayList<>(rule.limits().size());
    for (LimitRule.Limit l : rule.limits()) {
      out.add(new RateLimitHeaders.Quota(l.limit(), l.windowSeconds()));
    }
    return List.copyOf(out);
  }

  private void sweep(long nowMs) {
    for (Iterator<Counter> it = counters.values().iterator(); it.hasNext(); ) {
      if (it.next().idleAfterMs <= nowMs) {
        it.remove();
      }
    }
  }

  private record Counter(byte[] state, long idleAfterMs) {}

  /** Counter identity bytes with value equality. */
  private static final class CounterKey {
    private final byte[] bytes;
    private final int hash;

    CounterKey(byte[] bytes) {
      this.bytes = bytes;
      this.hash = Arrays.hashCode(bytes);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof CounterKey k && hash == k.hash && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
