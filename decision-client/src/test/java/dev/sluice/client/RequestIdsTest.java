package dev.sluice.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RequestIdsTest {

  @Test
  void shouldGenerateDistinctVersion4ShapedUuids() {
    RequestIds ids = new RequestIds();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      String id = ids.next();
      assertTrue(seen.add(id), "duplicate " + id);
      if (i % 9973 == 0) {
        UUID u = UUID.fromString(id);
        assertEquals(4, u.version());
        assertEquals(2, u.variant());
        assertEquals(36, id.length());
      }
    }
  }

  @Test
  void shouldNotRepeatAcrossInstances() {
    assertNotEquals(new RequestIds().next(), new RequestIds().next());
  }
}
