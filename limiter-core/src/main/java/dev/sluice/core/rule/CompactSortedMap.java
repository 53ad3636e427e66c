package dev.sluice.core.rule;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable {@code SortedMap<String, String>} kept in one array, for rule metadata.
 *
 * <p>Design note: a million rules may be held at once, and a {@code TreeMap} behind an unmodifiable
 * wrapper costs about 80 bytes plus 40 per entry; this costs 32 bytes plus 8 per entry. It also
 * lets {@link RuleIndex} test constraints by index without an iterator.
 *
 * <p>Keys and values are {@linkplain String#intern() interned}: rules repeat a few metadata keys
 * and values ({@code region}, {@code eu-west-1}, {@code *}) a million times over, each a fresh
 * string from the decoder, about 48 bytes apiece. Shared, they cost nothing per rule, and a lookup
 * testing a constraint reads strings that other lookups keep in cache instead of a cold copy. The
 * JVM's string table holds interned strings weakly, so a string leaves it once no rule holds it:
 * its bound is the distinct metadata strings of the rules held. Keys are ordered by {@link
 * String#compareTo}, like a {@code TreeMap} with natural ordering, and {@link #equals}/{@link
 * #hashCode} follow the {@link Map} contract, so it compares equal to any map with the same
 * entries.
 */
final class CompactSortedMap extends AbstractMap<String, String>
    implements SortedMap<String, String> {

  /** The shared empty map. */
  static final CompactSortedMap EMPTY = new CompactSortedMap(new String[0]);

  /** Keys at even indices, each followed by its value; keys strictly ascending. */
  private final String[] keysAndValues;

  private CompactSortedMap(String[] keysAndValues) {
    this.keysAndValues = keysAndValues;
  }

  /** A sorted, immutable copy of {@code map}; null keys or values are rejected. */
  static CompactSortedMap copyOf(Map<String, String> map) {
    if (map instanceof CompactSortedMap compact) {
      return compact;
    }
    if (map.isEmpty()) {
      return EMPTY;
    }
    TreeMap<String, String> sorted = new TreeMap<>(map);
    String[] kv = new String[sorted.size() * 2];
    int i = 0;
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      kv[i++] = Objects.requireNonNull(e.getKey(), "metadata key").intern();
      kv[i++] = Objects.requireNonNull(e.getValue(), "metadata value").intern();
    }
    return new CompactSortedMap(kv);
  }

  /** Number of entries (same as {@link #size()}, named for the index-based accessors). */
  int entryCount() {
    return keysAndValues.length >> 1;
  }

  /** The i-th key in ascending order. */
  String keyAt(int i) {
    return keysAndValues[i << 1];
  }

  /** The value of the i-th key. */
  String valueAt(int i) {
    return keysAndValues[(i << 1) + 1];
  }

  @Override
  public int size() {
    return entryCount();
  }

  @Override
  public boolean isEmpty() {
    return keysAndValues.length == 0;
  }

  @Override
  public String get(Object key) {
    if (!(key instanceof String k)) {
      return null;
    }
    int i = indexOf(k);
    return i < 0 ? null : valueAt(i);
  }

  @Override
  public boolean containsKey(Object key) {
    return key instanceof String k && indexOf(k) >= 0;
  }

  private int indexOf(String key) {
    int lo = 0;
    int hi = entryCount() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = keyAt(mid).compareTo(key);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -(lo + 1);
  }

  /** Index of the first key that is not less than {@code key}. */
  private int lowerBound(String key) {
    Objects.requireNonNull(key, "key");
    int i = indexOf(key);
    return i >= 0 ? i : -(i + 1);
  }

  private CompactSortedMap slice(int from, int to) {
    if (from >= to) {
      return EMPTY;
    }
    if (from == 0 && to == entryCount()) {
      return this;
    }
    return new CompactSortedMap(Arrays.copyOfRange(keysAndValues, from << 1, to << 1));
  }

  @Override
  public Set<Map.Entry<String, String>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Map.Entry<String, String>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < entryCount();
          }

          @Override
          public Map.Entry<String, String> next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            int i = next++;
            return new AbstractMap.SimpleImmutableEntry<>(keyAt(i), valueAt(i));
          }
        };
      }

      @Override
      public int size() {
        return entryCount();
      }
    };
  }

  /** Null: keys are in natural {@link String} order. */
  @Override
  public Comparator<? super String> comparator() {
    return null;
  }

  @Override
  public SortedMap<String, String> subMap(String fromKey, String toKey) {
    if (fromKey.compareTo(toKey) > 0) {
      throw new IllegalArgumentException("fromKey > toKey");
    }
    return slice(lowerBound(fromKey), lowerBound(toKey));
  }

  @Override
  public SortedMap<String, String> headMap(String toKey) {
    return slice(0, lowerBound(toKey));
  }

  @Override
  public SortedMap<String, String> tailMap(String fromKey) {
    return slice(lowerBound(fromKey), entryCount());
  }

  @Override
  public String firstKey() {
    if (isEmpty()) {
      throw new NoSuchElementException();
    }
    return keyAt(0);
  }

  @Override
  public String lastKey() {
    if (isEmpty()) {
      throw new NoSuchElementException();
    }
    return keyAt(entryCount() - 1);
  }
}
