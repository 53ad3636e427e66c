package dev.sluice.schema.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.sluice.avro.AppliedRule;
import dev.sluice.avro.Decision;
import dev.sluice.avro.DecisionReason;
import dev.sluice.avro.RateLimitAlgorithm;
import dev.sluice.avro.RateLimitRequest;
import dev.sluice.avro.Rule;
import dev.sluice.avro.RuleLimit;
import dev.sluice.schema.AvroCodec;
import dev.sluice.schema.ReleasedBytes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract version 2 fields ({@code RateLimitRequest.maxCost}, {@code Decision.granted} and
 * {@code limitIndex}, {@code Rule.limits}, {@code AppliedRule.limitGenerations}) through the
 * registry wire format: they round-trip, the registry accepts the new schemas after the released v1
 * ones under BACKWARD compatibility, and during a rolling upgrade both sides read each other's
 * records (a v1 reader gets the writer schema by id, so it needs no knowledge of version 2).
 */
class RegistryVersion2Test {
  private static final RateLimitRequest REQUEST =
      RateLimitRequest.newBuilder()
          .setId("q")
          .setKey("user:1")
          .setMetadata(Map.of("tenant", "t"))
          .setCost(2L)
          .setMaxCost(50L)
          .setReplyPartition(3)
          .build();

  private static final Decision DECISION =
      Decision.newBuilder()
          .setRequestId("q")
          .setKey("user:1")
          .setAllowed(true)
          .setReason(DecisionReason.ALLOWED)
          .setRuleId("burst-and-daily")
          .setLimit(1000)
          .setRemaining(4)
          .setResetAfterMs(86_000_000L)
          .setRetryAfterMs(0)
          .setTimestampMs(1_700_000_000_000L)
          .setShadow(false)
          .setGranted(17)
          .setLimitIndex(1)
          .build();

  private static final Rule LIMITS_RULE =
      Rule.newBuilder()
          .setId("burst-and-daily")
          .setKey("user:*")
          .setAlgorithm(RateLimitAlgorithm.TOKEN_BUCKET)
          .setLimits(
              List.of(
                  new RuleLimit(10L, 1L, null),
                  new RuleLimit(1000L, 86_400L, RateLimitAlgorithm.FIXED_WINDOW)))
          .build();

  private FakeSchemaRegistry registry;
  private SchemaRegistryClient client;

  @BeforeEach
  void setUp() throws Exception {
    registry = FakeSchemaRegistry.start();
    client = new SchemaRegistryClient(SchemaRegistryConfig.of(registry.url()));
  }

  @AfterEach
  void tearDown() {
    registry.close();
  }

  private <T extends SpecificRecord> RegistryAvroCodec<T> codec(AvroCodec<T> c, String subject) {
    return new RegistryAvroCodec<>(c, client, subject);
  }

  @Test
  void shouldRoundTripTheVersion2FieldsOfEveryRecord() {
    RateLimitRequest request =
        codec(AvroCodec.REQUEST, "requests-value")
            .decode(codec(AvroCodec.REQUEST, "requests-value").encode(REQUEST));
    assertEquals(REQUEST, request);
    assertEquals(50L, request.getMaxCost());

    RegistryAvroCodec<Decision> decisions = codec(AvroCodec.DECISION, "decisions-value");
    Decision decision = decisions.decode(decisions.encode(DECISION));
    assertEquals(DECISION, decision);
    assertEquals(17L, decision.getGranted());
    assertEquals(1, decision.getLimitIndex());

    RegistryAvroCodec<Rule> rules = codec(AvroCodec.RULE, "rules-value");
    Rule rule = rules.decode(rules.encode(LIMITS_RULE));
    assertEquals(LIMITS_RULE, rule);
    assertNull(rule.getLimit());
    assertNull(rule.getLimits().get(0).getAlgorithm(), "an entry without algorithm stays null");

    RegistryAvroCodec<AppliedRule> applied = codec(AvroCodec.APPLIED_RULE, "applied-value");
    AppliedRule a = new AppliedRule(LIMITS_RULE, 7L, 0, 9L, List.of(7L, 9L));
    assertEquals(a, applied.decode(applied.encode(a)));
  }

