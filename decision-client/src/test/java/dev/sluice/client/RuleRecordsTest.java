package dev.sluice.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.RateLimitAlgorithm;
import dev.sluice.avro.Rule;
import dev.sluice.core.Algorithm;
import dev.sluice.core.rule.RuleValidation;
import dev.sluice.schema.AvroCodec;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuleRecordsTest {

  @Test
  void shouldReadAnAvroRuleWithDefaults() {
    Rule rule =
        Rule.newBuilder().setId("r").setKey("k*").setLimit(5L).setWindowSeconds(10L).build();
    RuleValidation v = RuleRecords.parse(AvroCodec.RULE.encode(rule));
    assertTrue(v.isValid(), v.errorMessage());
    assertEquals("k*", v.rule().key());
    assertEquals(Algorithm.SLIDING_WINDOW_COUNTER, v.rule().algorithm());
    assertEquals(0, v.rule().priority());
    assertFalse(v.rule().shadow());
  }

  @Test
  void shouldRejectTheUnknownAlgorithmOfANewerWriter() {
    Rule rule =
        Rule.newBuilder()
            .setId("r")
            .setKey("k")
            .setLimit(5L)
            .setWindowSeconds(10L)
            .setAlgorithm(RateLimitAlgorithm.UNKNOWN)
            .setMetadata(Map.of("a", "b"))
            .build();
    RuleValidation v = RuleRecords.parse(AvroCodec.RULE.encode(rule));
    assertFalse(v.isValid());
    assertTrue(v.errorMessage().startsWith("algorithm:"), v.errorMessage());
  }

  @Test
  void shouldReadJsonRulesStrictly() {
    RuleValidation ok =
        RuleRecords.parse(
            "{\"id\":\"j\",\"key\":\"k\",\"limit\":1,\"windowSeconds\":1,\"shadow\":true}"
                .getBytes(StandardCharsets.UTF_8));
    assertTrue(ok.isValid(), ok.errorMessage());
    assertTrue(ok.rule().shadow());
    RuleValidation dup =
        RuleRecords.parse(
            "{\"id\":\"j\",\"id\":\"k\",\"key\":\"k\",\"limit\":1,\"windowSeconds\":1}"
                .getBytes(StandardCharsets.UTF_8));
    assertFalse(dup.isValid());
  }

  @Test
  void shouldReportUndecodableAvroAgainstTheValue() {
    RuleValidation v = RuleRecords.parse(new byte[] {(byte) 0xC3, 0x01, 0, 0, 0, 0, 0, 0, 0, 0});
    assertFalse(v.isValid());
    assertTrue(v.errorMessage().startsWith("value:"), v.errorMessage());
  }
}
