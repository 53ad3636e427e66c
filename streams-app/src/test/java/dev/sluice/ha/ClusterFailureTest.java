package dev.sluice.ha;

import static dev.sluice.ha.AppCrashFailureTest.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.client.ClientDecision;
import dev.sluice.client.DecisionSource;
import dev.sluice.topology.DeadLetters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 6, 3b, 3c, 4 and the real-broker half of 5, on one deployment (three instances under {@code
 * exactly_once_v2}, the defaults) and one three-node cluster, in order: a broker killed; all
 * brokers frozen for 30 s; every instance stopped and restarted (gracefully, then by SIGKILL); one
 * instance's state directory wiped; bad input. Each test uses its own keys and checks that the
 * deployment is whole again before the next.
 */
@ExtendWith(PrintLogsOnFailure.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ClusterFailureTest {
  static final List<Findings.Limit> LIMITS =
      List.of(
          new Findings.Limit("fw:", "ha-fixed", "FIXED_WINDOW", 3, 5000),
          new Findings.Limit("sw:", "ha-sliding", "SLIDING_WINDOW", 3, 5000),
          new Findings.Limit("hold:", "ha-hold", "SLIDING_WINDOW", 3, 3_600_000),
          new Findings.Limit("bulk:", "ha-bulk", "FIXED_WINDOW", 100, 3_600_000));

  private static final int RATE = Integer.getInteger("ha.rate", AppCrashFailureTest.RATE);
  private static final Duration OUTAGE = Duration.ofSeconds(30);
  private static final Pattern RESTORED =
      Pattern.compile("Restored sluice-counters partition (\\d+): (\\d+) records in (\\d+) ms");

  private static KafkaProcessCluster cluster;
  private static Scenario s;

  @BeforeAll
  static void start() {
    cluster = KafkaProcessCluster.start(Harness.runName("cluster"));
    s = Scenario.start(cluster, Harness.runName("clu-eos"), "exactly_once_v2", Map.of(), LIMITS);
  }

  @AfterAll
  static void stop() {
    try {
      if (s != null) {
        s.close();
      }
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      ChildProcess.killAll();
    }
  }

  @Test
  @Order(1)
  void shouldLoseNoDecisionAndAdmitNoMoreWhenABrokerIsKilled() {
    List<String> keys = keys("b");
    List<Long> pids = s.pids();
    int node;
    long at;
    List<Load.Check> checks;
    try (Load load = new Load(s.client, keys, Scenario.PARTITIONS, RATE, "b").start()) {
      Harness.sleep(Duration.ofSeconds(10));
      // The node coordinating the application's group: the hardest one to lose.
      node = s.groupCoordinator();
      at = System.nanoTime();
      cluster.kill9(KafkaProcessCluster.indexOf(node));
      Harness.sleep(OUTAGE);
      cluster.restart(KafkaProcessCluster.indexOf(node));
      cluster.awaitNodes(KafkaProcessCluster.NODES, Duration.ofSeconds(90));
      Harness.sleep(Duration.ofSeconds(10));
      load.stop();
      assertTrue(load.awaitCompleted(Scenario.CLIENT_TIMEOUT.plusSeconds(10)));
      checks = load.checks();
    }
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("killedNode", node);
    f.put("killedNodeRole", "group coordinator of the application (and leader of some partitions)");
    f.put("outageS", OUTAGE.toSeconds());
    f.put("checksPerSecond", RATE);
    long to = at + OUTAGE.toNanos();
    f.put("callersDuringOutage", Findings.callers(between(checks, at, to)));
    f.put("checkToDecisionDuringOutage", checkToDecision(between(checks, at, to)));
    f.putAll(sourceFigures(checks, keys));
    f.put("instancesRestarted", !s.pids().equals(pids));
    HaReport.add("broker-kill", f);
    cluster.awaitFullIsr(Duration.ofSeconds(120));

    assertEquals(0L, get(f, "callers", "neverCompleted"));
    assertEquals(0L, get(f, "source", "requestsWithoutDecision"), "decisions lost at the source");
    assertEquals(
        0L, get(f, "source", "requestsWithMoreDecisionsThanRecords"), "duplicate decisions");
    assertEquals(0L, get(f, "overAdmission", "overAdmitted"), "over-admission");
    assertEquals(pids, s.pids(), "no instance restarted");
    assertTrue(s.apps.stream().allMatch(SluiceProcess::isAlive));
  }

  @Test
  @Order(2)
  void shouldApplyThePolicyAndRecoverWithoutRestartWhileBrokersAreUnreachable() {
    List<String> held = List.of("hold:u-1", "hold:u-2", "hold:u-3", "hold:u-4", "hold:u-5");
    held.forEach(s::exhaust);
    List<String> keys = keys("u");
    List<Long> pids = s.pids();
    long pausedAt;
    long resumedAt;
    long allReadyAt = -1;
    List<Load.Check> checks;
    try (Load load = new Load(s.client, keys, Scenario.PARTITIONS, RATE, "u").start()) {
      Harness.sleep(Duration.ofSeconds(10));
      pausedAt = System.nanoTime();
      cluster.pauseAll();
      Harness.sleep(OUTAGE);
      cluster.resumeAll();
      resumedAt = System.nanoTime();
      long deadline = resumedAt + Duration.ofSeconds(120).toNanos();
      while (System.nanoTime() < deadline) {
        if (s.apps.stream().allMatch(SluiceProcess::ready)) {
          allReadyAt = System.nanoTime();
          break;
        }
        Harness.sleep(Duration.ofMillis(250));
      }
      Harness.sleep(Duration.ofSeconds(15));
      load.stop();
      assertTrue(load.awaitCompleted(Scenario.CLIENT_TIMEOUT.plusSeconds(10)));
      checks = load.checks();
    }
    List<Load.Check> during = between(checks, pausedAt, resumedAt);
    long slowest = 0;
    for (Load.Check c : during) {
      slowest = Math.max(slowest, c.doneNanos - c.sentNanos);
    }
    long firstService = Long.MAX_VALUE;
    for (Load.Check c : checks) {
      if (c.sentNanos >= resumedAt
          && c.decision != null
          && c.decision.source() == DecisionSource.SERVICE) {
        firstService = Math.min(firstService, c.doneNanos);
      }
    }
    Map<String, Object> held2 = stillDenied(held);
    Map<String, Object> f = new LinkedHashMap<>();
    f.put(
        "outage",
        "SIGSTOP of all "
            + KafkaProcessCluster.NODES
            + " brokers for "
            + OUTAGE.toSeconds()
            + " s, then SIGCONT");
    f.put("checksPerSecond", RATE);
    f.put("callersDuringOutage", Findings.callers(during));
    f.put("slowestCheckDuringOutageMs", Harness.ms(slowest));
    f.put("clientTimeoutMs", Scenario.CLIENT_TIMEOUT.toMillis());
    f.put(
        "firstServiceDecisionAfterResumeMs",
        firstService == Long.MAX_VALUE ? null : Harness.ms(firstService - resumedAt));
    f.put(
        "allInstancesReadyAfterResumeMs",
        allReadyAt < 0 ? null : Harness.ms(allReadyAt - resumedAt));
    f.put("instancesRestarted", !s.pids().equals(pids));
    f.put("heldKeysStillDenied", held2);
    f.putAll(sourceFigures(checks, keys));
    HaReport.add("brokers-unreachable", f);

    assertEquals(0L, get(f, "callers", "neverCompleted"));
    // The margin is for the client's deadline thread getting a core on this shared machine.
    assertTrue(
        slowest < Scenario.CLIENT_TIMEOUT.plusSeconds(3).toNanos(),
        "every check during the outage completed within the client's timeout (slowest "
            + Harness.ms(slowest)
            + " ms)");
    assertEquals(pids, s.pids(), "recovered without a restart");
    assertTrue(allReadyAt > 0, "every instance ready again within 120 s of the brokers' return");
    assertTrue(firstService != Long.MAX_VALUE, "service decisions again after the outage");
    assertEquals(held.size(), ((Number) held2.get("denied")).intValue(), "no counter lost");
    assertEquals(0L, get(f, "source", "requestsWithoutDecision"), "decisions lost at the source");
    assertEquals(
        0L, get(f, "source", "requestsWithMoreDecisionsThanRecords"), "duplicate decisions");
    assertEquals(0L, get(f, "overAdmission", "overAdmitted"), "over-admission");
  }

  @Test
  @Order(3)
  void shouldKeepCountersWhenEveryInstanceIsStoppedAndRestarted() {
    List<String> held = List.of("hold:c-1", "hold:c-2", "hold:c-3", "hold:c-4", "hold:c-5");
    held.forEach(s::exhaust);
    Map<String, Object> f = new LinkedHashMap<>();

    long t0 = System.nanoTime();
    // SIGTERM to all at once, as an orchestrator stopping a deployment would.
    s.apps.forEach(a -> a.process().sigterm());
    boolean clean = true;
    for (SluiceProcess a : s.apps) {
      clean &= a.stop(Duration.ofSeconds(40));
    }
    long stopped = System.nanoTime();
    s.apps.forEach(SluiceProcess::start);
    s.apps.forEach(a -> a.awaitReady(Duration.ofSeconds(180)));
    long ready = System.nanoTime();
    Map<String, Object> graceful = new LinkedHashMap<>();
    graceful.put("allStoppedCleanly", clean);
    graceful.put("stopAllMs", Harness.ms(stopped - t0));
    graceful.put("startToAllReadyMs", Harness.ms(ready - stopped));
    graceful.put("counterRestores", restores());
    graceful.put("heldKeysStillDenied", stillDenied(held));
    f.put("sigtermThenStart", graceful);

    s.apps.forEach(SluiceProcess::kill9);
    long killed = System.nanoTime();
    s.apps.forEach(SluiceProcess::start);
    s.apps.forEach(a -> a.awaitReady(Duration.ofSeconds(180)));
    long ready2 = System.nanoTime();
    Map<String, Object> crash = new LinkedHashMap<>();
    crash.put("startToAllReadyMs", Harness.ms(ready2 - killed));
    crash.put("counterRestores", restores());
    crash.put("heldKeysStillDenied", stillDenied(held));
    f.put("sigkillThenStart", crash);
    HaReport.add("restart-all-instances", f);

    assertTrue(clean, "every instance stops by itself on SIGTERM");
    assertEquals(held.size(), deniedOf(graceful), "counters survive a graceful restart of all");
    assertEquals(held.size(), deniedOf(crash), "counters survive a crash of all");
  }

  @Test
  @Order(4)
  void shouldRestoreAnInstanceWhoseStateDirectoryWasWiped() {
    int bulk = Integer.getInteger("ha.bulkCounters", 2000);
    List<String> bulkIds = new ArrayList<>();
    for (int i = 0; i < bulk; i++) {
      String key = "bulk:" + i;
      String id = "bulk-" + i;
      bulkIds.add(id);
      s.raw.send(
          new ProducerRecord<>(
              s.topics.requestsTopic(),
              key,
              ("{\"id\":\"" + id + "\",\"key\":\"" + key + "\"}")
                  .getBytes(StandardCharsets.UTF_8)));
    }
    s.raw.flush();
    assertTrue(
        Harness.await(
            Duration.ofSeconds(180),
            () -> bulkIds.stream().allMatch(id -> !s.decisions.of(id).isEmpty())),
        "the bulk requests are decided");
    List<String> held = List.of("hold:w-1", "hold:w-2", "hold:w-3", "hold:w-4", "hold:w-5");
    held.forEach(s::exhaust);

    List<String> keys = keys("w");
    SluiceProcess victim = s.apps.get(0);
    Set<Integer> partitions;
    long stoppedAt;
    long readyAt;
    List<Load.Check> checks;
    try (Load load = new Load(s.client, keys, Scenario.PARTITIONS, RATE, "w").start()) {
      Harness.sleep(Duration.ofSeconds(5));
      partitions = s.activePartitions(1);
      stoppedAt = System.nanoTime();
      victim.stop(Duration.ofSeconds(40));
      victim.wipeState();
      assertFalse(Files.exists(victim.stateDir()));
      victim.start();
      victim.awaitReady(Duration.ofSeconds(180));
      readyAt = System.nanoTime();
      Harness.sleep(Duration.ofSeconds(10));
      load.stop();
      assertTrue(load.awaitCompleted(Scenario.CLIENT_TIMEOUT.plusSeconds(10)));
      checks = load.checks();
    }
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("countersInStore", bulk + " bulk keys + the test keys");
    f.put("wiped", victim.name());
    f.put("wipeToReadyMs", Harness.ms(readyAt - stoppedAt));
    f.put(
        "failOverToStandbys",
        Findings.resumption(
            List.of(new Findings.Kill(victim.name(), stoppedAt, partitions)), checks, s.decisions));
    f.put("wipedInstanceLog", restoreLines(victim));
    f.putAll(sourceFigures(checks, keys));

    // Now make the wiped instance hold every counter alone: its stores come from the changelog.
    long aloneAt = System.nanoTime();
    s.apps.get(1).stop(Duration.ofSeconds(40));
    s.apps.get(2).stop(Duration.ofSeconds(40));
    Map<String, Object> alone = stillDenied(held);
    alone.put("afterTheOthersStoppedMs", Harness.ms(System.nanoTime() - aloneAt));
    alone.put("wipedInstanceLog", restoreLines(victim));
    f.put("wipedInstanceAlone", alone);
    s.apps.get(1).start();
    s.apps.get(2).start();
    s.apps.forEach(a -> a.awaitReady(Duration.ofSeconds(180)));
    HaReport.add("state-directory-wiped", f);

    assertEquals(
        held.size(),
        ((Number) alone.get("denied")).intValue(),
        "the wiped instance, alone, holds every counter");
    assertEquals(0L, get(f, "source", "requestsWithoutDecision"), "decisions lost at the source");
    assertEquals(
        0L, get(f, "source", "requestsWithMoreDecisionsThanRecords"), "duplicate decisions");
    assertEquals(0L, get(f, "overAdmission", "overAdmitted"), "over-admission");
  }

  @Test
  @Order(5)
  void shouldAnswerOrDeadLetterEveryBadInputOnRealBrokers() {
    List<Long> pids = s.pids();
    long seed = Long.getLong("fuzz.seed", 20_261_128L);
    List<BadInputs.Input> requests = BadInputs.requests(seed, 600, "fz-", false);
    List<BadInputs.Input> rules = BadInputs.rules(seed, 100, "fzr-");
    for (BadInputs.Input in : requests) {
      s.raw.send(new ProducerRecord<>(s.topics.requestsTopic(), in.key(), in.value()));
    }
    for (BadInputs.Input in : rules) {
      s.raw.send(new ProducerRecord<>(s.topics.rulesTopic(), in.key(), in.value()));
    }
    s.raw.flush();
    Map<String, Integer> dead = new HashMap<>();
    Map<String, String> deadStage = new HashMap<>();
    boolean all =
        Harness.await(
            Duration.ofSeconds(180),
            () -> {
              dead.clear();
              for (ConsumerRecord<byte[], byte[]> r :
                  TopicReader.readAll(
                      cluster.bootstrapServers(),
                      s.topics.deadLettersTopic(),
                      Scenario.PARTITIONS)) {
                if (r.key() != null) {
                  String k = new String(r.key(), StandardCharsets.UTF_8);
                  dead.merge(k, 1, Integer::sum);
                  deadStage.put(k, DeadLetters.header(r.headers(), DeadLetters.STAGE));
                }
              }
              return requests.stream()
                      .allMatch(
                          in ->
                              dead.containsKey(in.key())
                                  || !s.decisions.ofRecordKey(in.key()).isEmpty())
                  && rules.stream().allMatch(in -> dead.containsKey(in.key()));
            });
    Map<String, Long> split = new TreeMap<>();
    long notOne = 0;
    for (BadInputs.Input in : requests) {
      int decided = s.decisions.ofRecordKey(in.key()).size();
      int deadLettered = dead.getOrDefault(in.key(), 0);
      if (decided + deadLettered != 1) {
        notOne++;
      }
      String outcome =
          decided > 0
              ? "decision " + s.decisions.ofRecordKey(in.key()).get(0).reason()
              : "dead-letter " + deadStage.get(in.key());
      split.merge("request " + in.kind() + " -> " + outcome, 1L, Long::sum);
    }
    for (BadInputs.Input in : rules) {
      if (dead.getOrDefault(in.key(), 0) != 1) {
        notOne++;
      }
      split.merge(
          "rule " + in.kind() + " -> dead-letter " + deadStage.get(in.key()), 1L, Long::sum);
    }
    ClientDecision after = s.serviceDecision("fw:after-fuzz", Duration.ofSeconds(60));
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("inputs", requests.size() + rules.size());
    f.put("requests", requests.size());
    f.put("rules", rules.size());
    f.put("inputsWithoutExactlyOneOutcome", notOne);
    f.put("split", split);
    f.put("instancesRestarted", !s.pids().equals(pids));
    f.put("instancesReady", s.apps.stream().allMatch(SluiceProcess::ready));
    HaReport.add("bad-input-real-brokers", f);

    assertTrue(all, "every input answered or dead-lettered within 180 s");
    assertEquals(0, notOne, "exactly one outcome per input");
    assertEquals(pids, s.pids(), "no instance crashed");
    assertNotNull(after, "a good request is still decided");
    assertEquals("ha-fixed", after.ruleId());
  }

  private static List<String> keys(String tag) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      keys.add("fw:" + tag + i);
      keys.add("sw:" + tag + i);
    }
    return keys;
  }

  private static List<Load.Check> between(List<Load.Check> checks, long from, long to) {
    return checks.stream().filter(c -> c.sentNanos >= from && c.sentNanos < to).toList();
  }

  private static Map<String, Object> checkToDecision(List<Load.Check> checks) {
    List<Long> l = new ArrayList<>();
    for (Load.Check c : checks) {
      List<DecisionLog.Seen> seen = s.decisions.of(c.id);
      if (!seen.isEmpty()) {
        l.add(seen.get(0).seenNanos() - c.sentNanos);
      }
    }
    return Findings.distribution(l);
  }

  /** Callers, source and over-admission figures, once every written request has its decision. */
  private static Map<String, Object> sourceFigures(List<Load.Check> checks, List<String> keys) {
    Harness.sleep(Duration.ofSeconds(3));
    RequestsTopic.Contents written = s.requestsWritten();
    Harness.await(
        Duration.ofSeconds(90),
        () ->
            checks.stream()
                .filter(c -> written.byId().containsKey(c.id))
                .allMatch(c -> !s.decisions.of(c.id).isEmpty()));
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("callers", Findings.callers(checks));
    f.put("source", Findings.source(checks, written, s.decisions));
    f.put("overAdmission", Findings.overAdmission(keys, LIMITS, s.decisions));
    return f;
  }

  /** Asks the service for each key; counts the denials by the hold rule (none may be allowed). */
  private static Map<String, Object> stillDenied(List<String> keys) {
    int denied = 0;
    int allowed = 0;
    int noAnswer = 0;
    for (String key : keys) {
      ClientDecision d = s.serviceDecision(key, Duration.ofSeconds(60));
      if (d == null) {
        noAnswer++;
      } else if (!d.allowed() && "ha-hold".equals(d.ruleId())) {
        denied++;
      } else {
        allowed++;
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("keys", keys.size());
    out.put("denied", denied);
    out.put("allowed", allowed);
    out.put("noServiceAnswerIn60s", noAnswer);
    return out;
  }

  @SuppressWarnings("unchecked")
  private static int deniedOf(Map<String, Object> phase) {
    return ((Number) ((Map<String, Object>) phase.get("heldKeysStillDenied")).get("denied"))
        .intValue();
  }

  /** The counter-store restores every instance logged since its last start. */
  private static Map<String, Object> restores() {
    long records = 0;
    long slowest = 0;
    int partitions = 0;
    for (SluiceProcess a : s.apps) {
      for (String line : sinceLastStart(a)) {
        Matcher m = RESTORED.matcher(line);
        if (m.find()) {
          partitions++;
          records += Long.parseLong(m.group(2));
          slowest = Math.max(slowest, Long.parseLong(m.group(3)));
        }
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("storePartitionsRestored", partitions);
    out.put("recordsRestored", records);
    out.put("slowestPartitionMs", slowest);
    return out;
  }

  /** An instance's restore and standby lines since its last start. */
  private static List<String> restoreLines(SluiceProcess a) {
    List<String> out = new ArrayList<>();
    for (String line : sinceLastStart(a)) {
      if (line.contains("dev.sluice.app.RestoreLog") && line.contains("sluice-counters")) {
        out.add(line.substring(line.indexOf("RestoreLog - ") + "RestoreLog - ".length()));
      }
    }
    return out;
  }

  private static List<String> sinceLastStart(SluiceProcess a) {
    try {
      List<String> lines = Files.readAllLines(a.log(), StandardCharsets.UTF_8);
      int from = 0;
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).startsWith("==== ")) {
          from = i;
        }
      }
      return lines.subList(from, lines.size());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
