package dev.sluice.client;

import java.util.ArrayList;
import java.util.List;

/**
 * The checks in flight: a fixed-capacity hash table by request id plus a list in deadline order,
 * both behind one lock.
 *
 * <p>Design notes. Bound: at most {@code maxEntries} checks; {@link #add} refuses more, which is
 * how {@code maxInFlight} is enforced, so the table never grows or rehashes. Expiry: every entry
 * leaves by reply, send failure, close, or its deadline via {@link #pollExpired}. All checks share
 * one timeout, so deadline order is arrival order and the deadline list is a plain FIFO: insert at
 * the tail, expire from the head, unlink from the middle in O(1) when a reply or failure comes
 * first. The hash table is open addressing with linear probing over at most half-full slots and
 * backward-shift deletion (no tombstones), storing the checks themselves; so beyond the check
 * object nothing is allocated per check. One short critical section per operation keeps it simple;
 * at 100k checks/s that is 200k uncontended-to-lightly-contended lock acquisitions a second.
 */
final class PendingTable {
  /** Outcome of {@link #add}. */
  enum AddResult {
    ADDED,
    FULL,
    DUPLICATE_ID,
    CLOSED
  }

  private final PendingCheck[] slots;

  /** The spread hash of each slot's id, so probing reads one array instead of chasing pointers. */
  private final int[] hashes;

  private final int mask;
  private final int maxEntries;
  private int size;
  private PendingCheck head;
  private PendingCheck tail;
  private boolean closed;
  // Counted here, under the lock the operation holds anyway: hot-path counters elsewhere would
  // cost the callers and the reply thread a contended cache line per check.
  private long added;
  private long removedById;
  private long expired;

  PendingTable(int maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be >= 1 (got " + maxEntries + ")");
    }
    this.maxEntries = maxEntries;
    int tableSize = Integer.highestOneBit(maxEntries) << 2; // load factor <= 0.5
    this.slots = new PendingCheck[tableSize];
    this.hashes = new int[tableSize];
    this.mask = tableSize - 1;
  }

  /** Adds a check unless the table is closed, already holds its id, or is full (in that order). */
  synchronized AddResult add(PendingCheck p) {
    if (closed) {
      return AddResult.CLOSED;
    }
    int h = hash(p.id);
    int i = h & mask;
    while (slots[i] != null) {
      if (hashes[i] == h && slots[i].id.equals(p.id)) {
        return AddResult.DUPLICATE_ID;
      }
      i = (i + 1) & mask;
    }
    if (size >= maxEntries) {
      return AddResult.FULL;
    }
    slots[i] = p;
    hashes[i] = h;
    size++;
    added++;
    p.linked = true;
    p.prev = tail;
    p.next = null;
    if (tail == null) {
      head = p;
    } else {
      tail.next = p;
    }
    tail = p;
    return AddResult.ADDED;
  }

  /** Removes and returns the check with this id, or null when none is pending. */
  synchronized PendingCheck remove(String id) {
    int i = find(id);
    if (i < 0) {
      return null;
    }
    PendingCheck p = slots[i];
    deleteSlot(i);
    unlink(p);
    removedById++;
    return p;
  }

  /**
   * Removes and returns the check with this id only when it was asked for {@code key}; null when
   * none is pending or the key differs. A reply must echo both: a reply that guesses a pending id
   * but names another key (a forged or misrouted decision) leaves the real check pending.
   */
  synchronized PendingCheck remove(String id, String key) {
    int i = find(id);
    if (i < 0 || !slots[i].key.equals(key)) {
      return null;
    }
    PendingCheck p = slots[i];
    deleteSlot(i);
    unlink(p);
    removedById++;
    return p;
  }

  /** Removes this very check; false when it was no longer pending. */
  synchronized boolean remove(PendingCheck p) {
    if (!p.linked) {
      return false;
    }
    int i = find(p.id);
    deleteSlot(i);
    unlink(p);
    return true;
  }

  /** Removes and returns the earliest check whose deadline is at or before {@code nowNanos}. */
  synchronized PendingCheck pollExpired(long nowNanos) {
    PendingCheck p = head;
    if (p == null || p.deadlineNanos - nowNanos > 0) {
      return null;
    }
    deleteSlot(find(p.id));
    unlink(p);
    expired++;
    return p;
  }

  /** What {@link #nanosToNextDeadline} returns when no check is pending. */
  static final long NO_DEADLINE = Long.MAX_VALUE;

  /**
   * Nanoseconds from {@code nowNanos} to the earliest deadline: zero or negative when it is already
   * due, {@link #NO_DEADLINE} when no check is pending.
   */
  synchronized long nanosToNextDeadline(long nowNanos) {
    return head == null ? NO_DEADLINE : head.deadlineNanos - nowNanos;
  }

  /** Refuses every later {@link #add} and removes and returns all pending checks, oldest first. */
  synchronized List<PendingCheck> closeAndDrain() {
    closed = true;
    List<PendingCheck> out = new ArrayList<>(size);
    for (PendingCheck p = head; p != null; ) {
      PendingCheck next = p.next;
      p.prev = null;
      p.next = null;
      p.linked = false;
      out.add(p);
      p = next;
    }
    java.util.Arrays.fill(slots, null);
    head = null;
    tail = null;
    size = 0;
    return out;
  }

  /** Checks pending now. */
  synchronized int size() {
    return size;
  }

  /** Counters since creation: checks added, removed by id (replies), expired (deadlines). */
  record Counts(long added, long removedById, long expired, int pending) {}

  synchronized Counts counts() {
    return new Counts(added, removedById, expired, size);
  }

  private static int hash(String id) {
    int h = id.hashCode() * 0x9E3779B9; // spread: ids often share long prefixes
    return h ^ (h >>> 16);
  }

  private int find(String id) {
    int h = hash(id);
    int i = h & mask;
    while (slots[i] != null) {
      if (hashes[i] == h && slots[i].id.equals(id)) {
        return i;
      }
      i = (i + 1) & mask;
    }
    return -1;
  }

  /** Empties slot {@code i}, moving later entries of the probe run back so lookups stay correct. */
  private void deleteSlot(int i) {
    slots[i] = null;
    size--;
    int j = i;
    while (true) {
      j = (j + 1) & mask;
      PendingCheck e = slots[j];
      if (e == null) {
        return;
      }
      int k = hashes[j] & mask;
      // e may move into the hole at i only if its home is not cyclically within (i, j].
      boolean homeBetween = i <= j ? (i < k && k <= j) : (i < k || k <= j);
      if (!homeBetween) {
        slots[i] = e;
        hashes[i] = hashes[j];
        slots[j] = null;
        i = j;
      }
    }
  }

  private void unlink(PendingCheck p) {
    if (p.prev == null) {
      head = p.next;
    } else {
      p.prev.next = p.next;
    }
    if (p.next == null) {
      tail = p.prev;
    } else {
      p.next.prev = p.prev;
    }
    p.prev = null;
    p.next = null;
    p.linked = false;
  }
}
