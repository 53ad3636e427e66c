package dev.sluice.bench.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.client.ClientDecision;
import dev.sluice.client.ClientMetrics;
import dev.sluice.client.DecisionClient;
import dev.sluice.client.DecisionClientConfig;
import dev.sluice.client.DecisionSource;
import dev.sluice.client.FailurePolicy;
import dev.sluice.client.LeaseSettings;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;
import org.HdrHistogram.Histogram;

/**
 * The {@code sluice-leased} target of {@code sluice bench}: one {@link DecisionClient} with
 * client-side leases on, in front of a Sluice instance, and {@link #THREADS} caller threads each
 * checking in a closed loop (a check answered from a lease completes at once; one that needs the
 * service is waited for). Two workloads over the run's keys: hot keys ({@code zipf}, Zipf with the
 * run's exponent) and {@code uniform}. Per workload: local-hit latency (checks answered from a
 * lease, from the call to the decision), all decisions' latency, decisions per second, and service
 * round trips (requests the client sent) per 1,000 decisions. The rule matches every key with a
 * limit far above the load, so no check is denied: the figures are the lease path's, not the
 * limit's.
 */
final class LeasedBench {
  static final int THREADS = 2;
  static final String RULE =
      "{\"id\":\"leased\",\"key\":\"bench:*\",\"limit\":1000000000,\"windowSeconds\":60,"
          + "\"algorithm\":\"FIXED_WINDOW\"}";

  private LeasedBench() {}

  /** Runs both workloads; returns one JSON object per workload. */
  static ArrayNode run(
      ObjectMapper mapper,
      String bootstrap,
      String requestsTopic,
      String decisionsTopic,
      int keys,
      double zipf,
      long warmupS,
      long durationS,
      PrintStream err)
      throws Exception {
    DecisionClientConfig config =
        DecisionClientConfig.builder(bootstrap)
            .requestsTopic(requestsTopic)
            .replyTopic(decisionsTopic)
            .replyPartitions(0)
            .timeout(Duration.ofSeconds(10))
            .failurePolicy(FailurePolicy.FAIL_OPEN)
            .leasing(
                LeaseSettings.defaults().withMaxShare(1.0).withMaxPairs(Math.max(10_000, keys)))
            .build();
    String[] names = new String[keys];
    for (int i = 0; i < keys; i++) {
      names[i] = "bench:" + i;
    }
    ArrayNode out = mapper.createArrayNode();
    try (DecisionClient client = DecisionClient.create(config)) {
      for (String workload : List.of("zipf", "uniform")) {
        if (warmupS > 0) {
          phase(client, names, workload, zipf, warmupS);
        }
        Phase p = phase(client, names, workload, zipf, durationS);
        ObjectNode n = out.addObject();
        n.put("target", "sluice-leased");
        n.put("workload", workload);
        n.put("threads", THREADS);
        n.put("seconds", p.seconds);
        n.put("decisions", p.decisions);
        n.put("decisionsPerSecond", p.decisions / p.seconds);
        n.put("localHits", p.local.getTotalCount());
        n.put("localP50Micros", p.local.getValueAtPercentile(50) / 1000.0);
        n.put("localP99Micros", p.local.getValueAtPercentile(99) / 1000.0);
        n.put("allP50Micros", p.all.getValueAtPercentile(50) / 1000.0);
        n.put("allP99Micros", p.all.getValueAtPercentile(99) / 1000.0);
        n.put("serviceRoundTripsPer1000", 1000.0 * p.roundTrips / Math.max(1, p.decisions));
        n.put("leasedPermits", p.leasedPermits);
        n.put("expiredLeasePermits", p.expiredPermits);
        err.printf(
            Locale.ROOT,
            "sluice bench: sluice-leased %s: %.0f decisions/s (%d threads), local hits %.1f%%,"
                + " local p50 %.2f us p99 %.2f us, all p50 %.2f us p99 %.2f us, %.1f service"
                + " round trips per 1000 decisions, %d of %d leased permits expired unused%n",
            workload,
            p.decisions / p.seconds,
            THREADS,
            100.0 * p.local.getTotalCount() / Math.max(1, p.decisions),
            p.local.getValueAtPercentile(50) / 1000.0,
            p.local.getValueAtPercentile(99) / 1000.0,
            p.all.getValueAtPercentile(50) / 1000.0,
            p.all.getValueAtPercentile(99) / 1000.0,
            1000.0 * p.roundTrips / Math.max(1, p.decisions),
            p.expiredPermits,
            p.leasedPermits);
      }
    }
    return out;
  }

  private record Phase(
      double seconds,
      long decisions,
      long roundTrips,
      long leasedPermits,
      long expiredPermits,
      Histogram local,
      Histogram all) {}

  private static Phase phase(
      DecisionClient client, String[] names, String workload, double exponent, long seconds)
      throws InterruptedException {
    ClientMetrics before = client.metrics();
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    List<Thread> threads = new ArrayList<>();
    List<Histogram> locals = new ArrayList<>();
    List<Histogram> alls = new ArrayList<>();
    long[] counts = new long[THREADS];
    long t0 = System.nanoTime();
    for (int t = 0; t < THREADS; t++) {
      Histogram local = new Histogram(3_600_000_000_000L, 3);
      Histogram all = new Histogram(3_600_000_000_000L, 3);
      locals.add(local);
      alls.add(all);
      int id = t;
      IntSupplier next;
      if (workload.equals("zipf")) {
        Zipf z = new Zipf(names.length, exponent, 11 + t);
        next = z::next;
      } else {
        SplittableRandom r = new SplittableRandom(23 + t);
        next = () -> r.nextInt(names.length);
      }
      Thread th =
          new Thread(
              () -> {
                long n = 0;
                while (System.nanoTime() - end < 0) {
                  String key = names[next.getAsInt()];
                  long s = System.nanoTime();
                  CompletableFuture<ClientDecision> f = client.check(key, Map.of(), 1);
                  ClientDecision d = f.join();
                  long took = System.nanoTime() - s;
                  all.recordValue(took);
                  if (d.source() == DecisionSource.LEASE) {
                    local.recordValue(took);
                  }
                  n++;
                }
                counts[id] = n;
              },
              "leased-bench-" + t);
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    double s = (System.nanoTime() - t0) / 1e9;
    ClientMetrics after = client.metrics();
    Histogram local = new Histogram(3_600_000_000_000L, 3);
    Histogram all = new Histogram(3_600_000_000_000L, 3);
    locals.forEach(local::add);
    alls.forEach(all::add);
    long decisions = 0;
    for (long c : counts) {
      decisions += c;
    }
    return new Phase(
        s,
        decisions,
        after.sent() - before.sent(),
        after.leasedPermits() - before.leasedPermits(),
        after.expiredLeasePermits() - before.expiredLeasePermits(),
        local,
        all);
  }
}
