package dev.sluice.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.AppliedRule;
import dev.sluice.avro.RateLimitRequest;
import dev.sluice.avro.Rule;
import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import dev.sluice.schema.AvroCodec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole topology in a TopologyTestDriver, one test per behaviour of SPEC 1 to 6. */
class RateLimiterTopologyTest {
  @TempDir Path dir;
  private TopologyFixture f;

  @BeforeEach
  void start() {
    f = new TopologyFixture(dir);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  private static String rule(String id, String key, long limit, long window, String extra) {
    return "{\"id\":\""
        + id
        + "\",\"key\":\""
        + key
        + "\",\"limit\":"
        + limit
        + ",\"windowSeconds\":"
        + window
        + extra
        + "}";
  }

  private static String fixed(String id, String key, long limit, long window) {
    return rule(id, key, limit, window, ",\"algorithm\":\"FIXED_WINDOW\"");
  }

  private static void assertVerdict(
      Verdict v,
      boolean allowed,
      Reason reason,
      String ruleId,
      long limit,
      long remaining,
      long resetAfterMs,
      long retryAfterMs,
      long timestampMs) {
    assertEquals(
        List.of(
            allowed,
            reason,
            String.valueOf(ruleId),
            limit,
            remaining,
            resetAfterMs,
            retryAfterMs,
            timestampMs),
        List.of(
            v.allowed(),
            v.reason(),
            String.valueOf(v.ruleId()),
            v.limit(),
            v.remaining(),
            v.resetAfterMs(),
            v.retryAfterMs(),
            v.timestampMs()),
        "allowed, reason, ruleId, limit, remaining, resetAfterMs, retryAfterMs, timestampMs of "
            + v);
  }

  // SPEC 3: matching and precedence.

  @Test
  void shouldApplyTheFirstMatchingRuleInPrecedenceOrder() {
    f.rule("all", rule("all", "*", 100, 60, ""));
    f.rule("user-any", rule("user-any", "user:*", 100, 60, ""));
    f.rule("user-1x", rule("user-1x", "user:1*", 100, 60, ""));
    f.rule("z-exact", rule("z-exact", "user:1", 100, 60, ""));
    assertEquals("z-exact", f.request("q1", "user:1", 1, 0).ruleId(), "exact before patterns");
    assertEquals("user-1x", f.request("q2", "user:12", 1, 0).ruleId(), "longer prefix first");
    assertEquals("user-any", f.request("q3", "user:2", 1, 0).ruleId());
    assertEquals("all", f.request("q4", "other", 1, 0).ruleId());

    f.rule("m-gold", rule("m-gold", "user:*", 100, 60, ",\"metadata\":{\"tier\":\"gold\"}"));
    assertEquals(
        "m-gold",
        f.request(
                "user:2", "{\"id\":\"q5\",\"key\":\"user:2\",\"metadata\":{\"tier\":\"gold\"}}", 0)
            .ruleId(),
        "more metadata entries first");
    assertEquals("user-any", f.request("q6", "user:2", 1, 0).ruleId(), "metadata must match");

    f.rule("a-twin", rule("a-twin", "user:*", 100, 60, ""));
    assertEquals("a-twin", f.request("q7", "user:2", 1, 0).ruleId(), "smaller id on a tie");

    f.rule("vip", rule("vip", "*", 100, 60, ",\"priority\":1"));
    assertEquals("vip", f.request("q8", "user:1", 1, 0).ruleId(), "higher priority wins");
  }

  @Test
  void shouldAllowWithNoMatchingRuleWhenNothingMatches() {
    f.rule("r", fixed("r", "user:*", 1, 10));
    Verdict v = f.request("q1", "admin:1", 1, 1234);
    assertVerdict(v, true, Reason.NO_MATCHING_RULE, null, -1, -1, -1, -1, 1234);
    assertFalse(v.shadow());
    assertEquals("q1", v.requestId());
    assertEquals("admin:1", v.key());
    assertEquals(0, f.counterCount(), "no rule, no counter");
  }

  @Test
  void shouldKeepOneCounterPerWildcardMetadataValue() {
    f.rule(
        "per-region",
        rule(
            "per-region",
            "api:*",
            1,
            10,
            ",\"algorithm\":\"FIXED_WINDOW\",\"metadata\":{\"region\":\"*\"}"));
    String eu = "{\"id\":\"q\",\"key\":\"api:1\",\"metadata\":{\"region\":\"eu\"}}";
    String us = "{\"id\":\"q\",\"key\":\"api:1\",\"metadata\":{\"region\":\"us\"}}";
    assertTrue(f.request("api:1", eu, 0).allowed());
    assertFalse(f.request("api:1", eu, 1).allowed());
    assertTrue(f.request("api:1", us, 2).allowed(), "another value has its own counter");
    assertEquals(
        Reason.NO_MATCHING_RULE, f.request("q", "api:1", 1, 3).reason(), "key k is required");
  }

  // SPEC 5: each algorithm, through the topology.

  @Test
  void shouldCountFixedWindows() {
    f.rule("fw", fixed("fw", "k", 2, 10));
    assertVerdict(f.request("1", "k", 1, 1000), true, Reason.ALLOWED, "fw", 2, 1, 9000, 0, 1000);
    assertVerdict(f.request("2", "k", 1, 2000), true, Reason.ALLOWED, "fw", 2, 0, 8000, 0, 2000);
    assertVerdict(
        f.request("3", "k", 1, 3000), false, Reason.RATE_LIMITED, "fw", 2, 0, 7000, 7000, 3000);
    assertVerdict(f.request("4", "k", 1, 10000), true, Reason.ALLOWED, "fw", 2, 1, 10000, 0, 10000);
    assertVerdict(
        f.request("5", "k", 3, 10001), false, Reason.RATE_LIMITED, "fw", 2, 1, 9999, -1, 10001);
  }

  @Test
  void shouldKeepAnExactSlidingLog() {
    f.rule("sw", rule("sw", "k", 2, 10, ",\"algorithm\":\"SLIDING_WINDOW\""));
    assertVerdict(f.request("1", "k", 1, 1000), true, Reason.ALLOWED, "sw", 2, 1, 10000, 0, 1000);
    assertVerdict(f.request("2", "k", 1, 2000), true, Reason.ALLOWED, "sw", 2, 0, 9000, 0, 2000);
    assertVerdict(
        f.request("3", "k", 1, 3000), false, Reason.RATE_LIMITED, "sw", 2, 0, 8000, 8000, 3000);
    assertVerdict(f.request("4", "k", 1, 11000), true, Reason.ALLOWED, "sw", 2, 0, 1000, 0, 11000);
  }

  @Test
  void shouldEstimateWithTwoBucketsForTheSlidingWindowCounter() {
    f.rule("swc", rule("swc", "k", 10, 10, ""));
    assertVerdict(
        f.request("1", "k", 6, 15000), true, Reason.ALLOWED, "swc", 10, 4, 5000, 0, 15000);
    assertVerdict(
        f.request("2", "k", 5, 25000), true, Reason.ALLOWED, "swc", 10, 2, 5000, 0, 25000);
    Verdict denied = f.request("3", "k", 3, 25000);
    assertEquals(Reason.RATE_LIMITED, denied.reason());
    assertEquals(2, denied.remaining());
    assertEquals(5000, denied.resetAfterMs());
    assertTrue(denied.retryAfterMs() > 0, "a bound on the wait: " + denied);
  }

  @Test
  void shouldRefillTheTokenBucketContinuously() {
    f.rule("tb", rule("tb", "k", 4, 1, ",\"algorithm\":\"TOKEN_BUCKET\""));
    assertVerdict(f.request("1", "k", 4, 0), true, Reason.ALLOWED, "tb", 4, 0, 1000, 0, 0);
    assertVerdict(
        f.request("2", "k", 1, 100), false, Reason.RATE_LIMITED, "tb", 4, 0, 900, 150, 100);
    assertVerdict(f.request("3", "k", 1, 250), true, Reason.ALLOWED, "tb", 4, 0, 1000, 0, 250);
  }

  // SPEC 4: counters and time.

  @Test
  void shouldNeverLetTimeRunBackwardsForACounter() {
    f.rule("fw", fixed("fw", "k", 5, 10));
    f.request("1", "k", 1, 5000);
    Verdict late = f.request("2", "k", 1, 1000);
    assertEquals(5000, late.timestampMs(), "t' = max(t, last)");
    assertEquals(5000, late.resetAfterMs());
  }

  @Test
  void shouldCreateTheCounterEvenWhenTheFirstRequestIsDenied() {
    f.rule("block", fixed("block", "bot:*", 0, 60));
    assertVerdict(
        f.request("1", "bot:1", 1, 0), false, Reason.RATE_LIMITED, "block", 0, 0, 60000, -1, 0);
    assertEquals(1, f.counterCount());
  }

  @Test
  void shouldTakeTimeFromTheRecordNotFromTheValue() {
    f.rule("fw", fixed("fw", "k", 5, 10));
    Verdict v = f.request("k", "{\"id\":\"1\",\"key\":\"k\",\"timestampMs\":999999}", 1000);
    assertEquals(1000, v.timestampMs());
  }

  @Test
  void shouldKeepCountersWhenAlgorithmAndWindowStay() {
    f.rule("r", fixed("r", "k", 2, 10));
    f.request("1", "k", 1, 1000);
    f.request("2", "k", 1, 1000);
    f.rule("r", fixed("r", "k", 3, 10));
    assertVerdict(f.request("3", "k", 1, 1000), true, Reason.ALLOWED, "r", 3, 0, 9000, 0, 1000);
    f.rule("r", fixed("r", "k", 1, 10));
    assertVerdict(
        f.request("4", "k", 1, 1000), false, Reason.RATE_LIMITED, "r", 1, 0, 9000, 9000, 1000);
  }

  @Test
  void shouldStartFreshWhenTheAlgorithmChanges() {
    f.rule("r", fixed("r", "k", 1, 10));
    f.request("1", "k", 1, 5000);
    f.rule("r", rule("r", "k", 1, 10, ",\"algorithm\":\"TOKEN_BUCKET\""));
    assertVerdict(f.request("2", "k", 1, 1000), true, Reason.ALLOWED, "r", 1, 0, 10000, 0, 1000);
  }

  @Test
  void shouldStartFreshWhenTheWindowChanges() {
    f.rule("r", fixed("r", "k", 1, 10));
    f.request("1", "k", 1, 1000);
    f.rule("r", fixed("r", "k", 1, 20));
    assertVerdict(f.request("2", "k", 1, 1000), true, Reason.ALLOWED, "r", 1, 0, 19000, 0, 1000);
  }

  @Test
  void shouldStartFreshWhenARuleIsDeletedAndPublishedAgain() {
    f.rule("r", fixed("r", "k", 1, 10));
    assertTrue(f.request("1", "k", 1, 1000).allowed());
    assertFalse(f.request("2", "k", 1, 1000).allowed());
    f.deleteRule("r");
    assertEquals(Reason.NO_MATCHING_RULE, f.request("3", "k", 1, 1000).reason());
    f.rule("r", fixed("r", "k", 1, 10));
    assertVerdict(f.request("4", "k", 1, 1000), true, Reason.ALLOWED, "r", 1, 0, 9000, 0, 1000);
  }

  @Test
  void shouldCarryTheGenerationAsTheOffsetOfTheVersionThatStartedTheCounters() {
    f.rule("r", fixed("r", "k", 1, 10)); // offset 0
    f.rule("r", fixed("r", "k", 2, 10)); // offset 1, same algorithm and window
    f.rule("r", fixed("r", "k", 2, 20)); // offset 2, new window
    f.deleteRule("r"); // offset 3
    f.rule("r", fixed("r", "k", 2, 20)); // offset 4, re-created
    List<TestRecord<String, byte[]>> applied = f.rulesApplied.readRecordsToList();
    assertEquals(5, applied.size());
    assertEquals(0, generation(applied.get(0)));
    assertEquals(0, generation(applied.get(1)));
    assertEquals(2, generation(applied.get(2)));
    assertNull(applied.get(3).value(), "a delete forwards a tombstone");
    assertEquals(4, generation(applied.get(4)));
    assertEquals(4, AvroCodec.APPLIED_RULE.decode(applied.get(4).value()).getSourceOffset());
  }

  private static long generation(TestRecord<String, byte[]> r) {
    AppliedRule a = AvroCodec.APPLIED_RULE.decode(r.value());
    return a.getGeneration();
  }

  // SPEC 6: shadow rules.

  @Test
  void shouldAllowButReportTheWouldBeDecisionForShadowRules() {
    f.rule("s", rule("s", "k", 1, 10, ",\"algorithm\":\"FIXED_WINDOW\",\"shadow\":true"));
    Verdict first = f.request("1", "k", 1, 0);
    assertVerdict(first, true, Reason.ALLOWED, "s", 1, 0, 10000, 0, 0);
    assertTrue(first.shadow());
    Verdict second = f.request("2", "k", 1, 0);
    assertVerdict(second, true, Reason.RATE_LIMITED, "s", 1, 0, 10000, 10000, 0);
    assertTrue(second.shadow());
    f.rule("s", rule("s", "k", 2, 10, ",\"algorithm\":\"FIXED_WINDOW\""));
    assertTrue(
        f.request("3", "k", 1, 0).allowed(), "the shadow denial consumed nothing: room for one");
  }

  // SPEC 1: invalid rules.

  @Test
  void shouldKeepThePreviousVersionAndDeadLetterAnInvalidRule() {
    f.rule("r", fixed("r", "k", 1, 10));
    f.rulesApplied.readRecordsToList();
    f.rule("r", fixed("r", "k", -1, 10));
    assertTrue(f.rulesApplied.isEmpty(), "an invalid rule is not forwarded");
    TestRecord<byte[], byte[]> dead = f.deadLetters.readRecord();
    assertEquals("r", new String(dead.key()));
    assertEquals(fixed("r", "k", -1, 10), new String(dead.value()));
    assertEquals("rule-validator", DeadLetters.header(dead.headers(), DeadLetters.STAGE));
    assertEquals("r", DeadLetters.header(dead.headers(), DeadLetters.RULE_ID));
    assertEquals("sluice.rules", DeadLetters.header(dead.headers(), DeadLetters.TOPIC));
    assertEquals("1", DeadLetters.header(dead.headers(), DeadLetters.OFFSET));
    assertTrue(
        DeadLetters.header(dead.headers(), DeadLetters.MESSAGE).contains("limit"),
        "reasons name the field");
    assertVerdict(f.request("1", "k", 1, 0), true, Reason.ALLOWED, "r", 1, 0, 10000, 0, 0);
    assertFalse(f.request("2", "k", 1, 0).allowed(), "limit 1 of the previous version holds");
  }

  @Test
  void shouldRejectUndecodableRulesAndIdsThatDifferFromTheKey() {
    f.rules.pipeInput("r", new byte[] {(byte) 0xC3, 0x01, 1, 2, 3});
    f.rules.pipeInput("r", TopologyFixture.utf8("not json"));
    f.rule("other", fixed("r", "k", 1, 10));
    f.rules.pipeInput((String) null, TopologyFixture.utf8(fixed("r", "k", 1, 10)));
    List<TestRecord<byte[], byte[]>> dead = f.deadLetters.readRecordsToList();
    assertEquals(4, dead.size());
    assertTrue(DeadLetters.header(dead.get(0).headers(), DeadLetters.MESSAGE).startsWith("value:"));
    assertTrue(DeadLetters.header(dead.get(1).headers(), DeadLetters.MESSAGE).startsWith("value:"));
    assertTrue(DeadLetters.header(dead.get(2).headers(), DeadLetters.MESSAGE).startsWith("id:"));
    assertTrue(DeadLetters.header(dead.get(3).headers(), DeadLetters.MESSAGE).startsWith("key:"));
    assertTrue(f.rulesApplied.isEmpty());
    assertEquals(4.0, metric("rules-rejected-total"));
    assertEquals(Reason.NO_MATCHING_RULE, f.request("1", "k", 1, 0).reason());
  }

  @Test
  void shouldAcceptAvroRules() {
    Rule r =
        Rule.newBuilder()
            .setId("avro")
            .setKey("k")
            .setLimit(1L)
            .setWindowSeconds(10L)
            .setAlgorithm(dev.sluice.avro.RateLimitAlgorithm.FIXED_WINDOW)
            .build();
    f.rules.pipeInput("avro", AvroCodec.RULE.encode(r));
    assertVerdict(f.request("1", "k", 1, 0), true, Reason.ALLOWED, "avro", 1, 0, 10000, 0, 0);
  }

  private double metric(String name) {
    double total = 0;
    for (Map.Entry<MetricName, ? extends Metric> e : f.driver.metrics().entrySet()) {
      if (e.getKey().name().equals(name) && e.getKey().group().equals("stream-sluice-metrics")) {
        total += ((Number) e.getValue().metricValue()).doubleValue();
      }
    }
    return total;
  }

  // SPEC 2: invalid requests.

  private Verdict invalid(String recordKey, String json) {
    Verdict v = f.request(recordKey, json, 77);
    assertEquals(Reason.INVALID_REQUEST, v.reason(), json);
    assertFalse(v.allowed());
    assertNull(v.ruleId());
    assertFalse(v.shadow());
    assertEquals(
        List.of(-1L, -1L, -1L, -1L, 77L),
        List.of(v.limit(), v.remaining(), v.resetAfterMs(), v.retryAfterMs(), v.timestampMs()));
    return v;
  }

  private void assertNames(String field, Verdict v) {
    assertTrue(
        v.message().startsWith(field + ":") || v.message().startsWith(field + "."),
        "message should name " + field + ": " + v.message());
  }

  @Test
  void shouldAnswerInvalidRequestNamingTheField() {
    f.rule("all", fixed("all", "*", 1, 10));
    assertNames("id", invalid("k", "{\"key\":\"k\"}"));
    assertNames("id", invalid("k", "{\"id\":\"\",\"key\":\"k\"}"));
    assertNames("id", invalid("k", "{\"id\":\"" + "x".repeat(129) + "\",\"key\":\"k\"}"));
    Verdict numericId = invalid("k", "{\"id\":5,\"key\":\"k\"}");
    assertNames("id", numericId);
    assertNull(numericId.requestId(), "a non-string id is not echoed");
    assertEquals("k", numericId.key());
    Verdict numericKey = invalid(null, "{\"id\":\"q\",\"key\":7}");
    assertNames("key", numericKey);
    assertEquals("q", numericKey.requestId());
    assertNull(numericKey.key());
    assertNames("key", invalid("k", "{\"id\":\"q\",\"key\":\"" + "k".repeat(513) + "\"}"));
    assertNames("key", invalid("other", "{\"id\":\"q\",\"key\":\"k\"}"));
    assertNames("metadata", invalid("k", "{\"id\":\"q\",\"key\":\"k\",\"metadata\":[1]}"));
    assertNames("metadata", invalid("k", "{\"id\":\"q\",\"key\":\"k\",\"metadata\":{\"a\":1}}"));
    StringBuilder many = new StringBuilder("{");
    for (int i = 0; i < 65; i++) {
      many.append(i == 0 ? "" : ",").append("\"m").append(i).append("\":\"v\"");
    }
    assertNames(
        "metadata", invalid("k", "{\"id\":\"q\",\"key\":\"k\",\"metadata\":" + many + "}}"));
    assertNames("cost", invalid("k", "{\"id\":\"q\",\"key\":\"k\",\"cost\":-1}"));
    assertNames("cost", invalid("k", "{\"id\":\"q\",\"key\":\"k\",\"cost\":1000000001}"));
    assertNames("cost", invalid("k", "{\"id\":\"q\",\"key\":\"k\",\"cost\":\"1\"}"));
    assertNames("cost", invalid("k", "{\"id\":\"q\",\"key\":\"k\",\"cost\":1.5}"));
    assertNames("cost", invalid("k", "{\"id\":\"q\",\"key\":\"k\",\"cost\":1e30}"));
    assertNames(
        "replyTopic", invalid("k", "{\"id\":\"q\",\"key\":\"k\",\"replyTopic\":\"elsewhere\"}"));
    assertNames("replyTopic", invalid("k", "{\"id\":\"q\",\"key\":\"k\",\"replyTopic\":5}"));
    assertNames(
        "replyPartition", invalid("k", "{\"id\":\"q\",\"key\":\"k\",\"replyPartition\":-1}"));
    assertNames("id", invalid("k", "{\"id\":1,\"key\":2,\"cost\":0}"));
    assertNames("key", invalid("k", "{\"id\":\"q\",\"key\":2,\"cost\":0}"));
    assertEquals(0, f.counterCount(), "invalid requests charge nothing");
    assertTrue(f.request("ok", "k", 1, 0).allowed());
  }

  @Test
  void shouldRejectATimeBeyondTwoToThe53() {
    f.requests.pipeInput(
        new TestRecord<>(
            "k",
            TopologyFixture.utf8("{\"id\":\"q\",\"key\":\"k\"}"),
            new RecordHeaders(),
            (1L << 53) + 1));
    Verdict v = f.onlyDecision();
    assertEquals(Reason.INVALID_REQUEST, v.reason());
    assertNames("timestampMs", v);
    assertEquals((1L << 53) + 1, v.timestampMs());
  }

  @Test
  void shouldDecideAvroRequests() {
    f.rule("fw", fixed("fw", "k", 1, 10));
    RateLimitRequest r = RateLimitRequest.newBuilder().setId("a").setKey("k").setCost(1L).build();
    f.requests.pipeInput(
        new TestRecord<>("k", AvroCodec.REQUEST.encode(r), new RecordHeaders(), 500L));
    Verdict v = f.onlyDecision();
    assertVerdict(v, true, Reason.ALLOWED, "fw", 1, 0, 9500, 0, 500);
    assertEquals("a", v.requestId());
  }

  // SPEC 2: undecodable bytes.

  @Test
  void shouldDeadLetterUndecodableRequestsAndGoOn() {
    f.rule("fw", fixed("fw", "k", 5, 10));
    f.requests.pipeInput("k", TopologyFixture.utf8("not json at all"));
    f.requests.pipeInput("k", new byte[] {(byte) 0xC3, 0x01, 9, 9, 9, 9, 9, 9, 9, 9, 9});
    f.requests.pipeInput("k", TopologyFixture.utf8("[1,2]"));
    f.requests.pipeInput("k", TopologyFixture.utf8("{\"id\":\"q\",\"key\":\"k\"} trailing"));
    assertTrue(f.decisions.isEmpty(), "no decision for undecodable bytes");
    List<TestRecord<byte[], byte[]>> dead = f.deadLetters.readRecordsToList();
    assertEquals(4, dead.size());
    for (TestRecord<byte[], byte[]> d : dead) {
      assertEquals("deserialization", DeadLetters.header(d.headers(), DeadLetters.STAGE));
      assertEquals("sluice.requests", DeadLetters.header(d.headers(), DeadLetters.TOPIC));
      assertEquals("k", new String(d.key()));
      assertTrue(DeadLetters.header(d.headers(), DeadLetters.MESSAGE) != null);
    }
    assertEquals("not json at all", new String(dead.get(0).value()));
    assertTrue(f.request("1", "k", 1, 0).allowed(), "processing goes on");
  }

  // Routing.

  @Test
  void shouldRouteToAnAllowedReplyTopic() {
    f.close();
    java.util.Properties p = new java.util.Properties();
    p.setProperty(SluiceConfig.REPLY_TOPIC_PREFIXES, "replies.");
    f = new TopologyFixture(dir.resolve("2"), p);
    var replies =
        f.driver.createOutputTopic(
            "replies.client-7",
            new org.apache.kafka.common.serialization.StringDeserializer(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer());
    f.requests.pipeInput(
        new TestRecord<>(
            "k",
            TopologyFixture.utf8(
                "{\"id\":\"q\",\"key\":\"k\",\"replyTopic\":\"replies.client-7\",\"replyPartition\":3}"),
            new RecordHeaders(),
            5L));
    assertTrue(f.decisions.isEmpty());
    TestRecord<String, byte[]> out = replies.readRecord();
    assertEquals("k", out.key());
    assertEquals("q", AvroCodec.DECISION.decode(out.value()).getRequestId());
  }

  @Test
  void shouldPartitionByReplyPartitionWrappingOutOfRangeOnes() {
    RoutedDecision.Partition p = new RoutedDecision.Partition();
    Verdict v = Verdict.noMatchingRule("q", "k", 0);
    assertTrue(p.partitions("t", "k", new RoutedDecision(v, "t", null), null, 8).isEmpty());
    assertEquals(
        java.util.Optional.of(java.util.Set.of(3)),
        p.partitions("t", "k", new RoutedDecision(v, "t", 3), null, 8));
    assertEquals(
        java.util.Optional.of(java.util.Set.of(1)),
        p.partitions("t", "k", new RoutedDecision(v, "t", 9), null, 8));
  }

  // Contract version 2: several limits per rule, checks, partial grants (SPEC 1, 4, 5).

  /** A rule in the limits form; each entry {@code {limit, windowSeconds, algorithm}}. */
  private static String limits(String id, String key, Object[]... entries) {
    StringBuilder s =
        new StringBuilder("{\"id\":\"" + id + "\",\"key\":\"" + key + "\",\"limits\":[");
    for (int i = 0; i < entries.length; i++) {
      s.append(i == 0 ? "" : ",")
          .append("{\"limit\":")
          .append(entries[i][0])
          .append(",\"windowSeconds\":")
          .append(entries[i][1])
          .append(",\"algorithm\":\"")
          .append(entries[i][2])
          .append("\"}");
    }
    return s.append("]}").toString();
  }

  private static Object[] entry(long limit, long windowSeconds, String algorithm) {
    return new Object[] {limit, windowSeconds, algorithm};
  }

  private Verdict ask(String id, long cost, long maxCost, long t) {
    return f.request(
        "k",
        "{\"id\":\"" + id + "\",\"key\":\"k\",\"cost\":" + cost + ",\"maxCost\":" + maxCost + "}",
        t);
  }

  @Test
  void shouldEnforceABurstLimitAndADailyQuotaInOneRule() {
    f.rule("bd", limits("bd", "k", entry(2, 1, "TOKEN_BUCKET"), entry(3, 86_400, "FIXED_WINDOW")));
    assertTrue(f.request("a", "k", 1, 1_000).allowed());
    assertEquals(2, f.counterCount(), "one counter per limit");
    Verdict second = f.request("b", "k", 1, 1_000);
    assertTrue(second.allowed());
    assertEquals(0, second.limitIndex(), "the bucket is empty; the quota has 1 left");
    Verdict burst = f.request("c", "k", 1, 1_000);
    assertFalse(burst.allowed());
    assertEquals(0, burst.limitIndex());
    assertEquals(500, burst.retryAfterMs());
    assertEquals(0, burst.granted());
    Verdict last = f.request("d", "k", 1, 2_000);
    assertTrue(last.allowed());
    assertEquals(1, last.limitIndex(), "the quota is used up and binds");
    assertEquals(1, last.granted());
    Verdict daily = f.request("e", "k", 1, 3_000);
    assertFalse(daily.allowed());
    assertEquals(1, daily.limitIndex());
    assertEquals(3, daily.limit());
    assertEquals(86_400_000 - 3_000, daily.retryAfterMs());
  }

  @Test
  void shouldGrantPartiallyUpToMaxCost() {
    f.rule("p", limits("p", "k", entry(10, 60, "FIXED_WINDOW"), entry(4, 3_600, "FIXED_WINDOW")));
    Verdict v = ask("a", 1, 10, 0);
    assertTrue(v.allowed());
    assertEquals(4, v.granted());
    assertEquals(1, v.limitIndex());
    assertEquals(0, v.remaining());
    Verdict none = ask("b", 1, 10, 1);
    assertFalse(none.allowed());
    assertEquals(0, none.granted());
    f.rule("one", fixed("one", "j", 5, 60));
    Verdict capped = f.request("j", "{\"id\":\"c\",\"key\":\"j\",\"cost\":2,\"maxCost\":3}", 0);
    assertEquals(3, capped.granted());
    assertEquals(2, capped.remaining());
    Verdict plain = f.request("d", "j", 1, 0);
    assertEquals(1, plain.granted(), "maxCost defaults to cost");
    assertNames("maxCost", invalid("k", "{\"id\":\"q\",\"key\":\"k\",\"cost\":2,\"maxCost\":1}"));
    assertNames("maxCost", invalid("k", "{\"id\":\"q\",\"key\":\"k\",\"cost\":0,\"maxCost\":1}"));
    assertNames("maxCost", invalid("k", "{\"id\":\"q\",\"key\":\"k\",\"maxCost\":\"2\"}"));
  }

  @Test
  void shouldAnswerACostZeroCheckWithoutChangingAnything() {
    f.rule("c", limits("c", "k", entry(1, 60, "FIXED_WINDOW"), entry(5, 3_600, "SLIDING_WINDOW")));
    Verdict fresh = f.request("a", "k", 0, 50_000);
    assertTrue(fresh.allowed());
    assertEquals(0, fresh.granted());
    assertEquals(50_000, fresh.timestampMs());
    assertEquals(0, f.counterCount(), "a check creates no counter");
    Verdict charged = f.request("b", "k", 1, 1_000);
    assertTrue(charged.allowed());
    assertEquals(1_000, charged.timestampMs(), "the check at 50 s moved no clock");
    Verdict check = f.request("c", "k", 0, 2_000);
    assertTrue(check.allowed(), "not over the limit");
    assertEquals(0, check.remaining());
    assertEquals(0, check.granted());
    Verdict denied = f.request("d", "k", 1, 2_000);
    assertFalse(denied.allowed());
    assertEquals(58_000, denied.retryAfterMs(), "the check charged nothing and moved nothing");
    assertEquals(2, f.counterCount());
  }

  @Test
  void shouldKeepCountersPerIndexAcrossAnUpdate() {
    f.rule("u", limits("u", "k", entry(3, 60, "FIXED_WINDOW"), entry(2, 3_600, "FIXED_WINDOW")));
    assertEquals(2, f.request("a", "k", 2, 0).granted());
    // Index 0 unchanged (limit raised only); index 1's window changed: fresh.
    f.rule("u", limits("u", "k", entry(4, 60, "FIXED_WINDOW"), entry(2, 7_200, "FIXED_WINDOW")));
    Verdict v = f.request("b", "k", 2, 1);
    assertTrue(v.allowed(), "index 1 starts fresh");
    assertEquals(0, v.remaining(), "index 0 kept its 2 and now has 4");
    assertEquals(0, v.limitIndex());
    // An invalid version in between changes nothing.
    f.rule("u", "{\"id\":\"u\",\"key\":\"k\",\"limits\":[]}");
    f.rule("u", limits("u", "k", entry(4, 60, "FIXED_WINDOW"), entry(2, 7_200, "FIXED_WINDOW")));
    Verdict full = f.request("c", "k", 1, 2);
    assertFalse(full.allowed(), "both limits kept their counters");
    assertEquals(1, full.limitIndex(), "index 1's two-hour wait is the longest");
    assertEquals(7_200_000 - 2, full.retryAfterMs());
  }

  @Test
  void shouldStartALimitsEntryFreshWhenItIsRemovedAndAddedBack() {
    String both = limits("r", "k", entry(5, 60, "FIXED_WINDOW"), entry(2, 3_600, "TOKEN_BUCKET"));
    f.rule("r", both);
    assertEquals(2, f.request("a", "k", 2, 0).granted());
    assertFalse(f.request("b", "k", 1, 0).allowed(), "index 1 is empty");
    f.rule("r", limits("r", "k", entry(5, 60, "FIXED_WINDOW")));
    assertTrue(f.request("c", "k", 1, 1).allowed());
    f.rule("r", both);
    Verdict back = f.request("d", "k", 2, 2);
    assertTrue(back.allowed(), "the re-added index 1 starts fresh");
    assertEquals(0, back.remaining());
    assertEquals(0, back.limitIndex(), "both have 0 left: the tie goes to index 0");
    f.deleteRule("r");
    f.rule("r", both);
    assertEquals(2, ask("e", 1, 9, 3).granted(), "re-created: every limit fresh");
  }
}
