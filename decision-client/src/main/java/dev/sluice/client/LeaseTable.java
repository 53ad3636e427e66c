package dev.sluice.client;

import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Client-side quota leases: per (key, metadata) pair, a block of permits the service charged in one
 * request ({@code maxCost} = the lease size) and that this client spends locally.
 *
 * <p>Design notes.
 *
 * <ul>
 *   <li><b>One request per pair at a time.</b> A check that no live lease covers joins the pair's
 *       FIFO of waiters; the first waiter is the <i>requester</i> and sends the lease request with
 *       its own id. The reply answers the requester (a service decision for its cost) and then the
 *       waiters in arrival order from what is left. Waiters are ordinary {@link PendingCheck}s in
 *       the {@link PendingTable} (so {@code maxInFlight}, deadlines and close apply to them as to
 *       any check) that are simply not sent; when the requester fails (timeout, send failure) the
 *       newest waiter becomes the requester (it has the most time left; one retry per timeout while
 *       the service is slow, not one per check), so every waiter is answered by its own deadline at
 *       the latest. A waiter is completed only by the path that removes it from the table.
 *   <li><b>Expiry.</b> A lease lives from the moment its request was <i>sent</i> (the client's
 *       monotonic clock, so a slow reply only shortens it) for at most the horizon {@code H}, and
 *       never past the next whole second of the decision's effective time t', less a {@link
 *       #CLOCK_MARGIN_NANOS} for the millisecond granularity of record timestamps. Every window is
 *       a whole number of seconds aligned to the epoch (SPEC 5), so no limit's fixed window ends
 *       inside a lease: every permit a lease admits is admitted in the window it was charged in,
 *       for every {@code FIXED_WINDOW} limit of every rule, without the client knowing the rule.
 *   <li><b>Sizing.</b> From the pair's demand since its last lease request (an average of the last
 *       two rates, permits per second, times {@code H}), at most {@code maxShare} of the binding
 *       limit, at most half of the {@code remaining} the last grant reported while that grant is
 *       current, at least the requester's cost. Unused permits are lost at expiry and counted
 *       ({@link #expiredPermits}).
 *   <li><b>Caches.</b> A denial for cost {@code c} answers checks of cost {@code c} or more until
 *       its {@code retryAfterMs} (from the send), at most {@code denialCacheMax}; {@code
 *       NO_MATCHING_RULE} is answered locally for {@code noRuleCache}; a shadow (or otherwise
 *       unleasable) answer sends that pair's checks one by one for {@code noRuleCache}.
 *   <li><b>Bounds.</b> At most {@code maxPairs} entries (a new pair beyond it goes to the service
 *       on its own, after one pressure sweep at most every {@link #PRESSURE_SWEEP_NANOS}); at most
 *       {@code maxWaiters} waiters per pair (beyond it a check completes by policy at once, as
 *       {@code OVERLOADED}, like a full pending table: the service is not keeping up, and a request
 *       of its own would only add to its load). An entry with no live lease, cache, requester or
 *       waiter is removed by the sweep once idle for {@link #IDLE_NANOS} (at once under pressure),
 *       so an entry lives at most the longest cache plus the idle time plus a sweep period after
 *       its last use.
 * </ul>
 *
 * Locks: an entry's monitor, then (inside it) the pending table's; never the other way round.
 * Clocks are injected so that tests run on a fake clock.
 */
final class LeaseTable {
  /** What the lease table needs from the client: the pending table and the wire. */
  interface Host {
    /** A new check of {@code cost} (its {@code maxCost} equal), not yet in the table. */
    PendingCheck newCheck(String id, String key, Map<String, String> metadata, long cost);

    /** Adds the check to the pending table. */
    PendingTable.AddResult admit(PendingCheck p);

    /** Removes the check from the pending table; false when another path already removed it. */
    boolean release(PendingCheck p);

    /** Completes a check the table refused (full, closed) or throws for a duplicate id. */
    CompletableFuture<ClientDecision> refused(PendingCheck p, PendingTable.AddResult result);

    /** Sends the request of a check in the table, with this {@code maxCost}. */
    void send(PendingCheck p, long maxCost);

    /** The ordinary path for a check that is not leased. */
    CompletableFuture<ClientDecision> submitPlain(
        String id, String key, Map<String, String> metadata, long cost);
  }

  /** A lease belongs to one (key, metadata) pair. */
  record Pair(String key, Map<String, String> metadata) {}

  /** Record timestamps are whole milliseconds; see the class comment. */
  static final long CLOCK_MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  static final long SWEEP_NANOS = TimeUnit.SECONDS.toNanos(1);
  static final long PRESSURE_SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long MAX_COST = 1_000_000_000L;
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  /** One pair's lease state; every field is guarded by the entry's monitor. */
  static final class Entry {
    final Pair pair;
    long permits;
    long leaseExpires;
    String ruleId;
    long limit = -1;
    int limitIndex = -1;
    long lastRemaining;
    long grantResetAfterMs;
    long grantAt;
    boolean remainingKnown;
    long remainingUntil;

    boolean denyCached;
    long deniedUntil;
    long deniedCost;
    long denialAt;
    Verdict denial;

    boolean noRuleCached;
    long noRuleUntil;
    boolean passCached;
    long passUntil;

    final ArrayDeque<PendingCheck> waiters = new ArrayDeque<>();
    PendingCheck requester;

    long lastUsed;
    long demand;
    boolean requestedBefore;
    long lastRequestAt;
    double rate;
    long latency;
    boolean evicted;

    Entry(Pair pair) {
      this.pair = pair;
    }
  }

  private final LeaseSettings settings;
  private final long horizonNanos;
  private final long denialMaxNanos;
  private final long noRuleNanos;
  private final DeadlineLoop.Ticker ticker;
  private final LongSupplier wallMs;
  private final Host host;

  private final ConcurrentHashMap<Pair, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicInteger size = new AtomicInteger();
  private volatile long lastSweep;
  private volatile long lastPressureSweep;

  private final LongAdder localHits = new LongAdder();
  private final LongAdder instantHits = new LongAdder();
  private final LongAdder leaseRequests = new LongAdder();
  private final LongAdder expiredPermits = new LongAdder();
  private final LongAdder grantedPermits = new LongAdder();
  private final LongAdder queued = new LongAdder();
  private final LongAdder sentLater = new LongAdder();
  private final LongAdder bypassed = new LongAdder();

  /**
   * Sends queued by this thread (see {@link #sendAll}): keeps send-failure chains off the stack.
   */
  private final ThreadLocal<ArrayDeque<Object[]>> outbox = ThreadLocal.withInitial(ArrayDeque::new);

  private final ThreadLocal<boolean[]> draining = ThreadLocal.withInitial(() -> new boolean[1]);

  LeaseTable(LeaseSettings settings, DeadlineLoop.Ticker ticker, LongSupplier wallMs, Host host) {
    this.settings = settings;
    this.horizonNanos = settings.horizon().toNanos();
    this.denialMaxNanos = settings.denialCacheMax().toNanos();
    this.noRuleNanos = settings.noRuleCache().toNanos();
    this.ticker = ticker;
    this.wallMs = wallMs;
    this.host = host;
    this.lastSweep = ticker.nanoTime();
    this.lastPressureSweep = lastSweep - PRESSURE_SWEEP_NANOS;
  }

  /** A plain check (cost 1 or more, maxCost = cost): answered locally, or waits for a lease. */
  CompletableFuture<ClientDecision> check(
      String id, String key, Map<String, String> metadata, long cost) {
    long now = ticker.nanoTime();
    Pair pair = new Pair(key, metadata);
    while (true) {
      Entry e = entry(pair, now);
      if (e == null) {
        bypassed.increment();
        return host.submitPlain(id, key, metadata, cost);
      }
      PendingCheck p = null;
      PendingTable.AddResult refused = null;
      long size = -1;
      synchronized (e) {
        if (e.evicted) {
          continue;
        }
        e.lastUsed = now;
        e.demand += cost;
        ClientDecision d = answerLocally(e, id, key, cost, now);
        if (d != null) {
          localHits.increment();
          instantHits.increment();
          return CompletableFuture.completedFuture(d);
        }
        boolean plain = e.passCached && e.passUntil - now > 0;
        if (!plain) {
          p = host.newCheck(id, key, metadata, cost);
          // A full wait list means the pair's lease request has been out for a long time: the
          // service is slow, and sending this check on its own would only add to its load.
          PendingTable.AddResult r =
              e.waiters.size() >= settings.maxWaiters()
                  ? PendingTable.AddResult.FULL
                  : host.admit(p);
          if (r != PendingTable.AddResult.ADDED) {
            refused = r;
          } else {
            p.lease = e;
            e.waiters.addLast(p);
            if (e.requester == null) {
              e.requester = p;
              size = sizeFor(e, cost, now);
              p.leaseSentNanos = now;
            } else {
              queued.increment();
            }
          }
        }
      }
      if (p == null) {
        bypassed.increment();
        return host.submitPlain(id, key, metadata, cost);
      }
      if (refused != null) {
        return host.refused(p, refused);
      }
      if (size >= 0) {
        sendAll(p, size);
      }
      return p;
    }
  }

  /** Reply thread: the service's decision for {@code p}, a check of a lease pair. */
  void onReply(PendingCheck p, Verdict v) {
    Entry e = p.lease;
    long now = ticker.nanoTime();
    ClientDecision own = ClientDecision.fromService(v);
    List<PendingCheck> served = new ArrayList<>();
    List<ClientDecision> decisions = new ArrayList<>();
    List<PendingCheck> plain = new ArrayList<>();
    PendingCheck next = null;
    long nextSize = -1;
    synchronized (e) {
      e.waiters.remove(p);
      if (e.requester == p) {
        e.requester = null;
      }
      long rtt = Math.max(0, now - p.leaseSentNanos);
      e.latency = e.latency == 0 ? rtt : (e.latency + rtt) / 2;
      if (v.reason() == Reason.ALLOWED
          && v.allowed()
          && !v.shadow()
          && v.ruleId() != null
          && v.granted() >= p.cost) {
        own = ClientDecision.fromService(withGranted(v, p.cost));
        grantedPermits.add(v.granted());
        dropLease(e, now, true);
        e.permits = v.granted() - p.cost;
        e.leaseExpires = p.leaseSentNanos + lifetimeNanos(v.timestampMs());
        e.ruleId = v.ruleId();
        e.limit = v.limit();
        e.limitIndex = v.limitIndex();
        e.lastRemaining = v.remaining();
        e.grantResetAfterMs = v.resetAfterMs();
        e.grantAt = now;
        e.remainingKnown = true;
        e.remainingUntil = e.leaseExpires;
        e.denyCached = false;
        e.noRuleCached = false;
        e.passCached = false;
        expire(e, now);
        PendingCheck w;
        while ((w = e.waiters.peekFirst()) != null && e.permits >= w.cost) {
          e.waiters.pollFirst();
          if (host.release(w)) {
            e.permits -= w.cost;
            served.add(w);
            decisions.add(leaseDecision(e, w.id, w.key, w.cost, now));
          }
        }
      } else if (!v.allowed() && v.reason() == Reason.RATE_LIMITED && !v.shadow()) {
        long wait =
            v.retryAfterMs() < 0
                ? denialMaxNanos
                : Math.min(denialMaxNanos, TimeUnit.MILLISECONDS.toNanos(v.retryAfterMs()));
        long until = p.leaseSentNanos + wait;
        if (wait > 0 && until - now > 0) {
          e.denyCached = true;
          e.deniedUntil = until;
          e.deniedCost = p.cost;
          e.denialAt = now;
          e.denial = v;
          for (Iterator<PendingCheck> it = e.waiters.iterator(); it.hasNext(); ) {
            PendingCheck w = it.next();
            if (w.cost >= p.cost) {
              it.remove();
              if (host.release(w)) {
                served.add(w);
                decisions.add(denialDecision(e, w.id, w.key, now));
              }
            }
          }
        }
      } else if (v.reason() == Reason.NO_MATCHING_RULE) {
        dropLease(e, now, true);
        if (noRuleNanos > 0) {
          e.noRuleCached = true;
          e.noRuleUntil = now + noRuleNanos;
        }
        e.denyCached = false;
        // They asked the same question at the same time: the same answer.
        for (PendingCheck w : e.waiters) {
          if (host.release(w)) {
            served.add(w);
            decisions.add(noRuleDecision(w.id, w.key));
          }
        }
        e.waiters.clear();
      } else {
        // Shadow, invalid, or a service that does not grant (older than contract version 2):
        // nothing to lease, so this pair's checks go one by one for a while.
        if (noRuleNanos > 0) {
          e.passCached = true;
          e.passUntil = now + noRuleNanos;
        }
        for (PendingCheck w : e.waiters) {
          w.lease = null;
          plain.add(w);
        }
        e.waiters.clear();
      }
      if (e.requester == null && !e.waiters.isEmpty()) {
        next = e.waiters.peekFirst();
        e.requester = next;
        nextSize = sizeFor(e, next.cost, now);
        next.leaseSentNanos = now;
        sentLater.increment();
      }
    }
    p.complete(own);
    localHits.add(served.size());
    for (int i = 0; i < served.size(); i++) {
      served.get(i).complete(decisions.get(i));
    }
    sentLater.add(plain.size());
    for (PendingCheck w : plain) {
      host.send(w, w.cost);
    }
    if (next != null) {
      sendAll(next, nextSize);
    }
  }

  /**
   * {@code p}, a check of a lease pair, is being completed by the failure policy (the caller
   * removed it from the table): if it was the pair's requester, the newest waiter takes over,
   * unless the client is closing.
   */
  void onFailed(PendingCheck p, FailureCause cause) {
    Entry e = p.lease;
    if (e == null) {
      return;
    }
    PendingCheck next = null;
    long size = -1;
    synchronized (e) {
      e.waiters.remove(p);
      if (e.requester == p) {
        e.requester = null;
        if (cause != FailureCause.CLOSED && !e.waiters.isEmpty()) {
          // The newest waiter has the most time left: the service did not answer within a
          // timeout, so the older ones would likely time out before an answer, and handing the
          // request to each in turn would send one request per check while the service is slow.
          // The older ones stay first in line for the grant.
          long now = ticker.nanoTime();
          next = e.waiters.peekLast();
          e.requester = next;
          size = sizeFor(e, next.cost, now);
          next.leaseSentNanos = now;
          sentLater.increment();
        }
      }
    }
    if (next != null) {
      sendAll(next, size);
    }
  }

  /** Housekeeping (the deadline thread): sweeps idle entries once per {@link #SWEEP_NANOS}. */
  void maybeSweep() {
    long now = ticker.nanoTime();
    if (now - lastSweep >= SWEEP_NANOS) {
      lastSweep = now;
      sweep(now, false);
    }
  }

  /** Removes entries with nothing live; idle ones only, unless under pressure. */
  int sweep(long now, boolean pressure) {
    int removed = 0;
    for (Entry e : entries.values()) {
      synchronized (e) {
        expire(e, now);
        boolean live =
            e.requester != null
                || !e.waiters.isEmpty()
                || e.permits > 0
                || (e.denyCached && e.deniedUntil - now > 0)
                || (e.noRuleCached && e.noRuleUntil - now > 0)
                || (e.passCached && e.passUntil - now > 0);
        if (live || (!pressure && now - e.lastUsed < IDLE_NANOS)) {
          continue;
        }
        e.evicted = true;
      }
      if (entries.remove(e.pair, e)) {
        size.decrementAndGet();
        removed++;
      }
    }
    return removed;
  }

  int pairs() {
    return size.get();
  }

  long localHits() {
    return localHits.sum();
  }

  /** Checks answered locally at once, never entering the pending table. */
  long instantHits() {
    return instantHits.sum();
  }

  long leaseRequests() {
    return leaseRequests.sum();
  }

  long grantedPermits() {
    return grantedPermits.sum();
  }

  /** Leased permits that expired (or were replaced) unused; counted when noticed. */
  long expiredPermits() {
    return expiredPermits.sum();
  }

  /** Checks that went to the service on their own although leasing is on (no room, shadow). */
  long bypassed() {
    return bypassed.sum();
  }

  /** Checks that entered the pending table as waiters and were never sent. */
  long notSent() {
    return queued.sum() - sentLater.sum();
  }

  // ---- inside an entry's monitor

  private Entry entry(Pair pair, long now) {
    Entry e = entries.get(pair);
    if (e != null) {
      return e;
    }
    if (size.incrementAndGet() > settings.maxPairs()) {
      size.decrementAndGet();
      if (now - lastPressureSweep < PRESSURE_SWEEP_NANOS) {
        return null;
      }
      lastPressureSweep = now;
      sweep(now, true);
      if (size.incrementAndGet() > settings.maxPairs()) {
        size.decrementAndGet();
        return null;
      }
    }
    Entry fresh = new Entry(pair);
    fresh.lastUsed = now;
    Entry old = entries.putIfAbsent(pair, fresh);
    if (old != null) {
      size.decrementAndGet();
      return old;
    }
    return fresh;
  }

  private ClientDecision answerLocally(Entry e, String id, String key, long cost, long now) {
    if (e.noRuleCached) {
      if (e.noRuleUntil - now > 0) {
        return noRuleDecision(id, key);
      }
      e.noRuleCached = false;
    }
    if (e.denyCached) {
      if (e.deniedUntil - now > 0) {
        if (cost >= e.deniedCost) {
          return denialDecision(e, id, key, now);
        }
      } else {
        e.denyCached = false;
        e.denial = null;
      }
    }
    expire(e, now);
    if (e.permits >= cost && e.waiters.isEmpty()) {
      e.permits -= cost;
      return leaseDecision(e, id, key, cost, now);
    }
    return null;
  }

  private void expire(Entry e, long now) {
    if (e.permits > 0 && e.leaseExpires - now <= 0) {
      expiredPermits.add(e.permits);
      e.permits = 0;
    }
  }

  private void dropLease(Entry e, long now, boolean count) {
    expire(e, now);
    if (count && e.permits > 0) {
      expiredPermits.add(e.permits);
    }
    e.permits = 0;
  }

  /** Adaptive size; updates the pair's rate. */
  private long sizeFor(Entry e, long cost, long now) {
    if (e.requestedBefore) {
      long elapsed = now - e.lastRequestAt;
      if (elapsed > 0) {
        double r = e.demand * 1e9 / elapsed;
        e.rate = e.rate == 0 ? r : (e.rate + r) / 2;
      }
    }
    e.requestedBefore = true;
    e.lastRequestAt = now;
    e.demand = 0;
    // What the pair will spend in the part of the lease left after the reply arrives.
    long usable = Math.max(0, horizonNanos - e.latency);
    double want = Math.ceil(e.rate * usable / 1e9);
    long cap = e.limit > 0 ? Math.max(1, (long) (e.limit * settings.maxShare())) : 1;
    if (e.remainingKnown && e.remainingUntil - now > 0) {
      cap = Math.min(cap, Math.max(1, (e.lastRemaining + 1) / 2));
    }
    long size = (long) Math.min(want, cap);
    return Math.min(MAX_COST, Math.max(cost, size));
  }

  /**
   * How long a lease granted at effective time {@code tPrimeMs} may live from its send: at most the
   * horizon, and ending before the next whole second of t' (less the clock margin).
   */
  long lifetimeNanos(long tPrimeMs) {
    long toNextSecondMs = 1000 - Math.floorMod(tPrimeMs, 1000L);
    return Math.min(horizonNanos, toNextSecondMs * MS) - CLOCK_MARGIN_NANOS;
  }

  /**
   * A check spent from the lease. {@code remaining} is what the service reported left at the grant
   * plus what this lease still holds (what the caller could still get, as far as this client
   * knows); {@code resetAfterMs} the grant's, counted down on the client's clock: the figures
   * {@link RateLimitHeaders} should show, not the lease's own.
   */
  private ClientDecision leaseDecision(Entry e, String id, String key, long cost, long now) {
    Verdict v =
        new Verdict(
            id,
            key,
            true,
            Reason.ALLOWED,
            e.ruleId,
            e.limit,
            Math.max(0, e.lastRemaining) + e.permits,
            e.grantResetAfterMs < 0
                ? -1
                : Math.max(0, e.grantResetAfterMs - (now - e.grantAt) / MS),
            0,
            cost,
            e.limitIndex,
            wallMs.getAsLong(),
            false,
            null);
    return new ClientDecision(v, DecisionSource.LEASE, FailureCause.NONE, -1);
  }

  private ClientDecision denialDecision(Entry e, String id, String key, long now) {
    Verdict d = e.denial;
    long elapsedMs = (now - e.denialAt) / MS;
    Verdict v =
        new Verdict(
            id,
            key,
            false,
            Reason.RATE_LIMITED,
            d.ruleId(),
            d.limit(),
            d.remaining(),
            Math.max(0, d.resetAfterMs() - elapsedMs),
            d.retryAfterMs() < 0 ? -1 : Math.max(1, ceilMs(e.deniedUntil - now)),
            0,
            d.limitIndex(),
            wallMs.getAsLong(),
            false,
            null);
    return new ClientDecision(v, DecisionSource.LEASE, FailureCause.NONE, -1);
  }

  private ClientDecision noRuleDecision(String id, String key) {
    return new ClientDecision(
        Verdict.noMatchingRule(id, key, wallMs.getAsLong()),
        DecisionSource.LEASE,
        FailureCause.NONE,
        -1);
  }

  private static Verdict withGranted(Verdict v, long granted) {
    return new Verdict(
        v.requestId(),
        v.key(),
        v.allowed(),
        v.reason(),
        v.ruleId(),
        v.limit(),
        v.remaining(),
        v.resetAfterMs(),
        v.retryAfterMs(),
        granted,
        v.limitIndex(),
        v.timestampMs(),
        v.shadow(),
        v.message());
  }

  private static long ceilMs(long nanos) {
    return (nanos + MS - 1) / MS;
  }

  /**
   * Sends a lease request; a send that fails at once completes its check by policy, which may
   * promote the next waiter and send again: those sends queue here instead of nesting, so a chain
   * of failures (a broker outage with many waiters) runs as a loop, not a deep stack.
   */
  private void sendAll(PendingCheck p, long size) {
    ArrayDeque<Object[]> q = outbox.get();
    q.addLast(new Object[] {p, size});
    boolean[] busy = draining.get();
    if (busy[0]) {
      return;
    }
    busy[0] = true;
    try {
      Object[] next;
      while ((next = q.pollFirst()) != null) {
        leaseRequests.increment();
        host.send((PendingCheck) next[0], (Long) next[1]);
      }
    } finally {
      busy[0] = false;
    }
  }
}
