package dev.sluice.schema;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.AppliedRule;
import dev.sluice.avro.Rule;
import dev.sluice.core.Algorithm;
import dev.sluice.core.rule.LimitRule;
import dev.sluice.core.rule.RuleValidation;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** Rules both ways between JSON, Avro and the core, in both forms of SPEC 1 (version 2). */
class RuleCodecTest {
  private static final String BURST_DAILY =
      "{\"id\":\"bd\",\"key\":\"user:*\",\"algorithm\":\"TOKEN_BUCKET\",\"limits\":["
          + "{\"limit\":10,\"windowSeconds\":1},"
          + "{\"limit\":10000,\"windowSeconds\":86400,\"algorithm\":\"FIXED_WINDOW\"}]}";

  private static LimitRule valid(String json) {
    RuleValidation v = RuleCodec.decodeAndValidate(json.getBytes(StandardCharsets.UTF_8));
    assertTrue(v.isValid(), v.errorMessage());
    return v.rule();
  }

  @Test
  void shouldCarryTheLimitsFormThroughAvro() {
    LimitRule rule = valid(BURST_DAILY);
    Rule avro = RuleCodec.toAvro(rule);
    assertNull(avro.getLimit());
    assertNull(avro.getWindowSeconds());
    assertEquals(2, avro.getLimits().size());
    assertEquals("TOKEN_BUCKET", avro.getLimits().get(0).getAlgorithm().name(), "defaults written");
    RuleValidation back = RuleCodec.decodeAndValidate(AvroCodec.RULE.encode(avro));
    assertTrue(back.isValid(), back.errorMessage());
    assertEquals(rule, back.rule());
    assertTrue(back.rule().limitsForm());
    assertEquals(Algorithm.FIXED_WINDOW, back.rule().limits().get(1).algorithm());
  }

  @Test
  void shouldKeepTheTopLevelFormInAvro() {
    LimitRule rule = valid("{\"id\":\"t\",\"key\":\"k\",\"limit\":5,\"windowSeconds\":60}");
    Rule avro = RuleCodec.toAvro(rule);
    assertEquals(5L, avro.getLimit());
    assertEquals(60L, avro.getWindowSeconds());
    assertNull(avro.getLimits());
    assertEquals(rule, RuleCodec.validate(avro).rule());
  }

  @Test
  void shouldRejectRulesTheServiceWouldReject() {
    RuleValidation unknown =
        RuleCodec.decodeAndValidate(
            "{\"id\":\"t\",\"key\":\"k\",\"limit\":5,\"windowSeconds\":60,\"colour\":\"blue\"}"
                .getBytes(StandardCharsets.UTF_8));
    assertFalse(unknown.isValid(), "SPEC 1: an unknown field makes the rule invalid");
    Rule both = Rule.newBuilder(RuleCodec.toAvro(valid(BURST_DAILY))).setLimit(3L).build();
    RuleValidation v = RuleCodec.validate(both);
    assertFalse(v.isValid());
    assertEquals("limits", v.errors().get(0).field());
    Rule neither = Rule.newBuilder(both).setLimit(null).setLimits(null).build();
    assertEquals("limits", RuleCodec.validate(neither).errors().get(0).field());
  }

  @Test
  void shouldCarryAGenerationPerLimitInAppliedRules() {
    LimitRule rule = valid(BURST_DAILY).withGenerations(new long[] {5, 9});
    AppliedRule applied = RuleCodec.toApplied(rule, 0, 9);
    assertEquals(5, applied.getGeneration(), "index 0's, for readers of the first release");
    assertEquals(List.of(5L, 9L), applied.getLimitGenerations());
    LimitRule back =
        RuleCodec.fromApplied(
            AvroCodec.APPLIED_RULE.decode(AvroCodec.APPLIED_RULE.encode(applied)));
    assertEquals(rule, back);
    assertArrayEquals(
        new long[] {5, 9}, back.limits().stream().mapToLong(LimitRule.Limit::generation).toArray());

    AppliedRule short1 = AppliedRule.newBuilder(applied).setLimitGenerations(List.of(5L)).build();
    assertThrows(CodecException.class, () -> RuleCodec.fromApplied(short1));
    AppliedRule none = AppliedRule.newBuilder(applied).setLimitGenerations(List.of()).build();
    assertThrows(CodecException.class, () -> RuleCodec.fromApplied(none));
  }

  @Test
  void shouldWriteAOneLimitAppliedRuleThatTheFirstReleaseReads() throws Exception {
    LimitRule rule = valid("{\"id\":\"t\",\"key\":\"k\",\"limit\":5,\"windowSeconds\":60}");
    AppliedRule applied = RuleCodec.toApplied(rule.withGeneration(17), 0, 17);
    assertEquals(List.of(), applied.getLimitGenerations(), "the default: generation says it all");
    byte[] bytes = AvroCodec.APPLIED_RULE.encode(applied);
    GenericRecord v1 =
        new org.apache.avro.message.BinaryMessageDecoder<GenericRecord>(
                org.apache.avro.generic.GenericData.get(),
                ReleasedBytes.schema("v1", "AppliedRule"))
            .decode(bytes);
    assertEquals(17L, v1.get("generation"));
    assertEquals(
        rule.withGeneration(17), RuleCodec.fromApplied(AvroCodec.APPLIED_RULE.decode(bytes)));
  }

  @Test
  void shouldReadAnAppliedRuleOfTheFirstReleaseAsIndexZerosGeneration() {
    GenericRecord rule =
        ReleasedBytes.build(
            ReleasedBytes.schema("v1", "Rule"),
            Map.of(
                "id", "old",
                "key", "user:*",
                "limit", 7L,
                "windowSeconds", 60L,
                "algorithm", "FIXED_WINDOW"));
    byte[] bytes =
        ReleasedBytes.write(
            "v1",
            "AppliedRule",
            Map.of("rule", rule, "generation", 42L, "sourcePartition", 0, "sourceOffset", 50L));
    LimitRule read = RuleCodec.fromApplied(AvroCodec.APPLIED_RULE.decode(bytes));
    assertEquals(42, read.generation());
    assertEquals(1, read.limits().size());
    assertFalse(read.limitsForm());
    assertEquals(7, read.limit());
    assertEquals(Algorithm.FIXED_WINDOW, read.limits().get(0).algorithm());
  }
}