  @Test
  void shouldRegisterVersion2AfterTheReleasedV1SchemasAndReadV1RecordsWithTheDefaults() {
    // A registry that v1 producers used: their schemas are the subjects' latest versions. The
    // fake registry checks BACKWARD compatibility on register, so encoding proves acceptance.
    int requestV1 = registry.seed("requests-value", ReleasedBytes.schema("v1", "RateLimitRequest"));
    int decisionV1 = registry.seed("decisions-value", ReleasedBytes.schema("v1", "Decision"));
    int ruleV1 = registry.seed("rules-value", ReleasedBytes.schema("v1", "Rule"));
    int appliedV1 = registry.seed("applied-value", ReleasedBytes.schema("v1", "AppliedRule"));

    RegistryAvroCodec<RateLimitRequest> requests = codec(AvroCodec.REQUEST, "requests-value");
    RegistryAvroCodec<Decision> decisions = codec(AvroCodec.DECISION, "decisions-value");
    RegistryAvroCodec<Rule> rules = codec(AvroCodec.RULE, "rules-value");
    RegistryAvroCodec<AppliedRule> applied = codec(AvroCodec.APPLIED_RULE, "applied-value");
    assertEquals(REQUEST, requests.decode(requests.encode(REQUEST)));
    assertEquals(DECISION, decisions.decode(decisions.encode(DECISION)));
    assertEquals(LIMITS_RULE, rules.decode(rules.encode(LIMITS_RULE)));

    Map<String, Object> oldRuleFields =
        Map.of(
            "id", "r", "key", "k", "limit", 5L, "windowSeconds", 60L, "algorithm", "FIXED_WINDOW");
    Schema v1Rule = ReleasedBytes.schema("v1", "Rule");
    RateLimitRequest r =
        requests.decode(
            wire(
                requestV1,
                ReleasedBytes.build(
                    ReleasedBytes.schema("v1", "RateLimitRequest"),
                    Map.of("id", "q", "key", "k", "cost", 4L))));
    assertEquals(4L, r.getCost());
    assertNull(r.getMaxCost());

    Decision d =
        decisions.decode(
            wire(
                decisionV1,
                ReleasedBytes.build(
                    ReleasedBytes.schema("v1", "Decision"),
                    Map.of(
                        "allowed", true,
                        "reason", "NO_MATCHING_RULE",
                        "limit", -1L,
                        "remaining", -1L,
                        "resetAfterMs", -1L,
                        "retryAfterMs", -1L,
                        "timestampMs", 5L,
                        "shadow", false))));
    assertEquals(-1L, d.getGranted());
    assertEquals(-1, d.getLimitIndex());

    Rule rule = rules.decode(wire(ruleV1, ReleasedBytes.build(v1Rule, oldRuleFields)));
    assertEquals(5L, rule.getLimit());
    assertEquals(60L, rule.getWindowSeconds());
    assertEquals(RateLimitAlgorithm.FIXED_WINDOW, rule.getAlgorithm());
    assertNull(rule.getLimits());

    AppliedRule a =
        applied.decode(
            wire(
                appliedV1,
                ReleasedBytes.build(
                    ReleasedBytes.schema("v1", "AppliedRule"),
                    Map.of(
                        "rule",
                        ReleasedBytes.build(v1Rule, oldRuleFields),
                        "generation",
                        11L,
                        "sourcePartition",
                        0,
                        "sourceOffset",
                        11L))));
    assertEquals(rule, a.getRule());
    assertEquals(List.of(), a.getLimitGenerations());
  }

  @Test
  void shouldLetAV1ReaderReadVersion2RequestsAndDecisionsByTheWriterSchemaId() {
    // What a v1 instance's RegistryAvroCodec does: fetch the writer schema by the id in the
    // header, resolve it to its own (v1) schema. The new fields are skipped.
    byte[] request = codec(AvroCodec.REQUEST, "requests-value").encode(REQUEST);
    GenericRecord oldRequest = readAsV1(request, "RateLimitRequest");
    assertEquals("q", oldRequest.get("id").toString());
    assertEquals(2L, oldRequest.get("cost"));
    assertEquals(3, oldRequest.get("replyPartition"));
    assertNull(oldRequest.getSchema().getField("maxCost"));

    byte[] decision = codec(AvroCodec.DECISION, "decisions-value").encode(DECISION);
    GenericRecord oldDecision = readAsV1(decision, "Decision");
    assertEquals("ALLOWED", oldDecision.get("reason").toString());
    assertEquals(1000L, oldDecision.get("limit"));
    assertEquals(4L, oldDecision.get("remaining"));
    assertEquals(86_000_000L, oldDecision.get("resetAfterMs"));
    assertNull(oldDecision.getSchema().getField("granted"));
  }

  private GenericRecord readAsV1(byte[] registryBytes, String record) {
    Schema writer = client.schemaById(RegistryAvroCodec.schemaId(registryBytes));
    try {
      return new GenericDatumReader<GenericRecord>(writer, ReleasedBytes.schema("v1", record))
          .read(
              null,
              DecoderFactory.get()
                  .binaryDecoder(
                      registryBytes,
                      RegistryAvroCodec.HEADER_BYTES,
                      registryBytes.length - RegistryAvroCodec.HEADER_BYTES,
                      null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] wire(int id, GenericRecord rec) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(RegistryAvroCodec.MAGIC);
      out.write(ByteBuffer.allocate(4).putInt(id).array());
      BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<GenericRecord>(rec.getSchema()).write(rec, enc);
      enc.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
