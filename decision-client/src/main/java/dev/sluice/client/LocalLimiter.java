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
 * <p>Scaling: a limit {@code L > 0} becomes {@code max(1, floor(L * share))}; 0 stays 0 (a block
 * list stays a block list). Rules are applied in rules-topic order by one writer thread ({@link
 * #apply}); decisions may run on any thread ({@link #decide}).
 *
 * <p>Counters. Bound: {@code maxCounters} entries; beyond it the least recently used counter is
 * dropped (that key then starts fresh: more permissive, never stricter). Expiry: once a second
 * (driven by decisions), counters whose {@link Limiter#idleAfterMs} has passed are dropped, since a
 * fresh counter would decide the same. A rule whose algorithm or window changes, or that is deleted
 * and published again, gets a new generation and its old counters are ignored, then age out.
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

  /** Decides a check locally at {@code nowMs}. Thread-safe. */
  ClientDecision decide(
      String id,
      String key,
      Map<String, String> metadata,
      long cost,
      long nowMs,
      FailureCause cause) {
    LimitRule rule = index.match(key, metadata);
    if (rule == null) {
      return new ClientDecision(
          Verdict.noMatchingRule(id, key, nowMs), DecisionSource.LOCAL_FALLBACK, cause, -1);
    }
    int n = rule.limits().size();
    CounterKey[] keys = new CounterKey[n];
    for (int i = 0; i < n; i++) {
      keys[i] = new CounterKey(Limiter.counterKey(rule, i, key, metadata));
    }
    Limiter.Evaluation ev;
    synchronized (counters) {
      if (nowMs >= nextSweepMs) {
        sweep(nowMs);
        nextSweepMs = nowMs + SWEEP_INTERVAL_MS;
      }
      byte[][] stored = new byte[n][];
      for (int i = 0; i < n; i++) {
        Counter c = counters.get(keys[i]);
        // A counter of another generation (or window or algorithm) reads as fresh in the Limiter.
        stored[i] = c == null ? null : c.state;
      }
      ev = Limiter.evaluate(rule, stored, id, key, cost, cost, nowMs);
      if (ev.counters() != null) {
        for (int i = 0; i < n; i++) {
          byte[] counter = ev.counters()[i];
          counters.put(keys[i], new Counter(counter, Limiter.idleAfterMs(counter)));
        }
      }
    }
    long windowSeconds = rule.limits().get(ev.verdict().limitIndex()).windowSeconds();
    return new ClientDecision(ev.verdict(), DecisionSource.LOCAL_FALLBACK, cause, windowSeconds);
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
