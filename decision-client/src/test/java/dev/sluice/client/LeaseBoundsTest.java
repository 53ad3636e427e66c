package dev.sluice.client;

import static dev.sluice.client.testing.SortedTimes.count;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/**
 * Several lease tables (client instances) against a model service on one fake clock, with random
 * arrivals and random request and reply latencies: the documented bounds hold, counted from the
 * clients' own admissions (a service decision at its t', a lease decision at the client's clock).
 * The model service charges as SPEC 5 says, for a FIXED_WINDOW and a SLIDING_WINDOW limit; the real
 * service is exercised by {@code LeaseIntegrationTest} in streams-app.
 */
class LeaseBoundsTest {
  static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  static final long L = 1000;
  static final long W = 1000; // ms
  static final long H = 250; // ms
  static final int CLIENTS = 4;
  static final long RUN_MS = 6_000;

  enum Algo {
    FIXED,
    SLIDING
  }

  long now = 1_700_000_000_000L * MS;
  long serviceClockMs;
  final PriorityQueue<Event> events = new PriorityQueue<>();
  long seq;
  final TreeMap<Long, Long> log = new TreeMap<>(); // sliding log: t -> permits
  final java.util.HashMap<Long, Long> fixedUsed = new java.util.HashMap<>();

  record Event(long at, long seq, Runnable run) implements Comparable<Event> {
    @Override
    public int compareTo(Event o) {
      return at != o.at ? Long.compare(at, o.at) : Long.compare(seq, o.seq);
    }
  }

  record Admission(long ms, DecisionSource source) {}

  void at(long when, Runnable r) {
    events.add(new Event(when, seq++, r));
  }

  /** The model service: decides {@code cost..maxCost} at its clock, SPEC 5, one limit. */
  Verdict decide(Algo algo, PendingCheck p, long maxCost) {
    long t = serviceClockMs;
    long used;
    long reset;
    if (algo == Algo.FIXED) {
      long s = Math.floorDiv(t, W) * W;
      used = fixedUsed.getOrDefault(s, 0L);
      reset = s + W - t;
    } else {
      log.headMap(t - W, true).clear();
      used = log.values().stream().mapToLong(Long::longValue).sum();
      reset = log.isEmpty() ? 0 : log.firstKey() + W - t;
    }
    long g = L - used;
    if (p.cost <= g) {
      long granted = Math.min(maxCost, g);
      if (algo == Algo.FIXED) {
        fixedUsed.merge(Math.floorDiv(t, W) * W, granted, Long::sum);
      } else {
        log.merge(t, granted, Long::sum);
      }
      return new Verdict(
          p.id,
          p.key,
          true,
          Reason.ALLOWED,
          "r",
          L,
          g - granted,
          reset,
          0,
          granted,
          0,
          t,
          false,
          null);
    }
    long retry;
    if (algo == Algo.FIXED) {
      retry = reset;
    } else {
      long need = used + p.cost - L;
      long freed = 0;
      retry = 0;
      for (Map.Entry<Long, Long> e : log.entrySet()) {
        freed += e.getValue();
        if (freed >= need) {
          retry = e.getKey() + W - t;
          break;
        }
      }
    }
    return new Verdict(
        p.id, p.key, false, Reason.RATE_LIMITED, "r", L, 0, reset, retry, 0, 0, t, false, null);
  }

