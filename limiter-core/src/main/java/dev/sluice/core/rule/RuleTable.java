package dev.sluice.core.rule;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * A string-keyed hash table with one writer and lock-free readers, holding either rules by id or
 * exact-key buckets by key (the key is read from the value, so no key or entry object is kept).
 *
 * <p>Design note. Open addressing with linear probing over two parallel arrays: the keys' {@link
 * String#hashCode} (so a probe rarely touches a value it does not want) and the values. That is
 * 8 bytes a slot and about 16 bytes an entry at the load this keeps (at most 3/4, counting
 * deleted slots), against about 40 for a {@code ConcurrentHashMap} node and table slot; with a
 * million rules in two tables the difference is most of the index's overhead.
 *
 * <ul>
 *   <li>The writer stores a slot's hash with a plain write and then its value with a release
 *       write; a reader reads the value with an acquire read and then the hash, so a value is
 *       never seen without its hash or its contents (buckets are arrays, which have no final
 *       fields to publish them).
 *   <li>A removed value becomes a tombstone, never a gap, so a reader's probe sequence is never
 *       cut short; a replaced value is swapped in place. Either way a reader sees the old or the
 *       new value.
 *   <li>Growth (or clearing tombstones) builds new arrays and publishes them with one volatile
 *       write; the old ones are never written again, so a reader still probing them sees the
 *       state of that moment.
 *   <li>Probing starts at a Fibonacci hash of the key hash: keys such as {@code user:100001},
 *       {@code user:100002} have consecutive {@link String#hashCode} values that would otherwise
 *       form long runs.
 * </ul>
 *
 * <p>Bound: capacity is the smallest power of two keeping the load at most 3/4 at the largest
 * size the table has reached; it does not shrink.
 */
final class RuleTable {
  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);
  private static final Object TOMBSTONE = new Object();
  private static final int GOLDEN = 0x9E3779B9;
  private static final int MIN_CAPACITY = 16;

  private static final class Storage {
    final int[] hashes;
    final Object[] values;
    final int shift;
    final int mask;
    final int threshold;

    Storage(int capacity) {
      hashes = new int[capacity];
      values = new Object[capacity];
      shift = 32 - Integer.numberOfTrailingZeros(capacity);
      mask = capacity - 1;
      threshold = capacity - (capacity >>> 2);
    }

    int home(int hash) {
      return (hash * GOLDEN) >>> shift;
    }
  }

  private final boolean keyedById;
  private volatile Storage storage = new Storage(MIN_CAPACITY);
  private volatile int size;
  /** Live plus tombstone slots; writer only. */
  private int used;

  /**
   * @param keyedById true to key values (rules) by {@link LimitRule#id()}, false to key values
   *     (buckets) by {@link Buckets#key}
   */
  RuleTable(boolean keyedById) {
    this.keyedById = keyedById;
  }

  private String keyOf(Object value) {
    return keyedById ? ((LimitRule) value).id() : Buckets.key(value);
  }

  /** The value for {@code key}, or null. Any thread. */
  Object get(String key) {
    Storage s = storage;
    int h = key.hashCode();
    int i = s.home(h);
    while (true) {
      Object v = SLOT.getAcquire(s.values, i);
      if (v == null) {
        return null;
      }
      if (v != TOMBSTONE && s.hashes[i] == h && key.equals(keyOf(v))) {
        return v;
      }
      i = (i + 1) & s.mask;
    }
  }

  /** Number of values held. Any thread. */
  int size() {
    return size;
  }

  /** Stores {@code value} under {@code key}, replacing any value there. Writer thread only. */
  void put(String key, Object value) {
    if (used + 1 > storage.threshold) {
      rebuild();
    }
    Storage s = storage;
    int h = key.hashCode();
    int i = s.home(h);
    int free = -1;
    while (true) {
      Object v = s.values[i];
      if (v == null) {
        break;
      }
      if (v == TOMBSTONE) {
        if (free < 0) {
          free = i;
        }
      } else if (s.hashes[i] == h && key.equals(keyOf(v))) {
        SLOT.setRelease(s.values, i, value);
        return;
      }
      i = (i + 1) & s.mask;
    }
    if (free < 0) {
      free = i;
      used++;
    }
    s.hashes[free] = h;
    SLOT.setRelease(s.values, free, value);
    size = size + 1;
  }

  /** Removes and returns the value under {@code key}, or returns null. Writer thread only. */
  Object remove(String key) {
    Storage s = storage;
    int h = key.hashCode();
    int i = s.home(h);
    while (true) {
      Object v = s.values[i];
      if (v == null) {
        return null;
      }
      if (v != TOMBSTONE && s.hashes[i] == h && key.equals(keyOf(v))) {
        SLOT.setRelease(s.values, i, TOMBSTONE);
        size = size - 1;
        return v;
      }
      i = (i + 1) & s.mask;
    }
  }

  /** Visits every value; weakly consistent under concurrent writes. Any thread. */
  void forEach(Consumer<Object> action) {
    Storage s = storage;
    for (int i = 0; i < s.values.length; i++) {
      Object v = SLOT.getAcquire(s.values, i);
      if (v != null && v != TOMBSTONE) {
        action.accept(v);
      }
    }
  }

  /** Rehashes live values into fresh arrays: doubled when live values need it, else same size. */
  private void rebuild() {
    Storage old = storage;
    int capacity = old.values.length;
    while (size + 1 > capacity - (capacity >>> 2) - (capacity >>> 3)) {
      capacity <<= 1;
    }
    Storage s = new Storage(capacity);
    for (int j = 0; j < old.values.length; j++) {
      Object v = old.values[j];
      if (v != null && v != TOMBSTONE) {
        int h = old.hashes[j];
        int i = s.home(h);
        while (s.values[i] != null) {
          i = (i + 1) & s.mask;
        }
        s.hashes[i] = h;
        s.values[i] = v;
      }
    }
    used = size;
    storage = s;
  }
}
