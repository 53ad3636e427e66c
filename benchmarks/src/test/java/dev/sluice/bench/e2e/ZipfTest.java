package dev.sluice.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ZipfTest {
  @Test
  void shouldDrawRanksWithZipfFrequencies() {
    Zipf zipf = new Zipf(1000, 1.1, 1);
    int[] counts = new int[1000];
    int n = 200_000;
    for (int i = 0; i < n; i++) {
      counts[zipf.next()]++;
    }
    for (int k : new int[] {0, 1, 9}) {
      double expected = zipf.probability(k) * n;
      assertEquals(expected, counts[k], 5 * Math.sqrt(expected), "rank " + k);
    }
    // rank 0 over rank 1 is 2^1.1 in theory
    assertEquals(Math.pow(2, 1.1), zipf.probability(0) / zipf.probability(1), 1e-9);
  }

  @Test
  void shouldStayWithinRange() {
    Zipf zipf = new Zipf(3, 0, 5);
    for (int i = 0; i < 10_000; i++) {
      int k = zipf.next();
      assertTrue(k >= 0 && k < 3, "rank " + k);
    }
  }

  @Test
  void shouldRejectAnEmptyRange() {
    assertThrows(IllegalArgumentException.class, () -> new Zipf(0, 1.1, 1));
  }
}
