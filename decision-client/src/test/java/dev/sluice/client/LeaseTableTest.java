package dev.sluice.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The lease table on a fake clock, against a scripted service (the test answers each request). */
class LeaseTableTest {
  static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  static final long TIMEOUT = 500 * MS;

  /** Fake monotonic clock; the fake wall clock is {@code now / MS} (they agree, as on one host). */
  long now = 5_000_000 * MS + 100 * MS; // wall 5,000,000.100 s: 900 ms to the next second

  final PendingTable pending = new PendingTable(10_000);
  final List<Sent> sent = new ArrayList<>();
  final AtomicInteger plainSubmits = new AtomicInteger();
  final AtomicInteger ids = new AtomicInteger();

  record Sent(PendingCheck check, long maxCost, long atNanos) {}

  final LeaseTable.Host host =
      new LeaseTable.Host() {
        @Override
        public PendingCheck newCheck(String id, String key, Map<String, String> md, long cost) {
          return new PendingCheck(null, id, key, md, cost, cost, now + TIMEOUT);
        }

        @Override
        public PendingTable.AddResult admit(PendingCheck p) {
          return pending.add(p);
        }

        @Override
        public boolean release(PendingCheck p) {
          return pending.remove(p);
        }

        @Override
        public CompletableFuture<ClientDecision> refused(
            PendingCheck p, PendingTable.AddResult result) {
          throw new AssertionError(result.name());
        }

        @Override
        public void send(PendingCheck p, long maxCost) {
          sent.add(new Sent(p, maxCost, now));
        }

        @Override
        public CompletableFuture<ClientDecision> submitPlain(
            String id, String key, Map<String, String> md, long cost) {
          plainSubmits.incrementAndGet();
          return new CompletableFuture<>();
        }
      };

  LeaseTable table(LeaseSettings s) {
    return new LeaseTable(s, () -> now, () -> now / MS, host);
  }

  CompletableFuture<ClientDecision> check(LeaseTable t, String key, long cost) {
    return t.check("c" + ids.incrementAndGet(), key, Map.of(), cost);
  }

  static Verdict granted(Sent s, long granted, long limit, long remaining, long tMs) {
    return new Verdict(
        s.check.id,
        s.check.key,
        true,
        Reason.ALLOWED,
        "r",
        limit,
        remaining,
        100,
        0,
        granted,
        0,
        tMs,
        false,
        null);
  }

  static Verdict denied(Sent s, long retryAfterMs, long tMs) {
    return new Verdict(
        s.check.id,
        s.check.key,
        false,
        Reason.RATE_LIMITED,
        "r",
        10,
        0,
        500,
        retryAfterMs,
        0,
        0,
        tMs,
        false,
        null);
  }

  /** The service's reply to a sent request: removed by id as the reply thread does. */
  void reply(LeaseTable t, Sent s, Verdict v) {
    PendingCheck p = pending.remove(s.check.id, s.check.key);
    assertSame(s.check, p, "the request is pending");
    t.onReply(p, v);
  }

  long wallMs() {
    return now / MS;
  }

