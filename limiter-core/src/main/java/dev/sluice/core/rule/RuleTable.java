package dev.sluice.core.rule;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * A string-keyed hash table with one writer and lock-free readers, holding either rules by id or
 * exact-key buckets by key.
 *
 * <p>Design note. Open addressing with linear probing over parallel arrays: the keys' {@link
 * String#hashCode} (so a probe rarely touches a value it does not want) and the values. The table
 * of rules by id reads a value's key from the value (no key is kept: 8 bytes a slot, about 16 an
 * entry at the load this keeps, against about 40 for a {@code ConcurrentHashMap} node and table
 * slot). The table of exact-key buckets, which every lookup probes, also keeps each slot's key
 * string, 4 more bytes a slot: a hit then compares the request key with that string while the
 * bucket is loaded in parallel, instead of loading the bucket's rule, then its key string, then the
 * string's bytes one after another. At a million rules each of those loads is a cache miss of about
 * 200 ns on the machine measured, and the one saved is a fifth of a median lookup.
 *
 * <ul>
 *   <li>A slot is free while its hash is 0 (a key hash of 0 is kept as 1). The writer stores a new
 *       slot's key (when kept) and value and then its hash, all with release writes; a reader reads
 *       the hash and, only when it equals the key's, the key and value, all with acquire reads. So
 *       a probe for an absent key usually touches one cache line of hashes, and a value is never
 *       seen before its contents (buckets are arrays, which have no final fields to publish them).
 *   <li>A removed value becomes a tombstone, never a gap, so a reader's probe sequence is never cut
 *       short; a replaced value is swapped in place. Either way a reader sees the old or the new
 *       value. Where keys are kept, a slot's key never changes once its hash is published (a
 *       tombstone is reused only by the same key), so a reader that matched the key reads that
 *       key's value, the live one or a tombstone, never another key's.
 *   <li>Growth (or clearing tombstones) builds new arrays and publishes them with one volatile
 *       write; the old ones are never written again, so a reader still probing them sees the state
 *       of that moment.
 *   <li>Probing starts at a Fibonacci hash of the key hash: keys such as {@code user:100001},
 *       {@code user:100002} have consecutive {@link String#hashCode} values that would otherwise
 *       form long runs.
 * </ul>
 *
 * <p>Bound: slots in use (live and deleted) stay at most 3/4 of the capacity; a rebuild drops the
 * deleted ones and takes the smallest power of two that live values fill to at most 5/8, so under
 * 3.2 slots per live value (2.1 at a million). It does not shrink after removals. A tombstone keeps
 * its key string until the next rebuild (one string per slot at most).
 */
final class RuleTable {
  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);
  private static final VarHandle HASH = MethodHandles.arrayElementVarHandle(int[].class);
  private static final Object TOMBSTONE = new Object();
  private static final int GOLDEN = 0x9E3779B9;
  private static final int MIN_CAPACITY = 16;

  private static final class Storage {
    final int[] hashes;
    final Object[] values;

    /** Each slot's key, or null when the table reads keys from values. */
    final String[] keys;

    final int shift;
    final int mask;
    final int threshold;

    Storage(int capacity, boolean keepKeys) {
      hashes = new int[capacity];
      values = new Object[capacity];
      keys = keepKeys ? new String[capacity] : null;
      shift = 32 - Integer.numberOfTrailingZeros(capacity);
      mask = capacity - 1;
      threshold = capacity - (capacity >>> 2);
    }

    int home(int hash) {
      return (hash * GOLDEN) >>> shift;
    }
  }

  private final boolean keyedById;
  private volatile Storage storage;
  private volatile int size;

  /** Live plus tombstone slots; writer only. */
  private int used;

  /**
   * @param keyedById true to key values (rules) by {@link LimitRule#id()}, false to key values
   *     (buckets) by {@link Buckets#key}
   */
  RuleTable(boolean keyedById) {
    this.keyedById = keyedById;
    this.storage = new Storage(MIN_CAPACITY, !keyedById);
  }

  private String keyOf(Object value) {
    return keyedById ? ((LimitRule) value).id() : Buckets.key(value);
  }

  /** The value for {@code key}, or null. Any thread. */
  Object get(String key) {
    Storage s = storage;
    int h = stored(key.hashCode());
    int i = s.home(h);
    String[] keys = s.keys;
    while (true) {
      int sh = (int) HASH.getAcquire(s.hashes, i);
      if (sh == 0) {
        return null;
      }
      if (sh == h) {
        if (keys != null) {
          // Written before the hash that was just read, and only ever replaced by an equal
          // string; no other slot has this key.
          if (key.equals(keys[i])) {
            Object v = SLOT.getAcquire(s.values, i);
            return v == TOMBSTONE ? null : v;
          }
        } else {
          Object v = SLOT.getAcquire(s.values, i);
          if (v != TOMBSTONE && key.equals(keyOf(v))) {
            return v;
          }
        }
      }
      i = (i + 1) & s.mask;
    }
  }

  /** The hash kept for a key: its String hash, with 0 (which marks a free slot) moved to 1. */
  private static int stored(int hash) {
    return hash == 0 ? 1 : hash;
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
    int h = stored(key.hashCode());
    int i = s.home(h);
    int free = -1;
    while (true) {
      int sh = s.hashes[i];
      if (sh == 0) {
        break;
      }
      Object v = s.values[i];
      if (s.keys != null) {
        if (sh == h && key.equals(s.keys[i])) {
          // The key's own slot, live or a tombstone. The key string is swapped for the caller's
          // (an equal one, harmless to readers) so that a replaced rule's string is not retained.
          s.keys[i] = key;
          SLOT.setRelease(s.values, i, value);
          if (v == TOMBSTONE) {
            size = size + 1;
          }
          return;
        }
      } else if (v == TOMBSTONE) {
        if (free < 0) {
          free = i;
        }
      } else if (sh == h && key.equals(keyOf(v))) {
        SLOT.setRelease(s.values, i, value);
        return;
      }
      i = (i + 1) & s.mask;
    }
    if (free < 0) {
      free = i;
      used++;
    }
    // The key and value first, then the hash that makes readers look at them.
    if (s.keys != null) {
      s.keys[free] = key;
    }
    SLOT.setRelease(s.values, free, value);
    HASH.setRelease(s.hashes, free, h);
    size = size + 1;
  }

  /** Removes and returns the value under {@code key}, or returns null. Writer thread only. */
  Object remove(String key) {
    Storage s = storage;
    int h = stored(key.hashCode());
    int i = s.home(h);
    while (true) {
      int sh = s.hashes[i];
      if (sh == 0) {
        return null;
      }
      Object v = s.values[i];
      if (sh == h && v != TOMBSTONE && key.equals(s.keys != null ? s.keys[i] : keyOf(v))) {
        // The hash (and key) stays, so probe sequences through this slot are not cut short.
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
    Storage s = new Storage(capacity, old.keys != null);
    for (int j = 0; j < old.values.length; j++) {
      Object v = old.values[j];
      if (v != null && v != TOMBSTONE) {
        int h = old.hashes[j];
        int i = s.home(h);
        while (s.hashes[i] != 0) {
          i = (i + 1) & s.mask;
        }
        s.hashes[i] = h;
        s.values[i] = v;
        if (s.keys != null) {
          s.keys[i] = old.keys[j];
        }
      }
    }
    used = size;
    storage = s;
  }
}
