package dev.sluice.core.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.Algorithm;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The Map entry point (what the Avro adapter calls) and properties of valid rules. The JSON entry
 * point's messages are pinned by the fixtures in {@link RuleFixturesTest}.
 */
class RuleValidatorTest {

  /** A valid rule as the Avro adapter would hand it over, with optional fields null. */
  private static Map<String, Object> avroLike() {
    Map<String, Object> fields = new HashMap<>();
    fields.put("id", "r1");
    fields.put("key", "user:42");
    fields.put("limit", 100L);
    fields.put("windowSeconds", 60L);
    fields.put("priority", null);
    fields.put("metadata", null);
    fields.put("algorithm", null);
    fields.put("shadow", null);
    return fields;
  }

  private static Map<String, Object> with(String field, Object value) {
    Map<String, Object> fields = avroLike();
    fields.put(field, value);
    return fields;
  }

  @Test
  void shouldApplyEveryDefaultWhenOptionalFieldsAreNull() {
    RuleValidation result = RuleValidator.validate(avroLike());

    assertTrue(result.isValid(), result::errorMessage);
    LimitRule rule = result.rule();
    assertEquals("r1", rule.id());
    assertEquals("user:42", rule.key());
    assertEquals(100, rule.limit());
    assertEquals(60, rule.windowSeconds());
    assertEquals(0, rule.priority());
    assertEquals(Map.of(), rule.metadata());
    assertEquals(Algorithm.SLIDING_WINDOW_COUNTER, rule.algorithm());
    assertFalse(rule.shadow());
    assertEquals(0, rule.generation());
    assertEquals("r1", result.id());
  }

  @Test
  void shouldApplyEveryDefaultWhenOptionalFieldsAreAbsent() {
    Map<String, Object> fields =
        Map.of("id", "r1", "key", "user:42", "limit", 100L, "windowSeconds", 60L);

    RuleValidation result = RuleValidator.validate(fields);

    assertTrue(result.isValid(), result::errorMessage);
    assertEquals(RuleValidator.validate(avroLike()).rule(), result.rule());
  }

  @Test
  void shouldAcceptEveryFieldInItsAvroJavaType() {
    Map<String, Object> fields = avroLike();
    fields.put("limit", 5000L);
    fields.put("windowSeconds", 3600);
    fields.put("priority", -7);
    fields.put("metadata", Map.of("region", "eu", "plan", "*"));
    fields.put("algorithm", "TOKEN_BUCKET");
    fields.put("shadow", true);

    LimitRule rule = RuleValidator.validate(fields).rule();

    assertEquals(5000, rule.limit());
    assertEquals(3600, rule.windowSeconds());
    assertEquals(-7, rule.priority());
    assertEquals(Map.of("plan", "*", "region", "eu"), rule.metadata());
    assertEquals(Algorithm.TOKEN_BUCKET, rule.algorithm());
    assertTrue(rule.shadow());
  }

  @Test
  void shouldAcceptCharSequencesAndEnumConstants() {
    Map<String, Object> fields = avroLike();
    fields.put("id", new StringBuilder("r1"));
    fields.put("key", new StringBuilder("user:*"));
    fields.put("algorithm", Algorithm.FIXED_WINDOW);
    fields.put("metadata", Map.of(new StringBuilder("region"), new StringBuilder("eu")));

    RuleValidation result = RuleValidator.validate(fields);

    assertTrue(result.isValid(), result::errorMessage);
    assertEquals("user:*", result.rule().key());
    assertEquals(Algorithm.FIXED_WINDOW, result.rule().algorithm());
    assertEquals(Map.of("region", "eu"), result.rule().metadata());
  }

  @Test
  void shouldRejectTheAvroUnknownSymbolAsAnUnknownAlgorithm() {
    RuleValidation result = RuleValidator.validate(with("algorithm", "UNKNOWN"));

    assertEquals(
        List.of(
            new FieldError(
                "algorithm",
                "\"UNKNOWN\"",
                "must be one of FIXED_WINDOW, SLIDING_WINDOW, SLIDING_WINDOW_COUNTER,"
                    + " TOKEN_BUCKET")),
        result.errors());
  }

  @Test
  void shouldRejectAnEnumConstantNamedUnknown() {
    RuleValidation result = RuleValidator.validate(with("algorithm", Unknown.UNKNOWN));

    assertEquals(1, result.errors().size());
    assertEquals("algorithm", result.errors().get(0).field());
  }

  private enum Unknown {
    UNKNOWN
  }