  @Test
  void shouldAnswerWaitersInArrivalOrderFromOneGrantThenLocally() {
    LeaseTable t = table(LeaseSettings.defaults().withMaxShare(0.5));
    CompletableFuture<ClientDecision> first = check(t, "k", 1);
    assertEquals(1, sent.size(), "one request");
    assertEquals(1, sent.get(0).maxCost, "no rate known yet: the cost");
    List<CompletableFuture<ClientDecision>> waiting = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      waiting.add(check(t, "k", 1));
    }
    assertEquals(1, sent.size(), "checks arriving meanwhile wait for it");
    now += MS;
    reply(t, sent.get(0), granted(sent.get(0), 1, 100, 99, wallMs()));
    assertEquals(DecisionSource.SERVICE, first.join().source());
    assertEquals(1, first.join().granted());
    assertEquals(2, sent.size(), "the first waiter asks for a lease sized by the demand");
    Sent second = sent.get(1);
    assertSame(waiting.get(0), second.check);
    assertEquals(50, second.maxCost, "5 checks in 1 ms is 5,000/s for 250 ms, capped at 0.5 x 100");
    now += MS;
    reply(t, second, granted(second, 50, 100, 49, wallMs()));
    assertEquals(DecisionSource.SERVICE, waiting.get(0).join().source());
    for (int i = 1; i < 5; i++) {
      ClientDecision d = waiting.get(i).join();
      assertEquals(DecisionSource.LEASE, d.source());
      assertEquals(
          49 + 49 - i, d.remaining(), "the service's 49 plus what the lease holds, in order");
      assertEquals(100, d.resetAfterMs(), "the grant's, served at once");
      assertEquals(1, d.granted());
    }
    for (int i = 0; i < 45; i++) {
      assertEquals(DecisionSource.LEASE, check(t, "k", 1).join().source());
    }
    assertEquals(2, sent.size(), "all 45 answered locally");
    check(t, "k", 1);
    assertEquals(3, sent.size(), "the lease is spent: a new request");
    assertEquals(49, t.localHits());
    assertEquals(3, t.leaseRequests());
    assertEquals(1, pending.size(), "only the new requester is pending");
  }

  @Test
  void shouldNotLeaseMoreThanTheCostWhenRepliesTakeLongerThanTheHorizon() {
    LeaseTable t = table(LeaseSettings.defaults().withMaxShare(1.0).withMaxWaiters(1000));
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 100; i++) {
        check(t, "k", 1);
      }
      Sent s = sent.get(sent.size() - 1);
      now += 300 * MS; // slower than the 250 ms horizon: a lease is dead when it arrives
      reply(t, s, granted(s, s.maxCost, 1000, 500, wallMs()));
    }
    // The first reply taught the latency: every later request asks for its own cost only.
    assertTrue(sent.size() > 3);
    for (Sent s : sent.subList(1, sent.size())) {
      assertEquals(1, s.maxCost, "no permits leased only to expire");
    }
  }

  @Test
  void shouldKeepPairsApartByMetadata() {
    LeaseTable t = table(LeaseSettings.defaults());
    t.check("a", "k", Map.of("route", "/a"), 1);
    t.check("b", "k", Map.of("route", "/b"), 1);
    t.check("c", "k", Map.of(), 1);
    assertEquals(3, sent.size(), "each pair its own lease");
    assertEquals(3, t.pairs());
  }

  @Test
  void shouldExpireTheLeaseAtTheHorizonCountedFromTheSendAndCountUnusedPermits() {
    LeaseTable t = table(LeaseSettings.defaults().withHorizon(Duration.ofMillis(250)));
    check(t, "k", 1);
    Sent s = sent.get(0);
    now += 200 * MS; // a slow reply: only 50 ms of the lease are left
    reply(t, s, granted(s, 40, 1000, 960, wallMs() - 199));
    for (int i = 0; i < 9; i++) {
      assertEquals(DecisionSource.LEASE, check(t, "k", 1).join().source());
    }
    now = s.atNanos + 250 * MS - LeaseTable.CLOCK_MARGIN_NANOS - 1;
    assertEquals(DecisionSource.LEASE, check(t, "k", 1).join().source(), "live until the end");
    now += 1;
    assertFalse(check(t, "k", 1).isDone(), "expired: waits for a new lease");
    assertEquals(2, sent.size());
    assertEquals(40 - 1 - 10, t.expiredPermits(), "the unused permits are counted as lost");
  }

  @Test
  void shouldEndEveryLeaseBeforeTheNextWholeSecondOfTheServiceClock() {
    LeaseTable t = table(LeaseSettings.defaults().withHorizon(Duration.ofSeconds(1)));
    assertEquals(1000 * MS - 2 * MS, t.lifetimeNanos(7_000), "a whole second, less the margin");
    assertEquals(100 * MS - 2 * MS, t.lifetimeNanos(7_900));
    assertEquals(MS - 2 * MS, t.lifetimeNanos(7_999), "less than the margin: dead on arrival");
    check(t, "k", 1);
    Sent s = sent.get(0);
    now += 5 * MS;
    // t' is 950 ms into its second: the lease (and every FIXED_WINDOW window) ends 50 ms later.
    long tPrime = (wallMs() / 1000) * 1000 + 950;
    reply(t, s, granted(s, 100, 1000, 900, tPrime));
    now = s.atNanos + 48 * MS - 1;
    assertEquals(DecisionSource.LEASE, check(t, "k", 1).join().source());
    now = s.atNanos + 48 * MS;
    assertFalse(check(t, "k", 1).isDone());
  }

  @Test
  void shouldCacheADenialUntilItsRetryAfterForCostsAtLeastTheDeniedOne() {
    LeaseTable t = table(LeaseSettings.defaults());
    CompletableFuture<ClientDecision> first = check(t, "k", 2);
    CompletableFuture<ClientDecision> bigger = check(t, "k", 3);
    CompletableFuture<ClientDecision> smaller = check(t, "k", 1);
    Sent s = sent.get(0);
    now += 10 * MS;
    reply(t, s, denied(s, 300, wallMs()));
    assertEquals(DecisionSource.SERVICE, first.join().source());
    assertFalse(first.join().allowed());
    ClientDecision b = bigger.join();
    assertEquals(DecisionSource.LEASE, b.source());
    assertFalse(b.allowed());
    assertEquals(Reason.RATE_LIMITED, b.reason());
    assertEquals(290, b.retryAfterMs(), "300 ms from the send, 10 ms of it gone");
    assertFalse(smaller.isDone(), "a smaller cost may pass: it asks the service");
    assertEquals(2, sent.size());
    assertSame(smaller, sent.get(1).check);
    reply(t, sent.get(1), denied(sent.get(1), 290, wallMs()));
    now = s.atNanos + 300 * MS - 1;
    assertEquals(DecisionSource.LEASE, check(t, "k", 2).join().source());
    assertEquals(2, sent.size(), "no round trip while denied");
    now += 1;
    check(t, "k", 2);
    assertEquals(3, sent.size(), "retryAfter passed: asks again");
  }

  @Test
  void shouldBoundTheDenialCacheForANeverDenialAndALongRetry() {
    LeaseTable t = table(LeaseSettings.defaults().withDenialCacheMax(Duration.ofSeconds(2)));
    check(t, "k", 1);
    Sent s = sent.get(0);
    reply(t, s, denied(s, -1, wallMs()));
    now += 2000 * MS - 1;
    ClientDecision d = check(t, "k", 1).join();
    assertEquals(-1, d.retryAfterMs(), "a never stays a never");
    now += 1;
    check(t, "k", 1);
    assertEquals(2, sent.size(), "cached at most denialCacheMax");
    Sent s2 = sent.get(1);
    reply(t, s2, denied(s2, 86_400_000, wallMs()));
    now += 2000 * MS;
    check(t, "k", 1);
    assertEquals(3, sent.size(), "a day's retryAfter is cached 2 s");
  }

  @Test
  void shouldCacheNoMatchingRuleForTheConfiguredTime() {
    LeaseTable t = table(LeaseSettings.defaults().withNoRuleCache(Duration.ofMillis(300)));
    CompletableFuture<ClientDecision> first = check(t, "k", 1);
    CompletableFuture<ClientDecision> waiter = check(t, "k", 5);
    Sent s = sent.get(0);
    reply(t, s, Verdict.noMatchingRule(s.check.id, "k", wallMs()));
    assertEquals(Reason.NO_MATCHING_RULE, first.join().reason());
    assertEquals(Reason.NO_MATCHING_RULE, waiter.join().reason());
    assertEquals(DecisionSource.LEASE, waiter.join().source());
    assertEquals(-1, waiter.join().granted());
    now += 300 * MS - 1;
    assertEquals(Reason.NO_MATCHING_RULE, check(t, "k", 1).join().reason());
    now += 1;
    check(t, "k", 1);
    assertEquals(2, sent.size());
  }

  @Test
  void shouldPassShadowDecisionsThroughAndSendWaitersOnTheirOwn() {
    LeaseTable t = table(LeaseSettings.defaults());
    CompletableFuture<ClientDecision> first = check(t, "k", 1);
    CompletableFuture<ClientDecision> w1 = check(t, "k", 1);
    CompletableFuture<ClientDecision> w2 = check(t, "k", 1);
    Sent s = sent.get(0);
    Verdict shadow =
        new Verdict(
            s.check.id,
            "k",
            true,
            Reason.RATE_LIMITED,
            "r",
            10,
            0,
            100,
            50,
            0,
            0,
            wallMs(),
            true,
            null);
    reply(t, s, shadow);
    assertTrue(first.join().shadow());
    assertEquals(3, sent.size(), "both waiters sent as plain checks");
    assertSame(w1, sent.get(1).check);
    assertSame(w2, sent.get(2).check);
    assertEquals(1, sent.get(1).maxCost, "maxCost = cost: nothing leased");
    assertNull(sent.get(1).check.lease);
    check(t, "k", 1);
    assertEquals(1, plainSubmits.get(), "the pair passes through for a while");
    assertEquals(0, t.localHits());
  }

  @Test
  void shouldHandTheRequestToTheNewestWaiterWhenTheRequesterTimesOut() {
    LeaseTable t = table(LeaseSettings.defaults());
    CompletableFuture<ClientDecision> first = check(t, "k", 1);
    now += 100 * MS;
    CompletableFuture<ClientDecision> second = check(t, "k", 1);
    now += 100 * MS;
    CompletableFuture<ClientDecision> third = check(t, "k", 1);
    now = sent.get(0).atNanos + TIMEOUT;
    expireDue(t);
    assertTrue(first.isDone());
    assertFalse(second.isDone(), "its own deadline is 100 ms later");
    assertEquals(2, sent.size(), "one waiter sends the lease request");
    assertSame(third, sent.get(1).check, "the newest: the most time left");
    now += 100 * MS;
    expireDue(t);
    assertTrue(second.isDone(), "at its own deadline, never later");
    assertEquals(2, sent.size(), "a waiter that is not the requester sends nothing");
    Sent s = sent.get(1);
    reply(t, s, granted(s, 5, 100, 95, wallMs()));
    assertEquals(DecisionSource.SERVICE, third.join().source());
    assertEquals(0, pending.size());
  }

  @Test
  void shouldRetryOncePerTimeoutNotOncePerCheckWhileTheServiceIsSilent() {
    LeaseTable t = table(LeaseSettings.defaults().withMaxWaiters(10_000));
    long start = now;
    while (now < start + 5 * TIMEOUT) {
      check(t, "k", 1);
      now += MS;
      expireDue(t);
    }
    assertTrue(sent.size() <= 6, "a request per timeout: " + sent.size());
    assertTrue(pending.size() <= 501, "every check still ends at its deadline");
  }

  /** What the deadline thread does: completes every due check by policy (here: FAIL_OPEN). */
  private void expireDue(LeaseTable t) {
    PendingCheck p;
    while ((p = pending.pollExpired(now)) != null) {
      t.onFailed(p, FailureCause.TIMEOUT);
      p.complete(ClientDecision.byStaticPolicy(true, p.id, p.key, wallMs(), FailureCause.TIMEOUT));
    }
  }

  @Test
  void shouldNotAnswerAWaiterThatAlreadyTimedOut() {
    LeaseTable t = table(LeaseSettings.defaults());
    check(t, "k", 1);
    PendingCheck w = (PendingCheck) check(t, "k", 1);
    // The deadline thread removed the waiter but has not completed it yet.
    assertTrue(pending.remove(w));
    Sent s = sent.get(0);
    reply(t, s, granted(s, 10, 100, 90, wallMs()));
    assertFalse(w.isDone(), "only the path that removed it completes it");
  }

  @Test
  void shouldBoundWaitersPerPairAndRefuseTheRestAsOverloaded() {
    LeaseTable t = table(LeaseSettings.defaults().withMaxWaiters(3));
    for (int i = 0; i < 3; i++) {
      check(t, "k", 1);
    }
    assertEquals(
        "FULL",
        assertThrows(AssertionError.class, () -> check(t, "k", 1)).getMessage(),
        "beyond the bound: refused as a full table is, by policy at once");
    assertEquals(1, sent.size(), "and not sent: the service is not keeping up");
    assertEquals(3, pending.size(), "the requester and two waiters");
    assertEquals(0, plainSubmits.get());
  }

  @Test
  void shouldBoundPairsAndSweepIdleOnes() {
    LeaseTable t = table(LeaseSettings.defaults().withMaxPairs(2));
    check(t, "a", 1);
    check(t, "b", 1);
    check(t, "c", 1);
    assertEquals(2, t.pairs());
    assertEquals(1, plainSubmits.get(), "no room, nothing sweepable: on its own");
    reply(t, sent.get(0), Verdict.noMatchingRule(sent.get(0).check.id, "a", wallMs()));
    reply(t, sent.get(1), Verdict.noMatchingRule(sent.get(1).check.id, "b", wallMs()));
    now += 1000 * MS; // the no-rule caches (1 s) ended
    check(t, "c", 1);
    assertEquals(1, t.pairs(), "a pressure sweep removed a and b, c took a place");
    assertEquals(3, sent.size());
    now += 2 * LeaseTable.SWEEP_NANOS;
    t.maybeSweep();
    assertEquals(1, t.pairs(), "c has a request in flight: live");
    reply(t, sent.get(2), Verdict.noMatchingRule(sent.get(2).check.id, "c", wallMs()));
    now += 2 * LeaseTable.SWEEP_NANOS;
    t.maybeSweep();
    assertEquals(0, t.pairs(), "idle entries leave");
  }

  @Test
  void shouldCapTheLeaseByShareAndByHalfTheLastRemaining() {
    LeaseTable t = table(LeaseSettings.defaults().withMaxShare(0.1).withMaxWaiters(1000));
    check(t, "k", 1);
    for (int i = 0; i < 500; i++) {
      check(t, "k", 1);
    }
    now += MS;
    Sent s = sent.get(0);
    reply(t, s, granted(s, 1, 1000, 999, wallMs()));
    assertEquals(100, sent.get(1).maxCost, "0.1 x 1000 although the demand is larger");
    Sent s2 = sent.get(1);
    now += MS;
    reply(t, s2, granted(s2, 100, 1000, 30, wallMs()));
    Sent s3 = sent.get(2);
    assertEquals(15, s3.maxCost, "half of the 30 left: leave some for the other instances");
  }

  @Test
  void shouldLetRuleChangesTakeEffectWhenTheLeaseExpires() {
    LeaseTable t = table(LeaseSettings.defaults().withHorizon(Duration.ofMillis(100)));
    check(t, "k", 1);
    Sent s = sent.get(0);
    reply(t, s, granted(s, 50, 1000, 950, wallMs()));
    // The rule is deleted now; the lease keeps answering until it expires, not longer.
    now = s.atNanos + 100 * MS - LeaseTable.CLOCK_MARGIN_NANOS;
    assertFalse(check(t, "k", 1).isDone());
    Sent s2 = sent.get(1);
    reply(t, s2, Verdict.noMatchingRule(s2.check.id, "k", wallMs()));
    assertEquals(Reason.NO_MATCHING_RULE, check(t, "k", 1).join().reason());
  }
}
