package dev.sluice.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.app.AppConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 6, 3a: three instances under steady load through the decision client; every 20 s one of
 * them is killed with SIGKILL and restarted 10 s later (so two or three are always running), six
 * times. Once under {@code exactly_once_v2} and once under {@code at_least_once}, each on fresh
 * topics and a fresh application id on the same three-node cluster.
 *
 * <p>Figures (printed, and in {@code target/ha-report.json}): steady-state latency before the first
 * kill, time until decisions resume for the partitions the victim was active for, requests without
 * a decision at the caller and at the source, duplicate decisions and over-admission. Manual
 * experiments: {@code -Dha.txTimeoutMs}, {@code -Dha.rounds}, {@code -Dha.rate}, {@code
 * -Dha.restartDelayS}, and on the brokers {@code -Dha.txCleanupIntervalMs}.
 */
@ExtendWith(PrintLogsOnFailure.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class AppCrashFailureTest {
  static final List<Findings.Limit> LIMITS =
      List.of(
          new Findings.Limit("fw:", "ha-fixed", "FIXED_WINDOW", 3, 5000),
          new Findings.Limit("sw:", "ha-sliding", "SLIDING_WINDOW", 3, 5000));

  private static final int ROUNDS = Integer.getInteger("ha.rounds", 6);
  private static final Duration INTERVAL = Duration.ofSeconds(20);
  private static final Duration RESTART_DELAY =
      Duration.ofSeconds(Integer.getInteger("ha.restartDelayS", 10));

  /**
   * Checks per second: about one per key per second, so each key meets its limit (3 per 5 s) in
   * most windows. Modest, because three brokers and three instances share two cores here.
   */
  static final int RATE = Integer.getInteger("ha.rate", 25);

  private static final Duration WARM_UP = Duration.ofSeconds(15);
  private static final String TX_TIMEOUT = System.getProperty("ha.txTimeoutMs");

  private static KafkaProcessCluster cluster;
  private Scenario scenario;

  @BeforeAll
  static void startCluster() {
    cluster = KafkaProcessCluster.start(Harness.runName("crash"));
  }

  @AfterAll
  static void stopCluster() {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      ChildProcess.killAll();
    }
  }

  @AfterEach
  void stopScenario() {
    if (scenario != null) {
      scenario.close();
    }
  }

  @Test
  void shouldDecideEveryRequestExactlyOnceWithinLimitsWhileInstancesAreKilled() {
    Map<String, Object> f = killEveryTwentySeconds("exactly_once_v2", "eos");
    assertEquals(0L, get(f, "callers", "neverCompleted"), "checks never completed");
    assertEquals(0L, get(f, "callers", "completedExceptionally"));
    assertEquals(0L, get(f, "source", "requestsWithoutDecision"), "decisions lost at the source");
    assertEquals(
        0L, get(f, "source", "requestsWithMoreDecisionsThanRecords"), "duplicate decisions");
    assertEquals(0L, get(f, "overAdmission", "overAdmitted"), "over-admission");
    assertEquals(0L, get(f, "overAdmission", "decisionsByAnotherRule"));
  }

  @Test
  void shouldLoseNoDecisionUnderAtLeastOnceWhileInstancesAreKilled() {
    Map<String, Object> f = killEveryTwentySeconds("at_least_once", "alos");
    assertEquals(0L, get(f, "callers", "neverCompleted"), "checks never completed");
    assertEquals(0L, get(f, "callers", "completedExceptionally"));
    assertEquals(0L, get(f, "source", "requestsWithoutDecision"), "decisions lost at the source");
    assertEquals(0L, get(f, "overAdmission", "decisionsByAnotherRule"));
  }

  private Map<String, Object> killEveryTwentySeconds(String guarantee, String tag) {
    String run = Harness.runName("crash-" + tag);
    Map<String, String> extra = new LinkedHashMap<>();
    if (TX_TIMEOUT != null) {
      extra.put("producer.transaction.timeout.ms", TX_TIMEOUT);
    }
    scenario = Scenario.start(cluster, run, guarantee, extra, LIMITS);
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      keys.add("fw:k" + i);
      keys.add("sw:k" + i);
    }
    List<Findings.Kill> kills = new ArrayList<>();
    long loadStart = System.nanoTime();
    try (Load load = new Load(scenario.client, keys, Scenario.PARTITIONS, RATE, tag).start()) {
      Harness.sleep(WARM_UP);
      for (int r = 0; r < ROUNDS; r++) {
        long roundStart = System.nanoTime();
        int index = r % Scenario.INSTANCES + 1;
        SluiceProcess victim = scenario.apps.get(index - 1);
        Set<Integer> partitions = scenario.activePartitions(index);
        long at = System.nanoTime();
        victim.kill9();
        kills.add(new Findings.Kill(victim.name(), at, partitions));
        sleepUntil(roundStart + RESTART_DELAY.toNanos());
        victim.start();
        sleepUntil(roundStart + INTERVAL.toNanos());
      }
      load.stop();
      for (SluiceProcess app : scenario.apps) {
        app.awaitReady(Duration.ofSeconds(120));
      }
      assertTrue(
          load.awaitCompleted(Scenario.CLIENT_TIMEOUT.plusSeconds(10)),
          "every check completes within the client's timeout");
      List<Load.Check> checks = load.checks();
      RequestsTopic.Contents written = awaitDecisionsAtSource(checks);

      long steadyFrom = loadStart + Duration.ofSeconds(5).toNanos();
      long steadyTo = loadStart + WARM_UP.toNanos();
      List<Load.Check> steady =
          checks.stream().filter(c -> c.sentNanos >= steadyFrom && c.sentNanos < steadyTo).toList();

      Map<String, Object> f = new LinkedHashMap<>();
      f.put("settings", settings(guarantee));
      f.put("steadyStateCallerLatency", Findings.serviceLatency(steady));
      f.put("steadyStateCallers", Findings.callers(steady));
      f.put("callers", Findings.callers(checks));
      f.put("source", Findings.source(checks, written, scenario.decisions));
      f.put("overAdmission", Findings.overAdmission(keys, LIMITS, scenario.decisions));
      f.put("resumption", Findings.resumption(kills, checks, scenario.decisions));
      HaReport.add("app-crash-" + tag, f);
      return f;
    }
  }

  /**
   * Waits (up to 90 s) until every request of these checks that reached the requests topic has a
   * decision on the decisions topic; returns the requests topic as read last.
   */
  private RequestsTopic.Contents awaitDecisionsAtSource(List<Load.Check> checks) {
    // A check answered by policy may still have its request in the producer for a moment (its
    // delivery timeout is about the check's timeout): let it land before reading the topic.
    Harness.sleep(Duration.ofSeconds(3));
    RequestsTopic.Contents[] last = {scenario.requestsWritten()};
    Harness.await(
        Duration.ofSeconds(90),
        () ->
            checks.stream()
                .filter(c -> last[0].byId().containsKey(c.id))
                .allMatch(c -> !scenario.decisions.of(c.id).isEmpty()));
    return last[0];
  }

  private Map<String, Object> settings(String guarantee) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("processingGuarantee", guarantee);
    s.put("instances", Scenario.INSTANCES);
    s.put("requestPartitions", Scenario.PARTITIONS);
    s.put("killRounds", ROUNDS);
    s.put("killIntervalS", INTERVAL.toSeconds());
    s.put("restartAfterKillS", RESTART_DELAY.toSeconds());
    s.put("checksPerSecond", RATE);
    s.put("keys", 24);
    s.put("limits", LIMITS.stream().map(Findings.Limit::json).toList());
    s.put("clientTimeoutMs", Scenario.CLIENT_TIMEOUT.toMillis());
    s.put("clientPolicy", "FAIL_CLOSED");
    s.put(
        "transactionTimeoutMs",
        TX_TIMEOUT != null
            ? TX_TIMEOUT
            : AppConfig.STREAMS_DEFAULTS.get("producer.transaction.timeout.ms"));
    s.put("sessionTimeoutMs", AppConfig.STREAMS_DEFAULTS.get("session.timeout.ms"));
    s.put("commitIntervalMs", AppConfig.STREAMS_DEFAULTS.get("commit.interval.ms"));
    s.put("brokerTxCleanupIntervalMs", KafkaProcessCluster.TX_CLEANUP_INTERVAL_MS);
    return s;
  }

  private static void sleepUntil(long nanos) {
    long left = nanos - System.nanoTime();
    if (left > 0) {
      Harness.sleep(Duration.ofNanos(left));
    }
  }

  @SuppressWarnings("unchecked")
  static long get(Map<String, Object> figures, String section, String name) {
    return ((Number) ((Map<String, Object>) figures.get(section)).get(name)).longValue();
  }
}
