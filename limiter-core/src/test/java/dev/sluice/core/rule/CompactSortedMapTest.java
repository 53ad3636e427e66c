package dev.sluice.core.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SortedMap;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** The compact metadata map behaves like an unmodifiable TreeMap with natural ordering. */
class CompactSortedMapTest {

  @Property(tries = 300)
  void shouldBehaveLikeATreeMap(
      @ForAll @Size(max = 8) Map<@StringLength(max = 3) String, @StringLength(max = 2) String> m,
      @ForAll @StringLength(max = 3) String probe,
      @ForAll @StringLength(max = 3) String other) {
    TreeMap<String, String> reference = new TreeMap<>(m);
    SortedMap<String, String> compact = CompactSortedMap.copyOf(m);

    assertEquals(reference, compact);
    assertEquals(compact, reference);
    assertEquals(reference.hashCode(), compact.hashCode());
    assertEquals(reference.toString(), compact.toString());
    assertEquals(List.copyOf(reference.keySet()), List.copyOf(compact.keySet()));
    assertEquals(List.copyOf(reference.values()), List.copyOf(compact.values()));
    assertEquals(reference.get(probe), compact.get(probe));
    assertEquals(reference.containsKey(probe), compact.containsKey(probe));
    assertEquals(reference.headMap(probe), compact.headMap(probe));
    assertEquals(reference.tailMap(probe), compact.tailMap(probe));
    String from = probe.compareTo(other) <= 0 ? probe : other;
    String to = probe.compareTo(other) <= 0 ? other : probe;
    assertEquals(reference.subMap(from, to), compact.subMap(from, to));
    if (!reference.isEmpty()) {
      assertEquals(reference.firstKey(), compact.firstKey());
      assertEquals(reference.lastKey(), compact.lastKey());
    }
  }

  @Test
  void shouldShareOneEmptyInstance() {
    assertSame(CompactSortedMap.EMPTY, CompactSortedMap.copyOf(Map.of()));
    assertThrows(NoSuchElementException.class, CompactSortedMap.EMPTY::firstKey);
    assertThrows(NoSuchElementException.class, CompactSortedMap.EMPTY::lastKey);
  }

  @Test
  void shouldShareOneInstanceOfEqualKeysAndValuesAcrossMaps() {
    CompactSortedMap a = CompactSortedMap.copyOf(Map.of(new String("region"), new String("eu")));
    CompactSortedMap b = CompactSortedMap.copyOf(Map.of(new String("region"), new String("eu")));

    assertSame(a.keyAt(0), b.keyAt(0));
    assertSame(a.valueAt(0), b.valueAt(0));
  }

  @Test
  void shouldAnswerNullForKeysOfAnotherType() {
    SortedMap<String, String> map = CompactSortedMap.copyOf(Map.of("1", "x"));

    assertNull(map.get(1));
    assertTrue(!map.containsKey(1));
    assertNull(map.comparator());
  }

  @Test
  void shouldRejectAnInvertedSubMapRange() {
    SortedMap<String, String> map = CompactSortedMap.copyOf(Map.of("a", "1"));

    assertThrows(IllegalArgumentException.class, () -> map.subMap("b", "a"));
  }
}
