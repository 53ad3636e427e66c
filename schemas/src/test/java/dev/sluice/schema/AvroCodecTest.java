package dev.sluice.schema;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.AppliedRule;
import dev.sluice.avro.Decision;
import dev.sluice.avro.RateLimitAlgorithm;
import dev.sluice.avro.RateLimitRequest;
import dev.sluice.avro.Rule;
import dev.sluice.avro.RuleLimit;
import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class AvroCodecTest {
  @Test
  void shouldRoundTripRequest() {
    RateLimitRequest r =
        RateLimitRequest.newBuilder()
            .setId("r1")
            .setKey("user:1")
            .setMetadata(Map.of("a", "b"))
            .setCost(3L)
            .build();
    byte[] bytes = AvroCodec.REQUEST.encode(r);
    assertEquals(r, AvroCodec.REQUEST.decode(bytes));
  }

  @Test
  void shouldStartEveryEncodingWithItsHeader() {
    byte[] bytes =
        AvroCodec.REQUEST.encode(
            RateLimitRequest.newBuilder().setId("r1").setKey("user:1").setMaxCost(5L).build());
    assertEquals(
        Arrays.toString(Arrays.copyOf(bytes, 10)), Arrays.toString(AvroCodec.REQUEST.header()));
    assertTrue(
        !Arrays.equals(AvroCodec.REQUEST.header(), AvroCodec.DECISION.header()),
        "each schema has its own fingerprint");
    byte[] v1Form =
        AvroCodec.REQUEST.encode(
            RateLimitRequest.newBuilder().setId("r1").setKey("user:1").build());
    assertEquals(
        Arrays.toString(Arrays.copyOf(v1Form, 10)),
        Arrays.toString(AvroCodec.REQUEST.header("v1")));
    assertNull(AvroCodec.REQUEST.header("v0"), "no such release");
  }

  @Test
  void shouldWriteARequestWithoutMaxCostExactlyAsReleaseV1Did() {
    RateLimitRequest r = new RateLimitRequest("q", "k", Map.of("a", "b"), 3L, 1, "t", null);
    byte[] v1 = v1Request();
    assertArrayEquals(v1, AvroCodec.REQUEST.encode(r));
    assertEquals("v1", AvroCodec.REQUEST.writtenVersion(r));
    assertEquals(r, AvroCodec.REQUEST.decode(AvroCodec.REQUEST.encode(r)));

    RateLimitRequest partial = new RateLimitRequest("q", "k", Map.of(), 3L, 1, "t", 9L);
    assertNull(AvroCodec.REQUEST.writtenVersion(partial), "maxCost needs the current schema");
    byte[] current = AvroCodec.REQUEST.encode(partial);
    assertArrayEquals(AvroCodec.REQUEST.header(), Arrays.copyOf(current, 10));
    assertEquals(partial, AvroCodec.REQUEST.decode(current));
  }

  @Test
  void shouldWriteTopLevelRulesAndTheirAppliedRecordsAsReleaseV1Did() {
    Rule topLevel =
        Rule.newBuilder()
            .setId("r")
            .setKey("user:*")
            .setLimit(5L)
            .setWindowSeconds(60L)
            .setAlgorithm(RateLimitAlgorithm.TOKEN_BUCKET)
            .setShadow(true)
            .build();
    Map<String, Object> v1Fields =
        Map.of(
            "id",
            "r",
            "key",
            "user:*",
            "limit",
            5L,
            "windowSeconds",
            60L,
            "algorithm",
            "TOKEN_BUCKET",
            "shadow",
            true);
    assertArrayEquals(ReleasedBytes.write("v1", "Rule", v1Fields), AvroCodec.RULE.encode(topLevel));
    assertEquals(topLevel, AvroCodec.RULE.decode(AvroCodec.RULE.encode(topLevel)));

    AppliedRule applied = new AppliedRule(topLevel, 4L, 0, 4L, List.of());
    Schema v1Rule = ReleasedBytes.schema("v1", "AppliedRule").getField("rule").schema();
    assertArrayEquals(
        ReleasedBytes.write(
            "v1",
            "AppliedRule",
            Map.of(
                "rule",
                ReleasedBytes.build(v1Rule, v1Fields),
                "generation",
                4L,
                "sourcePartition",
                0,
                "sourceOffset",
                4L)),
        AvroCodec.APPLIED_RULE.encode(applied));
    assertEquals(applied, AvroCodec.APPLIED_RULE.decode(AvroCodec.APPLIED_RULE.encode(applied)));
  }

  @Test
  void shouldWriteWithTheCurrentSchemaWhatReleaseV1CouldNotHold() {
    Rule limitsForm =
        Rule.newBuilder()
            .setId("r")
            .setKey("k")
            .setLimits(List.of(new RuleLimit(5L, 60L, null), new RuleLimit(100L, 3600L, null)))
            .build();
    Rule halfForm = Rule.newBuilder().setId("r").setKey("k").setLimit(5L).build();
    AppliedRule generations =
        new AppliedRule(
            Rule.newBuilder().setId("r").setKey("k").setLimit(5L).setWindowSeconds(1L).build(),
            4L,
            0,
            4L,
            List.of(4L));
    for (Rule rule : List.of(limitsForm, halfForm)) {
      assertNull(AvroCodec.RULE.writtenVersion(rule), rule.toString());
      byte[] bytes = AvroCodec.RULE.encode(rule);
      assertArrayEquals(AvroCodec.RULE.header(), Arrays.copyOf(bytes, 10));
      assertEquals(rule, AvroCodec.RULE.decode(bytes));
    }
    for (AppliedRule a : List.of(generations, new AppliedRule(limitsForm, 4L, 0, 4L, List.of()))) {
      assertNull(AvroCodec.APPLIED_RULE.writtenVersion(a), a.toString());
      assertEquals(a, AvroCodec.APPLIED_RULE.decode(AvroCodec.APPLIED_RULE.encode(a)));
    }
  }

  @Property(tries = 500)
  void shouldWriteEveryRuleInV1sFormExactlyWhenV1CanHoldIt(@ForAll("rules") Rule rule) {
    boolean v1CanHold =
        rule.getLimit() != null && rule.getWindowSeconds() != null && rule.getLimits() == null;
    assertEquals(v1CanHold ? "v1" : null, AvroCodec.RULE.writtenVersion(rule));
    byte[] bytes = AvroCodec.RULE.encode(rule);
    assertArrayEquals(
        v1CanHold ? AvroCodec.RULE.header("v1") : AvroCodec.RULE.header(),
        Arrays.copyOf(bytes, 10));
    assertEquals(rule, AvroCodec.RULE.decode(bytes));
    AppliedRule applied = new AppliedRule(rule, 3L, 1, 3L, List.of());
    assertEquals(
        v1CanHold ? "v1" : null, AvroCodec.APPLIED_RULE.writtenVersion(applied), "applied");
    assertEquals(applied, AvroCodec.APPLIED_RULE.decode(AvroCodec.APPLIED_RULE.encode(applied)));
  }

  @Provide
  Arbitrary<Rule> rules() {
    Arbitrary<Long> longs = Arbitraries.longs().between(-2, 1L << 40).injectNull(0.3);
    Arbitrary<RateLimitAlgorithm> algorithms =
        Arbitraries.of(RateLimitAlgorithm.class).injectNull(0.3);
    Arbitrary<List<RuleLimit>> limits =
        Combinators.combine(longs.filter(x -> x != null), longs.filter(x -> x != null), algorithms)
            .as(RuleLimit::new)
            .list()
            .ofMinSize(0)
            .ofMaxSize(3)
            .injectNull(0.5);
    Arbitrary<Map<String, String>> metadata =
        Arbitraries.maps(Arbitraries.strings().ofMaxLength(4), Arbitraries.strings().ofMaxLength(4))
            .ofMaxSize(2)
            .injectNull(0.5);
    return Combinators.combine(
            longs,
            longs,
            Arbitraries.integers().injectNull(0.5),
            metadata,
            algorithms,
            Arbitraries.of(true, false).injectNull(0.5),
            limits)
        .as(
            (limit, window, priority, md, algorithm, shadow, entries) ->
                new Rule("r", "k*", limit, window, priority, md, algorithm, shadow, entries));
  }

  @Test
  void shouldAlwaysWriteDecisionsWithTheCurrentSchema() {
    // Even a decision with granted and limitIndex at their defaults: clients upgrade first.
    byte[] bytes = DecisionCodec.encode(Verdict.noMatchingRule("q", "k", 1));
    assertArrayEquals(AvroCodec.DECISION.header(), Arrays.copyOf(bytes, 10));
    assertNull(
        AvroCodec.DECISION.writtenVersion(
            DecisionCodec.toAvro(Verdict.noMatchingRule("q", "k", 1))));
    assertArrayEquals(
        bytes,
        AvroCodec.DECISION.encode(DecisionCodec.toAvro(Verdict.noMatchingRule("q", "k", 1))));
  }

  @Test
  void shouldRejectTruncatedBytesWithCodecException() {
    RateLimitRequest r = RateLimitRequest.newBuilder().setId("r1").setKey("user:1").build();
    byte[] bytes = AvroCodec.REQUEST.encode(r);
    byte[] cut = Arrays.copyOf(bytes, bytes.length - 3);
    assertThrows(CodecException.class, () -> AvroCodec.REQUEST.decode(cut));
  }

  @Test
  void shouldRejectForeignBytesWithCodecException() {
    assertThrows(CodecException.class, () -> AvroCodec.REQUEST.decode("{\"id\":1}".getBytes()));
    byte[] wrongFingerprint =
        AvroCodec.RULE.encode(
            dev.sluice.avro.Rule.newBuilder()
                .setId("a")
                .setKey("k")
                .setLimit(1L)
                .setWindowSeconds(1L)
                .build());
    assertThrows(CodecException.class, () -> AvroCodec.REQUEST.decode(wrongFingerprint));
  }

  @Test
  void shouldRefuseLengthPrefixesBeyondTheRecordWithoutAllocatingThem() {
    byte[] header =
        Arrays.copyOf(
            AvroCodec.REQUEST.encode(RateLimitRequest.newBuilder().setId("a").setKey("b").build()),
            10);
    // id claims a 1 GB string; then a map claiming 2^30 entries after valid id and key.
    byte[] hugeString = concat(header, zigZag(1L << 30), new byte[16]);
    byte[] hugeMap =
        concat(
            header,
            zigZag(1),
            "a".getBytes(),
            zigZag(1),
            "b".getBytes(),
            zigZag(1L << 30),
            new byte[16]);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    CodecException s =
        assertThrows(CodecException.class, () -> AvroCodec.REQUEST.decode(hugeString));
    CodecException m = assertThrows(CodecException.class, () -> AvroCodec.REQUEST.decode(hugeMap));
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertTrue(allocated < 16L << 20, "allocated " + allocated + " bytes for two 30-byte records");
    assertTrue(s.getMessage().contains("string length 1073741824"), s.getMessage());
    assertTrue(m.getMessage().contains("map block of 1073741824 items"), m.getMessage());
  }

  @Test
  void shouldDecodeRequestsWrittenByTheReleasedV1Schema() {
    // A v1 producer has no maxCost field: the request reads as one without maxCost.
    byte[] v1 = v1Request();
    assertFalse(
        Arrays.equals(Arrays.copyOf(v1, 10), AvroCodec.REQUEST.header()),
        "the schema changed, so must its fingerprint");
    RateLimitRequest r = AvroCodec.REQUEST.decode(v1);
    assertEquals(new RateLimitRequest("q", "k", Map.of("a", "b"), 3L, 1, "t", null), r);
    assertEquals(
        RequestCodec.decodeWithAvro(v1), RequestDecoder.decode(v1), "the direct reader reads v1");
    assertEquals(
        new DecodedRequest("q", "k", Map.of("a", "b"), 3L, null, "t", 1, null, null),
        RequestCodec.decode(v1));
  }

  @Test
  void shouldDecodeDecisionsWrittenByTheReleasedV1SchemaWithGrantedAndLimitIndexMinusOne() {
    byte[] v1 =
        ReleasedBytes.write(
            "v1",
            "Decision",
            Map.ofEntries(
                Map.entry("requestId", "q"),
                Map.entry("key", "k"),
                Map.entry("allowed", false),
                Map.entry("reason", "RATE_LIMITED"),
                Map.entry("ruleId", "r"),
                Map.entry("limit", 10L),
                Map.entry("remaining", 0L),
                Map.entry("resetAfterMs", 500L),
                Map.entry("retryAfterMs", 250L),
                Map.entry("timestampMs", 1000L),
                Map.entry("shadow", false)));
    Decision d = AvroCodec.DECISION.decode(v1);
    assertEquals(-1L, d.getGranted());
    assertEquals(-1, d.getLimitIndex());
    assertEquals(
        new Verdict(
            "q", "k", false, Reason.RATE_LIMITED, "r", 10, 0, 500, 250, -1, -1, 1000, false, null),
        DecisionCodec.fromAvro(d));
  }

  @Test
  void shouldDecodeRulesAndAppliedRulesWrittenByTheReleasedV1Schemas() {
    Map<String, Object> ruleFields =
        Map.of("id", "r", "key", "user:*", "limit", 5L, "windowSeconds", 60L);
    Rule rule = AvroCodec.RULE.decode(ReleasedBytes.write("v1", "Rule", ruleFields));
    assertEquals(5L, rule.getLimit());
    assertEquals(60L, rule.getWindowSeconds());
    assertNull(rule.getLimits(), "a v1 rule is in the top-level form");

    Schema v1Rule = ReleasedBytes.schema("v1", "AppliedRule").getField("rule").schema();
    AppliedRule applied =
        AvroCodec.APPLIED_RULE.decode(
            ReleasedBytes.write(
                "v1",
                "AppliedRule",
                Map.of(
                    "rule",
                    ReleasedBytes.build(v1Rule, ruleFields),
                    "generation",
                    42L,
                    "sourcePartition",
                    0,
                    "sourceOffset",
                    42L)));
    assertEquals(rule, applied.getRule());
    assertEquals(42L, applied.getGeneration());
    assertEquals(List.of(), applied.getLimitGenerations());
  }

  @Test
  void shouldCheckTheBoundsOfReleasedSchemaBytesBeforeAvroAllocates() {
    byte[] v1Header =
        Arrays.copyOf(
            ReleasedBytes.write("v1", "RateLimitRequest", Map.of("id", "a", "key", "b")), 10);
    byte[] hugeString = concat(v1Header, zigZag(1L << 30), new byte[16]);
    CodecException e =
        assertThrows(CodecException.class, () -> AvroCodec.REQUEST.decode(hugeString));
    assertTrue(e.getMessage().contains("string length 1073741824"), e.getMessage());
  }

  @Test
  void shouldRefuseAnUnknownFingerprintNamingIt() {
    byte[] bytes =
        AvroCodec.REQUEST.encode(RateLimitRequest.newBuilder().setId("a").setKey("b").build());
    bytes[4] ^= 0x10;
    CodecException e = assertThrows(CodecException.class, () -> AvroCodec.REQUEST.decode(bytes));
    assertTrue(e.getMessage().contains("unknown schema fingerprint"), e.getMessage());
  }

  private static byte[] zigZag(long v) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    long n = (v << 1) ^ (v >> 63);
    while ((n & ~0x7FL) != 0) {
      out.write((int) ((n & 0x7F) | 0x80));
      n >>>= 7;
    }
    out.write((int) n);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /**
   * The bytes the released v1 schema writes for request q (key k, metadata a=b, cost 3, reply
   * partition 1 of topic t).
   */
  private static byte[] v1Request() {
    return ReleasedBytes.write(
        "v1",
        "RateLimitRequest",
        Map.of(
            "id",
            "q",
            "key",
            "k",
            "metadata",
            Map.of("a", "b"),
            "cost",
            3L,
            "replyPartition",
            1,
            "replyTopic",
            "t"));
  }
}
