package dev.sluice.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PendingTableTest {

  private static PendingCheck check(String id, long deadlineNanos) {
    return new PendingCheck(null, id, "k", Map.of(), 1, 1, deadlineNanos);
  }

  @Test
  void shouldFindAndRemoveChecksById() {
    PendingTable t = new PendingTable(10);
    PendingCheck a = check("a", 10);
    PendingCheck b = check("b", 20);
    assertEquals(PendingTable.AddResult.ADDED, t.add(a));
    assertEquals(PendingTable.AddResult.ADDED, t.add(b));
    assertEquals(2, t.size());
    assertSame(b, t.remove("b"));
    assertNull(t.remove("b"));
    assertNull(t.remove("never"));
    assertSame(a, t.remove("a"));
    assertEquals(0, t.size());
  }

  @Test
  void shouldLeaveACheckPendingWhenAReplyNamesAnotherKey() {
    PendingTable t = new PendingTable(10);
    PendingCheck a = check("a", 10);
    t.add(a);
    assertNull(t.remove("a", "other-key"));
    assertNull(t.remove("a", null));
    assertEquals(1, t.size());
    assertSame(a, t.remove("a", "k"));
    assertEquals(0, t.size());
  }

  @Test
  void shouldRefuseChecksBeyondItsCapacityUntilOneLeaves() {
    PendingTable t = new PendingTable(3);
    for (int i = 0; i < 3; i++) {
      assertEquals(PendingTable.AddResult.ADDED, t.add(check("c" + i, i)));
    }
    assertEquals(PendingTable.AddResult.FULL, t.add(check("c3", 3)));
    assertEquals(3, t.size());
    PendingCheck c1 = t.remove("c1");
    assertFalse(t.remove(c1), "already removed");
    assertEquals(PendingTable.AddResult.ADDED, t.add(check("c3", 3)));
  }

  @Test
  void shouldRefuseAnIdThatIsAlreadyPending() {
    PendingTable t = new PendingTable(4);
    t.add(check("same", 1));
    assertEquals(PendingTable.AddResult.DUPLICATE_ID, t.add(check("same", 2)));
    assertEquals(1, t.size());
  }

  @Test
  void shouldExpireOnlyChecksWhoseDeadlinePassedInDeadlineOrder() {
    PendingTable t = new PendingTable(10);
    PendingCheck a = check("a", 100);
    PendingCheck b = check("b", 200);
    PendingCheck c = check("c", 300);
    t.add(a);
    t.add(b);
    t.add(c);
    assertNull(t.pollExpired(99));
    assertEquals(1, t.nanosToNextDeadline(99));
    assertSame(a, t.pollExpired(250));
    assertSame(b, t.pollExpired(250));
    assertNull(t.pollExpired(250));
    assertEquals(50, t.nanosToNextDeadline(250));
    assertSame(c, t.pollExpired(300));
    assertEquals(PendingTable.NO_DEADLINE, t.nanosToNextDeadline(300));
  }

  @Test
  void shouldKeepDeadlineOrderWhenChecksLeaveFromTheMiddle() {
    PendingTable t = new PendingTable(10);
    List<PendingCheck> checks = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      checks.add(check("m" + i, i));
      t.add(checks.get(i));
    }
    assertTrue(t.remove(checks.get(2)));
    assertFalse(t.remove(checks.get(2)));
    assertSame(checks.get(4), t.remove("m4"));
    assertSame(checks.get(0), t.pollExpired(10));
    assertSame(checks.get(1), t.pollExpired(10));
    assertSame(checks.get(3), t.pollExpired(10));
    assertNull(t.pollExpired(10));
  }

  @Test
  void shouldCompareDeadlinesAcrossNanoTimeWraparound() {
    PendingTable t = new PendingTable(2);
    PendingCheck p = check("w", Long.MIN_VALUE + 5); // just past Long.MAX_VALUE
    t.add(p);
    assertNull(t.pollExpired(Long.MAX_VALUE - 5));
    assertSame(p, t.pollExpired(Long.MIN_VALUE + 5));
  }

  @Test
  void shouldDrainEverythingOnCloseAndRefuseLaterChecks() {
    PendingTable t = new PendingTable(10);
    t.add(check("x", 1));
    t.add(check("y", 2));
    List<PendingCheck> drained = t.closeAndDrain();
    assertEquals(List.of("x", "y"), drained.stream().map(p -> p.id).toList());
    assertEquals(0, t.size());
    assertEquals(PendingTable.AddResult.CLOSED, t.add(check("z", 3)));
    assertNull(t.remove("x"));
    assertNull(t.pollExpired(Long.MAX_VALUE));
  }

  @Test
  void shouldAgreeWithAPlainMapUnderRandomOperationsIncludingCollidingIds() {
    for (long seed = 0; seed < 40; seed++) {
      Random random = new Random(seed);
      int capacity = 1 + random.nextInt(40);
      PendingTable t = new PendingTable(capacity);
      Map<String, PendingCheck> model = new HashMap<>();
      LinkedHashMap<String, PendingCheck> order = new LinkedHashMap<>();
      long clock = 0;
      for (int op = 0; op < 3000; op++) {
        // A small id space forces probe runs, wrap-around and backward shifts.
        String id = "id" + random.nextInt(capacity * 3);
        switch (random.nextInt(4)) {
          case 0, 1 -> {
            PendingCheck p = check(id, clock++);
            PendingTable.AddResult r = t.add(p);
            if (model.containsKey(id)) {
              assertEquals(PendingTable.AddResult.DUPLICATE_ID, r, "seed " + seed);
            } else if (model.size() == capacity) {
              assertEquals(PendingTable.AddResult.FULL, r, "seed " + seed);
            } else {
              assertEquals(PendingTable.AddResult.ADDED, r, "seed " + seed);
              model.put(id, p);
              order.put(id, p);
            }
          }
          case 2 -> {
            PendingCheck removed = t.remove(id);
            assertSame(model.remove(id), removed, "seed " + seed);
            order.remove(id);
          }
          default -> {
            long now = clock - random.nextInt(5);
            PendingCheck expired;
            while ((expired = t.pollExpired(now)) != null) {
              String first = order.keySet().iterator().next();
              assertEquals(first, expired.id, "seed " + seed + ": expiry in deadline order");
              assertTrue(expired.deadlineNanos <= now);
              order.remove(first);
              model.remove(first);
            }
            if (!order.isEmpty()) {
              assertTrue(order.values().iterator().next().deadlineNanos > now);
            }
          }
        }
        assertEquals(model.size(), t.size(), "seed " + seed);
      }
      for (String id : new ArrayList<>(model.keySet())) {
        assertSame(model.get(id), t.remove(id), "seed " + seed + " final lookup of " + id);
      }
    }
  }
}
