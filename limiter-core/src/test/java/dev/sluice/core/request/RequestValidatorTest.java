package dev.sluice.core.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** SPEC 2's cost and maxCost, and the order in which fields are checked. */
class RequestValidatorTest {
  private static String check(Long cost, Long maxCost) {
    return RequestValidator.check("q", "k", Map.of(), cost, maxCost, 0);
  }

  @Test
  void shouldAcceptCostZeroAsACheck() {
    assertNull(check(0L, null));
    assertNull(check(0L, 0L));
    assertEquals(0, RequestValidator.effectiveMaxCost(0L, null));
  }

  @Test
  void shouldRequireMaxCostZeroExactlyWhenCostIsZero() {
    assertEquals("maxCost: must be 0 when cost is 0 (got 1)", check(0L, 1L));
    assertEquals("maxCost: must be 0 when cost is 0 (got -1)", check(0L, -1L));
  }

  @Test
  void shouldRequireMaxCostFromCostToOneBillion() {
    assertNull(check(3L, 3L));
    assertNull(check(3L, 1_000_000_000L));
    assertNull(check(null, 1L), "default cost 1");
    assertEquals("maxCost: must be cost (3) to 1000000000 (got 2)", check(3L, 2L));
    assertEquals("maxCost: must be cost (1) to 1000000000 (got 0)", check(null, 0L));
    assertEquals(
        "maxCost: must be cost (1) to 1000000000 (got 1000000001)", check(1L, 1_000_000_001L));
    assertEquals(7, RequestValidator.effectiveMaxCost(7L, null));
    assertEquals(1, RequestValidator.effectiveMaxCost(null, null));
    assertEquals(9, RequestValidator.effectiveMaxCost(7L, 9L));
  }

  @Test
  void shouldBoundCost() {
    assertEquals("cost: must be 0 to 1000000000 (got -1)", check(-1L, null));
    assertEquals("cost: must be 0 to 1000000000 (got 1000000001)", check(1_000_000_001L, null));
    assertNull(check(1_000_000_000L, null));
  }

  @Test
  void shouldReportTheFirstFieldInSpecOrder() {
    assertEquals(
        "cost: must be 0 to 1000000000 (got -1)",
        RequestValidator.check("q", "k", Map.of(), -1L, 5L, -1));
    assertEquals(
        "maxCost: must be 0 when cost is 0 (got 5)",
        RequestValidator.check("q", "k", Map.of(), 0L, 5L, -1));
    assertEquals(
        "timestampMs: must be 0 to 9007199254740992 (got -1)",
        RequestValidator.check("q", "k", Map.of(), 0L, 0L, -1));
  }
}
