package dev.sluice.schema.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BoundedCacheTest {
  private final AtomicLong now = new AtomicLong();

  @Test
  void shouldNeverHoldMoreThanItsCapacityEvictingTheLeastRecentlyUsed() {
    BoundedCache<Integer, String> c = new BoundedCache<>(3, 1_000, now::get);
    for (int i = 0; i < 100; i++) {
      c.put(i, "v" + i);
      if (i == 50) {
        c.getFresh(48); // touch: 48 outlives 49
      }
    }
    assertEquals(3, c.size());
    assertEquals("v99", c.getAny(99));
    assertNull(c.getAny(49));
  }

  @Test
  void shouldStopCountingAnEntryAsFreshAtItsExpiryButKeepItUntilEvicted() {
    BoundedCache<String, String> c = new BoundedCache<>(2, 100, now::get);
    c.put("a", "1");
    now.set(99);
    assertEquals("1", c.getFresh("a"));
    now.set(100);
    assertNull(c.getFresh("a"));
    assertEquals("1", c.getAny("a"));
    c.put("a", "2");
    assertEquals("2", c.getFresh("a"));
  }

  @Test
  void shouldRefuseAnUnboundedConfiguration() {
    assertThrows(IllegalArgumentException.class, () -> new BoundedCache<>(0, 1, now::get));
    assertThrows(IllegalArgumentException.class, () -> new BoundedCache<>(1, 0, now::get));
  }
}