  @Test
  void shouldRejectValuesOfTheWrongJavaType() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("id", 7);
    fields.put("key", List.of("user:1"));
    fields.put("limit", 10.0);
    fields.put("windowSeconds", "60");
    fields.put("priority", 1.5f);
    fields.put("metadata", List.of());
    fields.put("algorithm", 3);
    fields.put("shadow", "true");

    RuleValidation result = RuleValidator.validate(fields);

    assertEquals(
        "id: must be a string (got 7); "
            + "key: must be a string (got [user:1]); "
            + "limit: must be an integer without a fraction or exponent (got 10.0); "
            + "windowSeconds: must be an integer without a fraction or exponent (got \"60\"); "
            + "priority: must be an integer without a fraction or exponent (got 1.5); "
            + "metadata: must be an object whose values are strings (got []); "
            + "algorithm: must be one of FIXED_WINDOW, SLIDING_WINDOW, SLIDING_WINDOW_COUNTER,"
            + " TOKEN_BUCKET (got 3); "
            + "shadow: must be a boolean (got \"true\")",
        result.errorMessage());
    assertNull(result.id(), "a non-string id is not carried");
  }

  @Test
  void shouldRejectAPriorityLongBeyond32Bits() {
    RuleValidation result = RuleValidator.validate(with("priority", 1L << 31));

    assertEquals(
        "priority: must be a 32-bit integer, from -2147483648 to 2147483647 (got 2147483648)",
        result.errorMessage());
  }

  @Test
  void shouldAcceptAPriorityLongWithin32Bits() {
    assertEquals(
        Integer.MIN_VALUE,
        RuleValidator.validate(with("priority", (long) Integer.MIN_VALUE)).rule().priority());
  }

  @Test
  void shouldReportABigIntegerBeyond64BitsAgainstTheRange() {
    RuleValidation result = RuleValidator.validate(with("limit", BigInteger.TWO.pow(70).negate()));

    assertEquals(
        "limit: must be an integer from 0 to 1000000000 (got -1180591620717411303424)",
        result.errorMessage());
  }

  @Test
  void shouldRejectMetadataEntriesThatAreNotStrings() {
    Map<Object, Object> metadata = new HashMap<>();
    metadata.put("tier", 1);
    metadata.put("region", null);
    metadata.put(5, "x");
    metadata.put("", "y");

    RuleValidation result = RuleValidator.validate(with("metadata", metadata));

    assertEquals(
        "metadata: keys must be non-empty (got \"\"); "
            + "metadata.region: must be a string (got null); "
            + "metadata.tier: must be a string (got 1); "
            + "metadata: keys must be strings (got 5)",
        result.errorMessage());
  }

  @Test
  void shouldRejectUnknownFieldsEvenWhenNull() {
    Map<String, Object> fields = avroLike();
    fields.put("prority", null);

    assertEquals(
        "prority: is not a rule field; did you mean priority? (got null)",
        RuleValidator.validate(fields).errorMessage());
  }

  @Test
  void shouldRejectUnknownFieldsInTheServiceToo() {
    Map<String, Object> fields = avroLike();
    fields.put("description", "added by a newer writer");

    RuleValidation v = RuleValidator.validate(fields);
    assertFalse(v.isValid());
    assertEquals(
        "description: is not a rule field; the fields are id, key, limit, windowSeconds, limits,"
            + " priority, metadata, algorithm, shadow (got \"added by a newer writer\")",
        v.errorMessage());
  }

  @Test
  void shouldCollectEveryErrorInFieldOrder() {
    Map<String, Object> fields = new HashMap<>();
    fields.put("zzz", 1);
    fields.put("shadow", 0);
    fields.put("limit", -1L);
    fields.put("id", "");

    List<String> fieldsInError =
        RuleValidator.validate(fields).errors().stream().map(FieldError::field).toList();

    assertEquals(List.of("id", "key", "limit", "windowSeconds", "shadow", "zzz"), fieldsInError);
  }

  @Test
  void shouldCarryTheRawIdOfAnInvalidRule() {
    Map<String, Object> fields = with("limit", -1L);
    fields.put("id", "bad id!");

    RuleValidation result = RuleValidator.validate(fields);

    assertFalse(result.isValid());
    assertEquals("bad id!", result.id());
  }

  @Test
  void shouldCheckTheSlidingWindowLimitOnlyForThatAlgorithm() {
    Map<String, Object> sliding = with("algorithm", "SLIDING_WINDOW");
    sliding.put("limit", 10_001L);
    Map<String, Object> token = with("algorithm", "TOKEN_BUCKET");
    token.put("limit", 10_001L);

    assertEquals(
        "limit: must be at most 10000 when algorithm is SLIDING_WINDOW (got 10001)",
        RuleValidator.validate(sliding).errorMessage());
    assertTrue(RuleValidator.validate(token).isValid());
  }

  @Test
  void shouldNotAddTheSlidingWindowErrorToAnOutOfRangeLimit() {
    Map<String, Object> fields = with("algorithm", "SLIDING_WINDOW");
    fields.put("limit", 2_000_000_000L);

    assertEquals(
        "limit: must be an integer from 0 to 1000000000 (got 2000000000)",
        RuleValidator.validate(fields).errorMessage());
  }

  @Test
  void shouldShowLongValuesCutWithTheirLength() {
    String key = "k".repeat(600);

    FieldError error = RuleValidator.validate(with("key", key)).errors().get(0);

    assertEquals("\"" + "k".repeat(100) + "\"... (600 characters)", error.value());
  }

  @Test
  void shouldEscapeControlCharactersInShownValues() {
    FieldError error = RuleValidator.validate(with("id", "a\nb")).errors().get(0);

    assertEquals("\"a\\nb\"", error.value());
    assertTrue(error.constraint().endsWith("U+000A at index 1 is not allowed"), error::constraint);
  }

  @Test
  void shouldRejectStringsWithALoneSurrogateThatNoTopicCouldCarryUnchanged() {
    // SPEC 1: a rule the service cannot hold exactly as published is rejected, never altered.
    String lone = "a" + (char) 0xD83D + "*";
    RuleValidation key = RuleValidator.validate(with("key", lone));
    assertFalse(key.isValid());
    assertTrue(
        key.errorMessage().contains("key: must be well-formed Unicode; U+D83D at index 1"),
        key.errorMessage());
    RuleValidation value = RuleValidator.validate(with("metadata", Map.of("m", lone)));
    assertTrue(value.errorMessage().startsWith("metadata.m: must be well-formed"));
    RuleValidation name = RuleValidator.validate(with("metadata", Map.of(lone, "x")));
    assertTrue(name.errorMessage().contains("keys must be well-formed"), name.errorMessage());
    String pair = "a" + (char) 0xD83D + (char) 0xDE00 + "*";
    assertTrue(RuleValidator.validate(with("key", pair)).isValid());
    assertEquals(-1, RuleValidator.loneSurrogate(pair));
    assertEquals(0, RuleValidator.loneSurrogate((char) 0xDE00 + "x"));
    assertEquals(1, RuleValidator.loneSurrogate("x" + (char) 0xD83D));
  }

  @Test
  void shouldGiveValidRulesAnUnmodifiableMetadataMapSortedByKey() {
    Map<String, String> given = new LinkedHashMap<>();
    given.put("zone", "b");
    given.put("app", "*");
    given.put("method", "GET");

    SortedMap<String, String> metadata =
        RuleValidator.validate(with("metadata", given)).rule().metadata();

    assertEquals(List.of("app", "method", "zone"), List.copyOf(metadata.keySet()));
    assertEquals(new TreeMap<>(given), metadata);
    assertThrows(UnsupportedOperationException.class, () -> metadata.put("x", "y"));
    assertThrows(UnsupportedOperationException.class, () -> metadata.remove("app"));
    assertThrows(UnsupportedOperationException.class, metadata::clear);
    assertThrows(
        UnsupportedOperationException.class,
        () -> metadata.entrySet().iterator().next().setValue("x"));
  }

  @Test
  void shouldNotShareTheCallersMetadataMap() {
    Map<String, String> given = new HashMap<>(Map.of("region", "eu"));
    LimitRule rule = RuleValidator.validate(with("metadata", given)).rule();

    given.put("region", "us");

    assertEquals("eu", rule.metadata().get("region"));
  }

  @Test
  void shouldGiveTheSameRuleFromJsonAndFromFieldValues() throws Exception {
    String json =
        "{\"id\":\"r1\",\"key\":\"user:*\",\"limit\":5,\"windowSeconds\":1,\"priority\":3,"
            + "\"metadata\":{\"b\":\"2\",\"a\":\"1\"},\"algorithm\":\"FIXED_WINDOW\",\"shadow\":true}";
    Map<String, Object> fields = avroLike();
    fields.put("key", "user:*");
    fields.put("limit", 5L);
    fields.put("windowSeconds", 1L);
    fields.put("priority", 3);
    fields.put("metadata", Map.of("a", "1", "b", "2"));
    fields.put("algorithm", "FIXED_WINDOW");
    fields.put("shadow", true);

    LimitRule fromText = RuleValidator.validateJson(json).rule();
    LimitRule fromNode = RuleValidator.validateJson(new ObjectMapper().readTree(json)).rule();
    LimitRule fromMap = RuleValidator.validate(fields).rule();

    assertEquals(fromMap, fromText);
    assertEquals(fromMap, fromNode);
  }

  @Test
  void shouldRejectAJsonNodeThatIsNotAnObject() throws Exception {
    RuleValidation result = RuleValidator.validateJson(new ObjectMapper().readTree("\"r1\""));

    assertEquals("rule: must be a JSON object (got \"r1\")", result.errorMessage());
    assertNull(result.id());
  }

  @Test
  void shouldUseTheCompactMetadataMapForValidatedRules() {
    LimitRule rule = RuleValidator.validate(with("metadata", Map.of("a", "1"))).rule();

    assertInstanceOf(CompactSortedMap.class, rule.metadata());
  }

  // The limits form, as the Avro adapter gives it (a list of maps).

  private static Map<String, Object> entry(Object limit, Object window, Object algorithm) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("limit", limit);
    e.put("windowSeconds", window);
    e.put("algorithm", algorithm);
    return e;
  }

  private static Map<String, Object> limitsForm(Object limits) {
    Map<String, Object> fields = avroLike();
    fields.put("limit", null);
    fields.put("windowSeconds", null);
    fields.put("limits", limits);
    return fields;
  }

  @Test
  void shouldAcceptTheLimitsFormWithEntryAlgorithmsDefaultingToTheRules() {
    Map<String, Object> fields =
        limitsForm(List.of(entry(10L, 1L, null), entry(1000L, 86_400L, Algorithm.FIXED_WINDOW)));
    fields.put("algorithm", "TOKEN_BUCKET");
    RuleValidation v = RuleValidator.validate(fields);
    assertTrue(v.isValid(), v::errorMessage);
    LimitRule rule = v.rule();
    assertTrue(rule.limitsForm());
    assertEquals(
        List.of(
            new LimitRule.Limit(10, 1, Algorithm.TOKEN_BUCKET, 0),
            new LimitRule.Limit(1000, 86_400, Algorithm.FIXED_WINDOW, 0)),
        rule.limits());
    assertEquals(10, rule.limit(), "index 0's, for one-limit callers");
  }

  @Test
  void shouldNameTheFormErrorAndTheMissingTopLevelField() {
    assertEquals(
        "limits", RuleValidator.validate(limitsForm(null)).errors().get(0).field(), "neither form");
    Map<String, Object> both = limitsForm(List.of(entry(1L, 1L, null)));
    both.put("windowSeconds", 60L);
    assertEquals(
        List.of("limits"),
        RuleValidator.validate(both).errors().stream().map(FieldError::field).toList());
    assertEquals(
        "windowSeconds: is required",
        RuleValidator.validate(with("windowSeconds", null)).errorMessage());
    assertEquals("limit: is required", RuleValidator.validate(with("limit", null)).errorMessage());
  }

  @Test
  void shouldValidateEveryEntryNamingItsIndex() {
    Map<String, Object> unknown = entry(5L, 60L, null);
    unknown.put("burst", 3L);
    RuleValidation v =
        RuleValidator.validate(
            limitsForm(
                List.of(
                    entry(5L, 60L, null),
                    entry(-1L, "60", "LEAKY"),
                    "not a map",
                    unknown,
                    entry(7L, 60L, Algorithm.SLIDING_WINDOW_COUNTER))));
    assertEquals(
        List.of(
            "limits[1].limit",
            "limits[1].windowSeconds",
            "limits[1].algorithm",
            "limits[2]",
            "limits[3].burst",
            "limits[3]",
            "limits[4]"),
        v.errors().stream().map(FieldError::field).toList(),
        v.errorMessage());
    assertTrue(v.errorMessage().contains("limits[4]: duplicates limits[0]"), v.errorMessage());
  }

  @Test
  void shouldBoundTheNumberOfLimits() {
    List<Object> nine = new java.util.ArrayList<>();
    for (long w = 1; w <= 9; w++) {
      nine.add(entry(1L, w, null));
    }
    assertEquals(
        "limits: must have 1 to 8 entries (got 9 entries)",
        RuleValidator.validate(limitsForm(nine)).errorMessage());
    assertTrue(RuleValidator.validate(limitsForm(nine.subList(0, 8))).isValid());
    assertEquals(
        "limits: must have 1 to 8 entries (got 0 entries)",
        RuleValidator.validate(limitsForm(List.of())).errorMessage());
  }
}
