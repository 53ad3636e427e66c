package dev.sluice.ha;

import static dev.sluice.client.testing.SortedTimes.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.client.CheckRequest;
import dev.sluice.client.ClientDecision;
import dev.sluice.client.DecisionClient;
import dev.sluice.client.DecisionClientConfig;
import dev.sluice.client.FailurePolicy;
import dev.sluice.client.app.SluiceService;
import dev.sluice.client.testing.TestKafka;
import dev.sluice.core.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Client-side leases against the real service on a real broker: four leasing client instances, each
 * in its own JVM ({@link LeaseClientMain}, so no shared memory helps), hammer a {@code
 * FIXED_WINDOW}, a {@code SLIDING_WINDOW} and a {@code TOKEN_BUCKET} key at about 20 times their
 * limit, and a fourth key whose rule is lowered and then deleted during the run. Counted from the
 * clients' own admission logs: no fixed window ever admits more than its limit, and every whole
 * window in which the service answered every check of the key in time admits at least 90% of it (a
 * window where the loaded machine let checks time out says nothing about the leases); the sliding
 * window and the token bucket keep the bounds docs/DESIGN.md states (the limit plus what was leased
 * in the horizon before); a lowered limit and a deletion bind every client at the latest one
 * horizon after the service applied them.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LeaseIntegrationTest {
  private static final int CLIENTS = 4;
  private static final long H = 1000; // lease horizon, ms: the longest, as latency here is high
  private static final long L = 200;
  private static final long W = 2000; // ms
  private static final long RUN_MS = 10_000;

  /** Timestamps are whole ms on both sides; logging adds nothing (the decision's own time). */
  private static final long SLACK_MS = 5;

  private final List<ChildProcess> children = new ArrayList<>();
  private TestKafka kafka;
  private SluiceService service;

  @AfterEach
  void stop() {
    children.forEach(ChildProcess::kill9);
    if (service != null) {
      service.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  record Admission(long ms, String source, String ruleId) {}

  @Test
  void shouldKeepEveryAlgorithmsBoundAcrossFourClientJvmsAndApplyRuleChangesWithinAHorizon()
      throws Exception {
    kafka = TestKafka.start();
    SluiceService.createTopics(kafka, 2, CLIENTS + 1);
    // At-least-once: the bounds do not depend on the guarantee, and exactly-once's commit interval
    // (100 ms here, far more on a loaded 2-core machine) would eat most of each lease's horizon.
    service = SluiceService.start(kafka, StreamsConfig.AT_LEAST_ONCE);
    try (KafkaProducer<String, byte[]> producer = kafka.producer();
        DecisionClient probe =
            DecisionClient.create(
                DecisionClientConfig.builder(kafka.bootstrapServers())
                    .replyPartitions(CLIENTS)
                    .timeout(Duration.ofSeconds(10))
                    .failurePolicy(FailurePolicy.FAIL_CLOSED)
                    .build())) {
      publish(producer, "lease-fw", rule("lease-fw", "fw:*", L, W / 1000, "FIXED_WINDOW"));
      publish(producer, "lease-sw", rule("lease-sw", "sw:*", L, W / 1000, "SLIDING_WINDOW"));
      publish(producer, "lease-tb", rule("lease-tb", "tb:*", L, W / 1000, "TOKEN_BUCKET"));
      publish(producer, "lease-upd", rule("lease-upd", "upd:*", 1000, 1, "FIXED_WINDOW"));
      for (String key : List.of("fw:1", "sw:1", "tb:1", "upd:1")) {
        awaitProbe(probe, key, d -> d.ruleId() != null, "the rules reach the service");
      }

      Path logs = Harness.LOG_ROOT.resolve(Harness.runName("lease"));
      long startAt = System.currentTimeMillis() + 12_000; // child JVMs start meanwhile
      long endAt = startAt + RUN_MS;
      List<Path> outs = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        Path out = logs.resolve("admissions-" + i + ".txt");
        outs.add(out);
        children.add(
            ChildProcess.start(
                "lease-client-" + i,
                Harness.javaCommand(
                    "256m",
                    Map.of(),
                    LeaseClientMain.class.getName(),
                    List.of(
                        kafka.bootstrapServers(),
                        Integer.toString(i),
                        Long.toString(startAt),
                        Long.toString(endAt),
                        Long.toString(H),
                        Double.toString(1.0 / CLIENTS),
                        out.toString(),
                        "fw:1",
                        "sw:1",
                        "tb:1",
                        "upd:1")),
                logs.resolve("lease-client-" + i + ".log")));
      }

      // Lower upd's limit 4 s in (same algorithm and window: its counter survives), delete it 3 s
      // later; E = the t' at which the service is first seen deciding with the change.
      sleepUntil(startAt + 4_000);
      publish(producer, "lease-upd", rule("lease-upd", "upd:*", 20, 1, "FIXED_WINDOW"));
      long lowered =
          awaitProbe(probe, "upd:1", d -> d.limit() == 20, "the lowered limit reaches the service")
              .timestampMs();
      sleepUntil(startAt + 7_000);
      publish(producer, "lease-upd", null);
      long deleted =
          awaitProbe(
                  probe,
                  "upd:1",
                  d -> d.reason() == Reason.NO_MATCHING_RULE,
                  "the deletion reaches the service")
              .timestampMs();

      for (ChildProcess c : children) {
        assertTrue(c.awaitExit(Duration.ofSeconds(60)), c + " finishes");
        assertEquals(0, c.exitCode(), c + " exit code (log under " + logs + ")");
      }

      List<Admission> all = new ArrayList<>();
      long leaseHits = 0;
      for (Path out : outs) {
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
          if (line.startsWith("# metrics")) {
            System.out.println(out.getFileName() + " " + line);
            leaseHits += Long.parseLong(line.replaceAll(".* leaseHits=(\\d+).*", "$1"));
            continue;
          }
          String[] f = line.split(" ");
          all.add(new Admission(Long.parseLong(f[0]), f[1], f[2]));
        }
      }
      assertTrue(leaseHits > 0, "leases answered checks");

      assertFixedWindow(of(all, "lease-fw"), failedWindows(all, "fw:1"), startAt, endAt);
      assertSlidingWindow(of(all, "lease-sw"), failedWindows(all, "sw:1"), startAt, endAt);
      assertTokenBucket(of(all, "lease-tb"), failedWindows(all, "tb:1"), startAt, endAt);
      assertRuleChanges(of(all, "lease-upd"), lowered, deleted);
    }
  }

  /**
   * The {@code W}-aligned windows in which some client's check of {@code key} was not answered in
   * time: there the machine, not the lease, decided how much was admitted (a starved 2-core machine
   * running four client JVMs, a broker and the service), so the admission floors leave them out.
   * The ceilings (never over the limit) hold in every window.
   */
  private static Set<Long> failedWindows(List<Admission> all, String key) {
    Set<Long> out = new TreeSet<>();
    for (Admission a : all) {
      if (a.source.equals("FAILED") && a.ruleId.equals(key)) {
        out.add(Math.floorDiv(a.ms, W));
      }
    }
    return out;
  }

  /**
   * The whole {@code W}-aligned windows of the run in which the service answered every check in
   * time, and how many of {@code sorted} fall in them: {@code {windows, admitted}}.
   */
  private static long[] answeredWindows(long[] sorted, Set<Long> failed, long startAt, long endAt) {
    long windows = 0;
    long admitted = 0;
    for (long w = Math.floorDiv(startAt, W) + 1; (w + 1) * W <= endAt; w++) {
      if (!failed.contains(w)) {
        windows++;
        admitted += count(sorted, w * W - 1, (w + 1) * W - 1);
      }
    }
    return new long[] {windows, admitted};
  }

  private static void assertFixedWindow(
      List<Admission> fw, Set<Long> failed, long startAt, long endAt) {
    TreeMap<Long, Integer> perWindow = new TreeMap<>();
    for (Admission a : fw) {
      perWindow.merge(Math.floorDiv(a.ms, W), 1, Integer::sum);
    }
    System.out.println(
        "FIXED_WINDOW admissions per "
            + W
            + " ms window: "
            + perWindow
            + "; unanswered in "
            + failed);
    int whole = 0;
    int floored = 0;
    for (Map.Entry<Long, Integer> e : perWindow.entrySet()) {
      assertTrue(e.getValue() <= L, "window " + e.getKey() + " admitted " + e.getValue());
      long s = e.getKey() * W;
      if (s >= startAt && s + W <= endAt) {
        whole++;
        if (!failed.contains(e.getKey())) {
          floored++;
          assertTrue(e.getValue() >= 0.9 * L, "window " + e.getKey() + ": only " + e.getValue());
        }
      }
    }
    assertTrue(whole >= 3, "at least three whole windows in the run: " + perWindow);
    System.out.println("FIXED_WINDOW: the 90% floor checked in " + floored + " of " + whole);
  }

  /** In any (x - W, x]: at most L plus the lease permits spent in its first H. */
  private static void assertSlidingWindow(
      List<Admission> sw, Set<Long> failed, long startAt, long endAt) {
    long[] all = times(sw, a -> true);
    long[] leased = times(sw, a -> a.source.equals("LEASE"));
    long worst = 0;
    for (long x : all) {
      long in = count(all, x - W, x);
      long early = count(leased, x - W, Math.min(x, x - W + H + SLACK_MS));
      worst = Math.max(worst, in);
      assertTrue(in <= L + early, "at " + x + ": " + in + " > " + L + " + " + early);
    }
    System.out.println(
        "SLIDING_WINDOW: " + all.length + " admitted, at most " + worst + " in any window");
    // Sustained over-limit load: on average nearly L per W (a fifth lost to leases is generous),
    // over the windows in which the service answered every check of the key in time.
    long[] answered = answeredWindows(all, failed, startAt, endAt);
    long answeredWindows = answered[0];
    long inAnswered = answered[1];
    assertTrue(
        inAnswered >= 0.8 * L * answeredWindows,
        "admitted " + inAnswered + " in " + answeredWindows + " whole windows answered in time");
  }

  /** In any (a, a + T]: at most L + (T + H) * L / W (capacity, refill, leased in H before). */
  private static void assertTokenBucket(
      List<Admission> tb, Set<Long> failed, long startAt, long endAt) {
    long[] all = times(tb, a -> true);
    for (long t : new long[] {100, 500, W, 3 * W}) {
      long bound = L + (t + H + SLACK_MS) * L / W;
      for (long x : all) {
        long in = count(all, x - t, x);
        assertTrue(in <= bound, "in (" + (x - t) + ", " + x + "]: " + in + " > " + bound);
      }
    }
    System.out.println("TOKEN_BUCKET: " + all.length + " admitted");
    // The leases must not starve the key: over the whole windows in which the service answered
    // every check in time, at least 60% of the refill (L per W). Less than the fixed window's 90%:
    // a token-bucket lease takes tokens the bucket would have refilled behind it, and what a lease
    // still holds at its expiry (at most H, and at every second boundary) is lost
    // (expiredLeasePermits), which this test measured at up to a fifth on the loaded machine.
    long[] answered = answeredWindows(all, failed, startAt, endAt);
    long answeredWindows = answered[0];
    long inAnswered = answered[1];
    assertTrue(
        inAnswered >= 0.6 * L * answeredWindows,
        "admitted " + inAnswered + " in " + answeredWindows + " whole windows answered in time");
  }

  private static void assertRuleChanges(List<Admission> upd, long lowered, long deleted) {
    TreeMap<Long, Integer> before = new TreeMap<>();
    TreeMap<Long, Integer> after = new TreeMap<>();
    long last = Long.MIN_VALUE;
    for (Admission a : upd) {
      (a.ms > lowered + H + SLACK_MS ? after : before).merge(a.ms / 1000, 1, Integer::sum);
      last = Math.max(last, a.ms);
    }
    System.out.println(
        "rule change: limit 1000/s lowered at t'="
            + lowered
            + ", deleted at t'="
            + deleted
            + "; per second before "
            + before
            + ", after "
            + after
            + "; last admission "
            + last);
    assertTrue(before.values().stream().anyMatch(n -> n > 20), "the old limit admitted more");
    for (Map.Entry<Long, Integer> e : after.entrySet()) {
      assertTrue(e.getValue() <= 20, "second " + e.getKey() + " after the lowering: " + e);
    }
    assertTrue(
        last <= deleted + H + SLACK_MS,
        "admitted by the deleted rule at " + last + ", deleted at " + deleted);
  }

  private static List<Admission> of(List<Admission> all, String ruleId) {
    return all.stream().filter(a -> a.ruleId.equals(ruleId)).toList();
  }

  private static long[] times(List<Admission> as, Predicate<Admission> p) {
    return as.stream().filter(p).mapToLong(Admission::ms).sorted().toArray();
  }

  private static String rule(String id, String key, long limit, long windowSeconds, String algo) {
    return "{\"id\":\""
        + id
        + "\",\"key\":\""
        + key
        + "\",\"limit\":"
        + limit
        + ",\"windowSeconds\":"
        + windowSeconds
        + ",\"algorithm\":\""
        + algo
        + "\"}";
  }

  private static void publish(KafkaProducer<String, byte[]> producer, String id, String json)
      throws Exception {
    producer
        .send(
            new ProducerRecord<>(
                SluiceService.CONFIG.rulesTopic(),
                id,
                json == null ? null : json.getBytes(StandardCharsets.UTF_8)))
        .get();
  }

  /** Checks (cost 0: charges nothing) until the service's decision satisfies {@code done}. */
  private static ClientDecision awaitProbe(
      DecisionClient probe, String key, Predicate<ClientDecision> done, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      ClientDecision d = probe.decide(CheckRequest.of(key, null, 0));
      if (done.test(d)) {
        return d;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": last decision " + d);
      }
      Thread.sleep(10);
    }
  }

  private static void sleepUntil(long wallMs) throws InterruptedException {
    long wait = wallMs - System.currentTimeMillis();
    if (wait > 0) {
      Thread.sleep(wait);
    }
  }
}
