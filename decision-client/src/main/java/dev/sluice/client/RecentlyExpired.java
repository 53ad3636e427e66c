package dev.sluice.client;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ids of checks whose deadline fired recently, so that a reply arriving afterwards counts as late
 * rather than unknown. Bound: {@code capacity} ids (the oldest is dropped first). Expiry: an id
 * older than {@code windowNanos} no longer counts and is pruned on the next add. A late reply
 * removes its id, so a duplicate of it counts as unknown.
 */
final class RecentlyExpired {
  private final int capacity;
  private final long windowNanos;
  private final LinkedHashMap<String, Long> expiredAt;

  RecentlyExpired(int capacity, long windowNanos) {
    this.capacity = capacity;
    this.windowNanos = windowNanos;
    this.expiredAt = new LinkedHashMap<>(16, 0.75f, false);
  }

  synchronized void add(String id, long nowNanos) {
    Iterator<Map.Entry<String, Long>> it = expiredAt.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Long> eldest = it.next();
      if (expiredAt.size() < capacity && nowNanos - eldest.getValue() < windowNanos) {
        break;
      }
      it.remove();
    }
    expiredAt.put(id, nowNanos);
  }

  /** True (and forgets the id) when {@code id} expired within the window. */
  synchronized boolean remove(String id, long nowNanos) {
    Long at = expiredAt.remove(id);
    return at != null && nowNanos - at < windowNanos;
  }

  synchronized int size() {
    return expiredAt.size();
  }
}
