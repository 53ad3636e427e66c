package dev.sluice.client.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.client.CheckRequest;
import dev.sluice.client.ClientDecision;
import dev.sluice.client.ClientMetrics;
import dev.sluice.client.DecisionClient;
import dev.sluice.client.DecisionClientConfig;
import dev.sluice.client.DecisionSource;
import dev.sluice.client.FailureCause;
import dev.sluice.client.FailurePolicy;
import dev.sluice.client.testing.TestKafka;
import dev.sluice.client.testing.Waits;
import dev.sluice.core.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clients against the real Sluice service (the streams-app topology, exactly-once, in this JVM) on
 * a real broker: correlation across instances sharing the reply topic, timeouts, and close.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DecisionServiceIntegrationTest {
  private static final int DECISION_PARTITIONS = 8;
  private static final String GROUP = "checkout-service";
  private static final String LATE_REPLIES = SluiceService.REPLY_TOPIC_PREFIX + "late";
  private static final String CLOSING_REPLIES = SluiceService.REPLY_TOPIC_PREFIX + "closing";
  private static TestKafka kafka;
  private static SluiceService service;

  @BeforeAll
  static void startService() throws Exception {
    kafka = TestKafka.start();
    SluiceService.createTopics(kafka, 4, DECISION_PARTITIONS);
    // Tests that leave decisions unread get reply topics of their own.
    kafka.createTopics(Map.of(LATE_REPLIES, 1, CLOSING_REPLIES, 2));
    service = SluiceService.start(kafka);
    try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
      publishRule(
          producer,
          "{\"id\":\"per-user\",\"key\":\"user:*\",\"limit\":5,\"windowSeconds\":3600,"
              + "\"algorithm\":\"FIXED_WINDOW\"}");
    }
    try (DecisionClient probe = DecisionClient.create(config().replyGroupId("probe").build())) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!"per-user".equals(probe.decide("user:probe", Map.of(), 1).ruleId())) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the rule never reached the service");
        }
        Thread.sleep(200);
      }
    }
  }

  @AfterAll
  static void stop() {
    if (service != null) {
      service.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  private static void publishRule(KafkaProducer<String, byte[]> producer, String json)
      throws Exception {
    String id = json.replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
    producer
        .send(
            new ProducerRecord<>(
                SluiceService.CONFIG.rulesTopic(), id, json.getBytes(StandardCharsets.UTF_8)))
        .get();
  }

  private static DecisionClientConfig.Builder config() {
    return DecisionClientConfig.builder(kafka.bootstrapServers())
        .replyGroupId(GROUP)
        .timeout(Duration.ofSeconds(30))
        .failurePolicy(FailurePolicy.FAIL_CLOSED);
  }

  @Test
  void shouldDeliverEachOfTenThousandConcurrentDecisionsToItsOwnFutureAcrossFourInstances()
      throws Exception {
    List<DecisionClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        clients.add(DecisionClient.create(config().build()));
      }
      Waits.until(
          () -> {
            Set<Integer> owned = new HashSet<>();
            int total = 0;
            for (DecisionClient c : clients) {
              List<Integer> parts = c.metrics().replyPartitions();
              if (parts.isEmpty()) {
                return false;
              }
              owned.addAll(parts);
              total += parts.size();
            }
            return total == DECISION_PARTITIONS && owned.size() == DECISION_PARTITIONS;
          },
          "4 instances split the 8 reply partitions");

      int perClient = 2500;
      List<List<CompletableFuture<ClientDecision>>> futures = new ArrayList<>();
      List<Thread> callers = new ArrayList<>();
      CountDownLatch go = new CountDownLatch(1);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      for (int c = 0; c < clients.size(); c++) {
        DecisionClient client = clients.get(c);
        List<CompletableFuture<ClientDecision>> mine = new ArrayList<>();
        futures.add(mine);
        int id = c;
        Thread t =
            new Thread(
                () -> {
                  try {
                    go.await();
                    for (int i = 0; i < perClient; i++) {
                      // Every 10th check goes to one hot key shared by all instances.
                      String key = i % 10 == 0 ? "user:hot" : "user:" + id + "-" + i;
                      mine.add(
                          client.check(
                              new CheckRequest("c" + id + "-" + i, key, Map.of("n", "" + i), 1)));
                    }
                  } catch (Throwable e) {
                    failure.set(e);
                  }
                });
        callers.add(t);
        t.start();
      }
      go.countDown();
      for (Thread t : callers) {
        t.join();
      }
      assertEquals(null, failure.get());

      int allowedHot = 0;
      for (int c = 0; c < clients.size(); c++) {
        for (int i = 0; i < perClient; i++) {
          ClientDecision d = futures.get(c).get(i).get(60, TimeUnit.SECONDS);
          String key = i % 10 == 0 ? "user:hot" : "user:" + c + "-" + i;
          assertEquals(DecisionSource.SERVICE, d.source(), "check c" + c + "-" + i);
          assertEquals("c" + c + "-" + i, d.requestId(), "the decision of this very check");
          assertEquals(key, d.key());
          assertEquals("per-user", d.ruleId());
          if (key.equals("user:hot") && d.allowed()) {
            allowedHot++;
          }
        }
      }
      assertEquals(5, allowedHot, "the shared hot key gets exactly its limit across instances");
      for (DecisionClient c : clients) {
        ClientMetrics m = c.metrics();
        assertEquals(perClient, m.answered());
        assertEquals(0, m.unknownReplies(), "no reply reached an instance that did not ask");
        assertEquals(0, m.timedOut());
        assertEquals(0, m.inFlight());
      }
    } finally {
      for (DecisionClient c : clients) {
        c.close();
      }
    }
  }

  @Test
  void shouldApplyThePolicyWhenTheServiceAnswersAfterTheDeadline() throws Exception {
    // Exactly-once output is visible only at the service's next commit (every 100 ms), so no
    // decision can come back within 1 ms.
    try (DecisionClient client =
        DecisionClient.create(
            config()
                .replyTopic(LATE_REPLIES)
                .replyGroupId("impatient")
                .timeout(Duration.ofMillis(1))
                .failurePolicy(FailurePolicy.FAIL_OPEN)
                .build())) {
      List<CompletableFuture<ClientDecision>> futures = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        futures.add(client.check("user:late-" + i, Map.of(), 1));
      }
      for (CompletableFuture<ClientDecision> f : futures) {
        ClientDecision d = f.get(5, TimeUnit.SECONDS);
        assertEquals(DecisionSource.FAIL_OPEN, d.source());
        assertEquals(FailureCause.TIMEOUT, d.cause());
        assertTrue(d.allowed());
        assertEquals(Reason.ALLOWED, d.reason());
      }
      Waits.until(
          () -> client.metrics().lateReplies() == 20, "the service's 20 decisions arrive late");
      assertEquals(0, client.metrics().unknownReplies());
    }
  }

  @Test
  void shouldCompleteEveryCheckInFlightWhenClosed() throws Exception {
    DecisionClient client =
        DecisionClient.create(
            config()
                .replyTopic(CLOSING_REPLIES)
                .replyGroupId("closing")
                .failurePolicy(FailurePolicy.FAIL_CLOSED)
                .build());
    List<CompletableFuture<ClientDecision>> futures = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      futures.add(client.check("user:closing-" + (i % 50), Map.of(), 1));
    }
    client.close();
    int closed = 0;
    for (CompletableFuture<ClientDecision> f : futures) {
      assertTrue(f.isDone(), "close() completes every check in flight");
      ClientDecision d = f.join();
      if (d.source() == DecisionSource.SERVICE) {
        assertEquals(FailureCause.NONE, d.cause());
      } else {
        assertEquals(DecisionSource.FAIL_CLOSED, d.source());
        assertEquals(FailureCause.CLOSED, d.cause());
        closed++;
      }
    }
    assertEquals(closed, client.metrics().closed());
    assertEquals(2000, client.metrics().answered() + closed);
  }
}
