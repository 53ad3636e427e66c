package dev.sluice.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckRequestTest {

  private static String error(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }

  @Test
  void shouldRejectEachFieldThatBreaksSpec2ByName() {
    assertEquals("key: is required", error(() -> CheckRequest.of(null)));
    assertEquals("key: must be 1 to 512 characters (got 0)", error(() -> CheckRequest.of("")));
    assertEquals(
        "key: must be 1 to 512 characters (got 513)",
        error(() -> CheckRequest.of("k".repeat(513))));
    assertEquals(
        "cost: must be 0 to 1000000000 (got -1)", error(() -> CheckRequest.of("k", Map.of(), -1)));
    assertEquals(
        "cost: must be 0 to 1000000000 (got 1000000001)",
        error(() -> CheckRequest.of("k", Map.of(), 1_000_000_001L)));
    assertEquals(
        "id: must be 1 to 128 characters (got 129)",
        error(() -> CheckRequest.of("k").withId("i".repeat(129))));
    Map<String, String> many = new HashMap<>();
    for (int i = 0; i < 65; i++) {
      many.put("m" + i, "v");
    }
    assertEquals(
        "metadata: must have at most 64 entries (got 65)",
        error(() -> CheckRequest.of("k", many, 1)));
    Map<String, String> nullValue = new HashMap<>();
    nullValue.put("tenant", null);
    assertEquals(
        "metadata: keys and values must be non-null strings (got tenant=null)",
        error(() -> CheckRequest.of("k", nullValue, 1)));
  }

  @Test
  void shouldCopyMetadataAndDefaultIt() {
    Map<String, String> md = new HashMap<>(Map.of("tenant", "a"));
    CheckRequest r = CheckRequest.of("k", md, 2);
    md.put("tenant", "b");
    assertEquals(Map.of("tenant", "a"), r.metadata());
    assertEquals(Map.of(), new CheckRequest(null, "k", null, 1).metadata());
    assertNull(r.id());
    assertEquals("id-1", r.withId("id-1").id());
    assertEquals(2, r.withId("id-1").cost());
  }

  @Test
  void shouldCheckDirectArgumentsTheSameWay() {
    assertEquals(
        "cost: must be 0 to 1000000000 (got -5)", CheckRequest.validate(null, "k", null, -5));
    assertNull(CheckRequest.validate(null, "k", null, 1));
    assertNull(CheckRequest.validate(null, "k", null, 0));
    assertEquals(
        "maxCost: must be cost (3) to 1000000000 (got 2)",
        CheckRequest.validate(null, "k", null, 3, 2));
    assertNull(CheckRequest.validate(null, "k", null, 3, 1_000_000_000L));
  }

  @Test
  void shouldAcceptACheckOnlyRequestOfCostZero() {
    CheckRequest r = CheckRequest.of("k", Map.of(), 0);
    assertEquals(0, r.cost());
    assertEquals(0, r.maxCost());
    assertEquals(0, r.withMaxCost(0).maxCost());
    assertEquals("maxCost: must be 0 when cost is 0 (got 1)", error(() -> r.withMaxCost(1)));
  }

  @Test
  void shouldDefaultMaxCostToCostAndBoundIt() {
    CheckRequest r = CheckRequest.of("k", Map.of("a", "b"), 5);
    assertEquals(5, r.maxCost());
    assertEquals(5, new CheckRequest("id", "k", null, 5).maxCost());
    CheckRequest partial = r.withMaxCost(80).withId("id-2");
    assertEquals(80, partial.maxCost());
    assertEquals(5, partial.cost());
    assertEquals("id-2", partial.id());
    assertEquals(Map.of("a", "b"), partial.metadata());
    assertEquals(5, r.maxCost(), "withMaxCost leaves the original unchanged");
    assertEquals("maxCost: must be cost (5) to 1000000000 (got 4)", error(() -> r.withMaxCost(4)));
    assertEquals(
        "maxCost: must be cost (5) to 1000000000 (got 1000000001)",
        error(() -> r.withMaxCost(1_000_000_001L)));
    assertEquals(
        "maxCost: must be cost (5) to 1000000000 (got -1)",
        error(() -> new CheckRequest(null, "k", null, 5, -1)));
    // SPEC 2 field order: a bad key is reported before a bad maxCost.
    assertEquals("key: is required", error(() -> new CheckRequest(null, null, null, 5, 1)));
  }
}
