package dev.sluice.schema.registry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A small LRU map with a capacity and an expiry, for the registry client and codec.
 *
 * <p>Bound: at most {@code capacity} entries; inserting one more evicts the least recently used.
 * Expiry: an entry older than {@code expiryNanos} is no longer {@link #getFresh fresh}, so the
 * caller fetches it again; until it is evicted it can still be read with {@link #getAny}, which the
 * client uses to keep serving a known schema while the registry is down (a registry never changes
 * the schema behind an id, so a stale entry is still right unless the registry was wiped).
 *
 * <p>Thread-safe by one lock; nothing slow (no I/O) runs under it.
 */
final class BoundedCache<K, V> {
  private record Entry<V>(V value, long storedAtNanos) {}

  private final long expiryNanos;
  private final LongSupplier nanoTicker;
  private final LinkedHashMap<K, Entry<V>> map;

  BoundedCache(int capacity, long expiryNanos, LongSupplier nanoTicker) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    if (expiryNanos < 1) {
      throw new IllegalArgumentException("expiry must be positive, was " + expiryNanos + " ns");
    }
    this.expiryNanos = expiryNanos;
    this.nanoTicker = nanoTicker;
    this.map =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<K, Entry<V>> eldest) {
            return size() > capacity;
          }
        };
  }

  /** The value if present and younger than the expiry, else null. */
  synchronized V getFresh(K key) {
    Entry<V> e = map.get(key);
    if (e == null || nanoTicker.getAsLong() - e.storedAtNanos() >= expiryNanos) {
      return null;
    }
    return e.value();
  }

  /** The value if present, expired or not, else null. */
  synchronized V getAny(K key) {
    Entry<V> e = map.get(key);
    return e == null ? null : e.value();
  }

  synchronized void put(K key, V value) {
    map.put(key, new Entry<>(value, nanoTicker.getAsLong()));
  }

  synchronized int size() {
    return map.size();
  }
}