  List<Admission> run(Algo algo, long seed, int perMille, long horizonMs) {
    Random rnd = new Random(seed);
    List<Admission> admitted = new ArrayList<>();
    LeaseSettings settings =
        LeaseSettings.defaults()
            .withHorizon(Duration.ofMillis(horizonMs))
            .withMaxShare(1.0 / CLIENTS);
    List<LeaseTable> tables = new ArrayList<>();
    List<PendingTable> pendings = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      PendingTable pending = new PendingTable(10_000);
      LeaseTable[] self = new LeaseTable[1];
      LeaseTable.Host host =
          new LeaseTable.Host() {
            @Override
            public PendingCheck newCheck(String id, String key, Map<String, String> md, long cost) {
              return new PendingCheck(null, id, key, md, cost, cost, now + 500 * MS);
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
              throw new AssertionError(result);
            }

            @Override
            public void send(PendingCheck p, long maxCost) {
              long arrive = now + (200 + rnd.nextInt(3000)) * 1000L;
              at(
                  arrive,
                  () -> {
                    // The record timestamp: the service's clock at append, never backwards.
                    serviceClockMs = Math.max(serviceClockMs, now / MS);
                    Verdict v = decide(algo, p, maxCost);
                    at(
                        now + (200 + rnd.nextInt(3000)) * 1000L,
                        () -> {
                          PendingCheck q = pending.remove(p.id, p.key);
                          if (q != null) {
                            self[0].onReply(q, v);
                          }
                        });
                  });
            }

            @Override
            public CompletableFuture<ClientDecision> submitPlain(
                String id, String key, Map<String, String> md, long cost) {
              PendingCheck p = newCheck(id, key, md, cost);
              pending.add(p);
              send(p, cost);
              return p;
            }
          };
      self[0] = new LeaseTable(settings, () -> now, () -> now / MS, host);
      tables.add(self[0]);
      pendings.add(pending);
    }
    long end = now + RUN_MS * MS;
    long ids = 0;
    while (now < end) {
      long step = rnd.nextInt(200) * 1000L + 1;
      long target = now + step;
      while (!events.isEmpty() && events.peek().at <= target) {
        Event e = events.poll();
        now = Math.max(now, e.at);
        e.run.run();
      }
      now = target;
      for (int c = 0; c < CLIENTS; c++) {
        PendingCheck p;
        while ((p = pendings.get(c).pollExpired(now)) != null) {
          tables.get(c).onFailed(p, FailureCause.TIMEOUT);
          p.complete(
              ClientDecision.byStaticPolicy(false, p.id, p.key, now / MS, FailureCause.TIMEOUT));
        }
        if (rnd.nextInt(1000) < perMille) {
          tables
              .get(c)
              .check("c" + ids++, "k", Map.of(), 1)
              .thenAccept(
                  d -> {
                    if (d.allowed()) {
                      admitted.add(new Admission(d.timestampMs(), d.source()));
                    }
                  });
        }
      }
    }
    long hits = tables.stream().mapToLong(LeaseTable::localHits).sum();
    assertTrue(hits > admitted.size() / 2, "most admissions are lease hits: " + hits);
    return admitted;
  }

  /** About 20x the limit: the window fills early, then denials are cached to its end. */
  @RepeatedTest(5)
  void shouldAdmitAtLeastNinetyPercentAndNeverMoreThanTheLimitPerFixedWindowWhenOverloaded(
      RepetitionInfo rep) {
    TreeMap<Long, Integer> perWindow =
        perWindow(run(Algo.FIXED, rep.getCurrentRepetition(), 500, H));
    assertAtMostLimit(perWindow);
    // Whole windows after the first: nearly all of L admitted.
    List<Integer> full = new ArrayList<>(perWindow.values()).subList(1, perWindow.size() - 1);
    for (int n : full) {
      assertTrue(n >= 0.9 * L, "under-admission: " + full);
    }
  }

  /**
   * About 1.2x the limit, with the longest horizon: windows fill near their end, so leases granted
   * late in a window are live when it ends; a lease outliving its window over-admits here (a
   * lifetime of just {@code H} fails this test).
   */
  @RepeatedTest(5)
  void shouldNeverAdmitMoreThanTheLimitInAFixedWindowNearTheLimit(RepetitionInfo rep) {
    TreeMap<Long, Integer> perWindow =
        perWindow(run(Algo.FIXED, 50 + rep.getCurrentRepetition(), 30, 1000));
    assertAtMostLimit(perWindow);
  }

  private static TreeMap<Long, Integer> perWindow(List<Admission> admitted) {
    TreeMap<Long, Integer> perWindow = new TreeMap<>();
    for (Admission a : admitted) {
      perWindow.merge(Math.floorDiv(a.ms, W), 1, Integer::sum);
    }
    return perWindow;
  }

  private static void assertAtMostLimit(TreeMap<Long, Integer> perWindow) {
    for (Map.Entry<Long, Integer> e : perWindow.entrySet()) {
      assertTrue(e.getValue() <= L, "window " + e.getKey() + " admitted " + e.getValue());
    }
  }

  @RepeatedTest(5)
  void shouldKeepTheSlidingWindowBoundOfLimitPlusPermitsLeasedInTheHorizonBefore(
      RepetitionInfo rep) {
    List<Admission> admitted = run(Algo.SLIDING, 100 + rep.getCurrentRepetition(), 30, H);
    long[] all = admitted.stream().mapToLong(Admission::ms).sorted().toArray();
    long[] leased =
        admitted.stream()
            .filter(a -> a.source == DecisionSource.LEASE)
            .mapToLong(Admission::ms)
            .sorted()
            .toArray();
    // In any (x - W, x]: at most L, plus the lease permits spent in its first H (only those can
    // have been charged before the window: a lease lives at most H).
    for (long x : all) {
      long inWindow = count(all, x - W, x);
      long early = count(leased, x - W, Math.min(x, x - W + H));
      assertTrue(inWindow <= L + early, "at " + x + ": " + inWindow + " > " + L + " + " + early);
    }
    assertTrue(all.length >= 0.9 * L * (RUN_MS / W - 1), "admitted " + all.length);
  }
}
