package dev.sluice.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.Decision;
import dev.sluice.avro.DecisionReason;
import dev.sluice.avro.RateLimitAlgorithm;
import dev.sluice.avro.Rule;
import dev.sluice.client.testing.EchoResponder;
import dev.sluice.client.testing.TestKafka;
import dev.sluice.client.testing.Waits;
import dev.sluice.core.Reason;
import dev.sluice.schema.AvroCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client's own behaviour against a real broker, with {@link EchoResponder} standing in for the
 * service. One broker for the class; each test uses its own topics.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DecisionClientIntegrationTest {
  private static TestKafka kafka;
  private static final AtomicInteger TOPIC_SEQ = new AtomicInteger();

  @BeforeAll
  static void startKafka() throws Exception {
    kafka = TestKafka.start();
  }

  @AfterAll
  static void stopKafka() {
    if (kafka != null) {
      kafka.close();
    }
  }

  /** Fresh requests and reply topics for one test. */
  private record Topics(String requests, String replies, String rules) {}

  private static Topics topics(int replyPartitions) throws Exception {
    int n = TOPIC_SEQ.incrementAndGet();
    Topics t = new Topics("t" + n + ".requests", "t" + n + ".decisions", "t" + n + ".rules");
    kafka.createTopics(Map.of(t.requests, 3, t.replies, replyPartitions, t.rules, 1));
    return t;
  }

  private static DecisionClientConfig.Builder config(Topics t) {
    return DecisionClientConfig.builder(kafka.bootstrapServers())
        .requestsTopic(t.requests)
        .replyTopic(t.replies)
        .rulesTopic(t.rules)
        .replyGroupId("group-" + t.replies)
        .startupTimeout(Duration.ofSeconds(30));
  }

  @Test
  void shouldCorrelateEachServiceDecisionToItsOwnCheckOnTheDefaultTopics() throws Exception {
    kafka.createTopics(
        Map.of(
            DecisionClientConfig.DEFAULT_REQUESTS_TOPIC, 3,
            DecisionClientConfig.DEFAULT_REPLY_TOPIC, 2));
    try (EchoResponder echo =
            EchoResponder.start(
                kafka.bootstrapServers(),
                DecisionClientConfig.DEFAULT_REQUESTS_TOPIC,
                DecisionClientConfig.DEFAULT_REPLY_TOPIC);
        DecisionClient client =
            DecisionClient.create(
                DecisionClientConfig.builder(kafka.bootstrapServers())
                    .timeout(Duration.ofSeconds(10))
                    .build())) {
      List<CompletableFuture<ClientDecision>> futures = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        futures.add(client.check("user:" + (i % 17), Map.of("route", "/r" + i), 1 + i % 3));
      }
      Set<String> ids = new HashSet<>();
      for (CompletableFuture<ClientDecision> f : futures) {
        ClientDecision d = f.get(30, TimeUnit.SECONDS);
        assertEquals(DecisionSource.SERVICE, d.source());
        assertEquals(FailureCause.NONE, d.cause());
        assertTrue(d.allowed());
        assertEquals("echo", d.ruleId());
        assertTrue(ids.add(d.requestId()), "request ids are unique");
      }
      for (int i = 0; i < futures.size(); i++) {
        assertEquals("user:" + (i % 17), futures.get(i).join().key());
      }
      ClientMetrics m = client.metrics();
      assertEquals(1000, m.checks());
      assertEquals(1000, m.answered());
      assertEquals(0, m.timedOut());
      assertEquals(0, m.inFlight());
      assertEquals(0, m.unknownReplies());
      assertEquals(List.of(0, 1), m.replyPartitions());
      assertEquals(1000, echo.answered());
    }
  }

  @Test
  void shouldUseTheCallersIdAndRefuseItTwiceWhileInFlight() throws Exception {
    Topics t = topics(1);
    try (EchoResponder echo = EchoResponder.start(kafka.bootstrapServers(), t.requests, t.replies);
        DecisionClient client =
            DecisionClient.create(config(t).timeout(Duration.ofSeconds(5)).build())) {
      ClientDecision d = client.decide(CheckRequest.of("k").withId("my-id-1"));
      assertEquals("my-id-1", d.requestId());
      assertEquals(DecisionSource.SERVICE, d.source());

      echo.drop();
      CompletableFuture<ClientDecision> first = client.check(CheckRequest.of("k").withId("dup"));
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> client.check(CheckRequest.of("k").withId("dup")));
      assertTrue(e.getMessage().startsWith("id:"), e.getMessage());
      assertFalse(first.isDone());
    }
  }

  @Test
  void shouldFailOpenAtTheDeadlineWhenNoDecisionArrives() throws Exception {
    Topics t = topics(1);
    try (EchoResponder echo = EchoResponder.start(kafka.bootstrapServers(), t.requests, t.replies);
        DecisionClient client =
            DecisionClient.create(
                config(t)
                    .timeout(Duration.ofMillis(300))
                    .failurePolicy(FailurePolicy.FAIL_OPEN)
                    .build())) {
      echo.drop();
      long start = System.nanoTime();
      ClientDecision d = client.decide("k", Map.of(), 1);
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals(DecisionSource.FAIL_OPEN, d.source());
      assertEquals(FailureCause.TIMEOUT, d.cause());
      assertTrue(d.allowed());
      assertEquals(Reason.ALLOWED, d.reason());
      assertEquals(null, d.ruleId());
      assertEquals(-1, d.limit());
      assertTrue(tookMs >= 295 && tookMs < 3000, "completed after " + tookMs + " ms");
      assertEquals(1, client.metrics().timedOut());
      assertEquals(0, client.metrics().inFlight());
    }
  }

  @Test
  void shouldFailClosedAtTheDeadlineForEveryPendingCheck() throws Exception {
    Topics t = topics(1);
    try (EchoResponder echo = EchoResponder.start(kafka.bootstrapServers(), t.requests, t.replies);
        DecisionClient client =
            DecisionClient.create(
                config(t)
                    .timeout(Duration.ofMillis(200))
                    .failurePolicy(FailurePolicy.FAIL_CLOSED)
                    .build())) {
      echo.drop();
      List<CompletableFuture<ClientDecision>> futures = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        futures.add(client.check("k" + i, null, 1));
      }
      for (CompletableFuture<ClientDecision> f : futures) {
        ClientDecision d = f.get(5, TimeUnit.SECONDS);
        assertEquals(DecisionSource.FAIL_CLOSED, d.source());
        assertEquals(FailureCause.TIMEOUT, d.cause());
        assertFalse(d.allowed());
        assertEquals(Reason.RATE_LIMITED, d.reason());
      }
      assertEquals(500, client.metrics().timedOut());
      assertEquals(0, client.metrics().inFlight());
    }
  }

  @Test
  void shouldCountRepliesThatArriveAfterTheDeadlineAsLate() throws Exception {
    Topics t = topics(1);
    try (EchoResponder echo = EchoResponder.start(kafka.bootstrapServers(), t.requests, t.replies);
        DecisionClient client =
            DecisionClient.create(config(t).timeout(Duration.ofMillis(200)).build())) {
      echo.delay(700);
      List<CompletableFuture<ClientDecision>> futures = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        futures.add(client.check("k" + i, Map.of(), 1));
      }
      for (CompletableFuture<ClientDecision> f : futures) {
        assertEquals(FailureCause.TIMEOUT, f.get(5, TimeUnit.SECONDS).cause());
      }
      Waits.until(() -> client.metrics().lateReplies() == 10, "10 late replies");
      assertEquals(0, client.metrics().unknownReplies());
      assertEquals(0, client.metrics().answered());
    }
  }

  @Test
  void shouldCountAndDropUnknownAndUndecodableReplies() throws Exception {
    Topics t = topics(1);
    try (DecisionClient client =
            DecisionClient.create(config(t).replyGroupId(null).replyPartitions(0).build());
        KafkaProducer<String, byte[]> producer = kafka.producer()) {
      Decision stranger =
          new Decision(
              "nobody-asked",
              "k",
              true,
              DecisionReason.ALLOWED,
              null,
              -1L,
              -1L,
              -1L,
              -1L,
              0L,
              false,
              null,
              -1L,
              -1);
      producer.send(new ProducerRecord<>(t.replies, 0, "k", AvroCodec.DECISION.encode(stranger)));
      producer.send(
          new ProducerRecord<>(
              t.replies, 0, "k", "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8)));
      producer.flush();
      Waits.until(
          () ->
              client.metrics().unknownReplies() == 1 && client.metrics().undecodableReplies() == 1,
          "one unknown and one undecodable reply");
      assertEquals(0, client.metrics().lateReplies());
    }
  }

  @Test
  void shouldCompleteChecksBeyondMaxInFlightAtOnceByPolicy() throws Exception {
    Topics t = topics(1);
    try (EchoResponder echo = EchoResponder.start(kafka.bootstrapServers(), t.requests, t.replies);
        DecisionClient client =
            DecisionClient.create(
                config(t)
                    .timeout(Duration.ofSeconds(30))
                    .maxInFlight(5)
                    .failurePolicy(FailurePolicy.FAIL_CLOSED)
                    .build())) {
      echo.drop();
      List<CompletableFuture<ClientDecision>> futures = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        futures.add(client.check("k", Map.of(), 1));
      }
      for (int i = 0; i < 5; i++) {
        assertFalse(futures.get(i).isDone(), "check " + i + " is pending");
      }
      for (int i = 5; i < 8; i++) {
        ClientDecision d = futures.get(i).getNow(null);
        assertEquals(FailureCause.OVERLOADED, d.cause(), "check " + i);
        assertEquals(DecisionSource.FAIL_CLOSED, d.source());
      }
      assertEquals(5, client.metrics().inFlight());
      assertEquals(3, client.metrics().overloaded());
    }
  }

  @Test
  void shouldCompleteEveryInFlightCheckOnCloseAndStayClosed() throws Exception {
    Topics t = topics(1);
    EchoResponder echo = EchoResponder.start(kafka.bootstrapServers(), t.requests, t.replies);
    try (echo) {
      DecisionClient client =
          DecisionClient.create(
              config(t)
                  .timeout(Duration.ofSeconds(60))
                  .failurePolicy(FailurePolicy.FAIL_OPEN)
                  .build());
      echo.drop();
      List<CompletableFuture<ClientDecision>> futures = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        futures.add(client.check("k" + i, Map.of(), 1));
      }
      long start = System.nanoTime();
      client.close();
      assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < 10, "close is prompt");
      for (CompletableFuture<ClientDecision> f : futures) {
        ClientDecision d = f.getNow(null);
        assertEquals(DecisionSource.FAIL_OPEN, d.source());
        assertEquals(FailureCause.CLOSED, d.cause());
      }
      client.close(); // idempotent
      ClientDecision after = client.decide("k", Map.of(), 1);
      assertEquals(FailureCause.CLOSED, after.cause());
      assertEquals(201, client.metrics().closed());
      assertEquals(0, client.metrics().inFlight());
    }
  }

  @Test
  void shouldSplitReplyPartitionsAmongInstancesSharingAGroup() throws Exception {
    Topics t = topics(4);
    try (EchoResponder echo = EchoResponder.start(kafka.bootstrapServers(), t.requests, t.replies);
        DecisionClient a =
            DecisionClient.create(config(t).timeout(Duration.ofSeconds(10)).build());
        DecisionClient b =
            DecisionClient.create(config(t).timeout(Duration.ofSeconds(10)).build())) {
      Waits.until(
          () ->
              a.metrics().replyPartitions().size() + b.metrics().replyPartitions().size() == 4
                  && !a.metrics().replyPartitions().isEmpty()
                  && !b.metrics().replyPartitions().isEmpty(),
          "the group splits 4 partitions between 2 members");
      Set<Integer> all = new HashSet<>(a.metrics().replyPartitions());
      all.addAll(b.metrics().replyPartitions());
      assertEquals(Set.of(0, 1, 2, 3), all);
      for (int i = 0; i < 200; i++) {
        assertEquals(DecisionSource.SERVICE, a.decide("a" + i, Map.of(), 1).source());
        assertEquals(DecisionSource.SERVICE, b.decide("b" + i, Map.of(), 1).source());
      }
      assertEquals(0, a.metrics().unknownReplies() + b.metrics().unknownReplies());
      // The responder counts a reply after handing it to its producer, so the last decision can
      // reach a client before it is counted: wait for the count, then check it is exact.
      Waits.until(() -> echo.answered() >= 400, "the responder counts its 400th answer");
      assertEquals(400, echo.answered());
    }
  }

  @Test
  void shouldUseExplicitReplyPartitionsAndRefuseOnesThatDoNotExist() throws Exception {
    Topics t = topics(4);
    try (EchoResponder echo = EchoResponder.start(kafka.bootstrapServers(), t.requests, t.replies);
        DecisionClient client =
            DecisionClient.create(config(t).replyGroupId(null).replyPartitions(2, 3).build())) {
      assertEquals(List.of(2, 3), client.metrics().replyPartitions());
      for (int i = 0; i < 20; i++) {
        assertEquals(DecisionSource.SERVICE, client.decide("k" + i, Map.of(), 1).source());
      }
      assertEquals(20, echo.answered());
    }
    DecisionClientException e =
        assertThrows(
            DecisionClientException.class,
            () -> DecisionClient.create(config(t).replyGroupId(null).replyPartitions(9).build()));
    assertTrue(e.getMessage().contains("partition 9 does not exist"), e.getMessage());
  }

  @Test
  void shouldRefuseToStartWhenTheRequestsTopicIsMissing() {
    DecisionClientException e =
        assertThrows(
            DecisionClientException.class,
            () ->
                DecisionClient.create(
                    DecisionClientConfig.builder(kafka.bootstrapServers())
                        .requestsTopic("no.such.topic")
                        .timeout(Duration.ofMillis(200))
                        .startupTimeout(Duration.ofSeconds(2))
                        .build()));
    assertTrue(e.getMessage().contains("requests topic no.such.topic"), e.getMessage());
  }

  @Test
  void shouldDecideLocallyFromTheRulesTopicWhenTheServiceIsSilent() throws Exception {
    Topics t = topics(1);
    try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
      Rule avro =
          Rule.newBuilder()
              .setId("avro-rule")
              .setKey("tenant:*")
              .setLimit(4L)
              .setWindowSeconds(3600L)
              .setAlgorithm(RateLimitAlgorithm.FIXED_WINDOW)
              .build();
      producer.send(new ProducerRecord<>(t.rules, "avro-rule", AvroCodec.RULE.encode(avro)));
      String json =
          "{\"id\":\"json-rule\",\"key\":\"user:*\",\"limit\":6,\"windowSeconds\":3600,"
              + "\"algorithm\":\"TOKEN_BUCKET\"}";
      producer.send(
          new ProducerRecord<>(t.rules, "json-rule", json.getBytes(StandardCharsets.UTF_8)));
      String quota =
          "{\"id\":\"quota-rule\",\"key\":\"quota:*\",\"algorithm\":\"FIXED_WINDOW\","
              + "\"limits\":[{\"limit\":20,\"windowSeconds\":3600},"
              + "{\"limit\":8,\"windowSeconds\":86400}]}";
      producer.send(
          new ProducerRecord<>(t.rules, "quota-rule", quota.getBytes(StandardCharsets.UTF_8)));
      String invalid = "{\"id\":\"bad\",\"key\":\"x\",\"limit\":-1,\"windowSeconds\":1}";
      producer.send(new ProducerRecord<>(t.rules, "bad", invalid.getBytes(StandardCharsets.UTF_8)));
      producer.flush();
    }
    try (EchoResponder echo = EchoResponder.start(kafka.bootstrapServers(), t.requests, t.replies);
        DecisionClient client =
            DecisionClient.create(
                config(t)
                    .timeout(Duration.ofMillis(200))
                    .failurePolicy(FailurePolicy.LOCAL_FALLBACK)
                    .localFallbackShare(0.5)
                    .build())) {
      assertEquals(3, client.metrics().rules(), "rules present at start are loaded by create()");
      assertEquals(1, client.metrics().rulesRejected());
      assertEquals(DecisionSource.SERVICE, client.decide("user:1", Map.of(), 1).source());

      echo.drop();
      List<CompletableFuture<ClientDecision>> users = new ArrayList<>();
      List<CompletableFuture<ClientDecision>> tenants = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        users.add(client.check("user:1", Map.of(), 1));
        tenants.add(client.check("tenant:9", Map.of(), 1));
      }
      assertEquals(List.of(true, true, true, false, false), allowed(users));
      assertEquals(List.of(true, true, false, false, false), allowed(tenants));
      ClientDecision denied = users.get(4).join();
      assertEquals(DecisionSource.LOCAL_FALLBACK, denied.source());
      assertEquals(FailureCause.TIMEOUT, denied.cause());
      assertEquals("json-rule", denied.ruleId());
      assertEquals(3, denied.limit());
      assertEquals(3600, denied.windowSeconds());
      assertEquals(
          "\"json-rule\";q=3;w=3600", RateLimitHeaders.of(denied).get(RateLimitHeaders.POLICY));
      // Every limit of a rule, scaled (10 an hour, 4 a day here), partial grants and checks.
      ClientDecision partial = client.decide(CheckRequest.of("quota:1", null, 1).withMaxCost(10));
      assertEquals(DecisionSource.LOCAL_FALLBACK, partial.source());
      assertTrue(partial.allowed());
      assertEquals(4, partial.granted(), "the daily quota's share bounds the grant");
      assertEquals(1, partial.limitIndex());
      assertEquals(
          "\"quota-rule\";q=10;w=3600, \"quota-rule#1\";q=4;w=86400",
          RateLimitHeaders.of(partial).get(RateLimitHeaders.POLICY));
      ClientDecision check = client.decide(CheckRequest.of("quota:1", null, 0));
      assertTrue(check.allowed(), "at the daily quota, not over it");
      assertEquals(0, check.granted());
      ClientDecision over = client.decide("quota:1", Map.of(), 1);
      assertFalse(over.allowed());
      assertEquals(1, over.limitIndex());
      assertEquals(
          "\"quota-rule#1\";r=0",
          RateLimitHeaders.of(over).get(RateLimitHeaders.RATE_LIMIT).replaceAll(";t=\\d+$", ""));
      ClientDecision other = client.decide("nobody", Map.of(), 1);
      assertEquals(Reason.NO_MATCHING_RULE, other.reason());
      assertTrue(client.metrics().localCounters() >= 2);
    }
  }

  private static List<Boolean> allowed(List<CompletableFuture<ClientDecision>> futures) {
    return futures.stream().map(f -> f.join().allowed()).toList();
  }
}
