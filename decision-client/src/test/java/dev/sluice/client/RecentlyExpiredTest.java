package dev.sluice.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RecentlyExpiredTest {

  @Test
  void shouldRecogniseAnIdOnceWithinTheWindow() {
    RecentlyExpired r = new RecentlyExpired(10, 1000);
    r.add("a", 0);
    assertTrue(r.remove("a", 999));
    assertFalse(r.remove("a", 999), "a duplicate reply is not late twice");
    assertFalse(r.remove("never", 0));
  }

  @Test
  void shouldForgetIdsOlderThanTheWindow() {
    RecentlyExpired r = new RecentlyExpired(10, 1000);
    r.add("old", 0);
    assertFalse(r.remove("old", 1000));
    r.add("a", 0);
    r.add("b", 2000); // prunes "a"
    assertEquals(1, r.size());
  }

  @Test
  void shouldHoldAtMostItsCapacityDroppingTheOldest() {
    RecentlyExpired r = new RecentlyExpired(3, Long.MAX_VALUE);
    for (int i = 0; i < 5; i++) {
      r.add("id" + i, i);
    }
    assertEquals(3, r.size());
    assertFalse(r.remove("id0", 5));
    assertFalse(r.remove("id1", 5));
    assertTrue(r.remove("id2", 5));
    assertTrue(r.remove("id4", 5));
  }
}
