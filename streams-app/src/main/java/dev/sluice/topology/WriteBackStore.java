package dev.sluice.topology;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A hash-based write-back layer over the changelogged RocksDB counter store, in place of Kafka
 * Streams' record cache.
 *
 * <p>Design note. The record cache keeps its entries in a sorted map of byte keys; for Sluice's
 * one-read-one-write per counter, those comparisons were a quarter of the counting floor's stream
 * thread (PERFORMANCE.md, fourth session). Sluice needs no ordered cache, so this layer keeps the
 * counters written since the last commit in a hash map and nothing else:
 *
 * <ul>
 *   <li><b>Reads</b> look in the map first, then in the store below (RocksDB, no cache).
 *   <li><b>Writes</b> stay in the map; a hot key written many times between two commits reaches
 *       RocksDB and the changelog once, as with the record cache.
 *   <li><b>Commit.</b> The map is written to the store below, and so to the changelog, in {@link
 *       #flushCache()}: Kafka Streams calls it on every {@link CachedStateStore} when a task
 *       prepares its commit, before it flushes the producer and commits the input offsets (under
 *       exactly-once, before the transaction that holds the decisions commits). So every charge
 *       whose request will not be processed again is in the changelog; standbys and restores see
 *       it.
 *   <li><b>Failure.</b> {@link #close()} and {@link #clearCache()} drop the map without writing it:
 *       a task closed dirty (exactly-once abort, crash, migration) forgets its uncommitted writes
 *       and reads the store again, which Kafka Streams has restored from the changelog.
 *   <li><b>Bound.</b> At most {@code maxEntries} counters; a write of a new counter into a full map
 *       first writes the whole map back to the store (inside the current transaction), then empties
 *       it.
 *   <li><b>Other threads.</b> Interactive queries read from their own threads: the map is a {@link
 *       ConcurrentHashMap}, and a counter leaves it only after the store below holds its value, so
 *       a reader sees each counter's latest value, committed or not, as it did through the record
 *       cache. Iterators merge a snapshot of the map's entries in their range with the store's.
 *   <li><b>Deletes</b> (the idle-counter sweep) go straight through: the map forgets the key and
 *       the store below writes its tombstone.
 * </ul>
 *
 * <p>Only the stream thread that owns the task writes; Kafka Streams guarantees that.
 */
final class WriteBackStore
    implements KeyValueStore<Bytes, byte[]>, CachedStateStore<Bytes, byte[]> {
  private final KeyValueStore<Bytes, byte[]> inner;
  private final int maxEntries;
  private final ConcurrentHashMap<Bytes, byte[]> dirty;

  /**
   * The keys put into {@link #dirty} since the last write-back, in order (the stream thread's own):
   * writing back walks this list, not the map's table, whose size is its largest fill.
   */
  private final ArrayList<Bytes> written = new ArrayList<>();

  WriteBackStore(KeyValueStore<Bytes, byte[]> inner, int maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries: must be 1 or more (got " + maxEntries + ")");
    }
    this.inner = inner;
    this.maxEntries = maxEntries;
    this.dirty = new ConcurrentHashMap<>();
  }

  /** Counters written since the last write-back (for tests). */
  int buffered() {
    return dirty.size();
  }

  // --- the write-back ---

  @Override
  public void flushCache() {
    writeBack();
  }

  @Override
  public void clearCache() {
    dirty.clear();
    written.clear();
  }

  @Override
  public boolean setFlushListener(
      CacheFlushListener<Bytes, byte[]> listener, boolean sendOldValues) {
    return false;
  }

  private void writeBack() {
    for (Bytes key : written) {
      byte[] value = dirty.get(key);
      if (value == null) {
        continue; // deleted since
      }
      inner.put(key, value);
      // Only after the store below holds it, so another thread's read never misses it.
      dirty.remove(key, value);
    }
    written.clear();
  }

  // --- reads and writes ---

  @Override
  public byte[] get(Bytes key) {
    byte[] v = dirty.get(key);
    return v != null ? v : inner.get(key);
  }

  @Override
  public void put(Bytes key, byte[] value) {
    if (value == null) {
      delete(key);
      return;
    }
    if (dirty.size() >= maxEntries && !dirty.containsKey(key)) {
      writeBack();
    }
    if (dirty.put(key, value) == null) {
      written.add(key);
    }
  }

  @Override
  public byte[] putIfAbsent(Bytes key, byte[] value) {
    byte[] old = get(key);
    if (old == null) {
      put(key, value);
    }
    return old;
  }

  @Override
  public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
    for (KeyValue<Bytes, byte[]> e : entries) {
      put(e.key, e.value);
    }
  }

  @Override
  public byte[] delete(Bytes key) {
    byte[] buffered = dirty.remove(key);
    byte[] stored = inner.delete(key);
    return buffered != null ? buffered : stored;
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
    return merged(inner.range(from, to), from, to, null, false);
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
    return merged(inner.reverseRange(from, to), from, to, null, true);
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> all() {
    return merged(inner.all(), null, null, null, false);
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> reverseAll() {
    return merged(inner.reverseAll(), null, null, null, true);
  }

  @Override
  public <S extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(
      P prefix, S prefixKeySerializer) {
    byte[] p = prefixKeySerializer.serialize(null, prefix);
    return merged(inner.prefixScan(prefix, prefixKeySerializer), null, null, p, false);
  }

  @Override
  public long approximateNumEntries() {
    long n = inner.approximateNumEntries() + dirty.size();
    return n < 0 ? Long.MAX_VALUE : n;
  }

  /**
   * The store's iterator with the map's entries in the same bounds (inclusive; null: open) and
   * prefix (null: any) merged in, the map's value winning for a key in both.
   */
  private KeyValueIterator<Bytes, byte[]> merged(
      KeyValueIterator<Bytes, byte[]> stored,
      Bytes from,
      Bytes to,
      byte[] prefix,
      boolean reverse) {
    List<KeyValue<Bytes, byte[]>> buffered = new ArrayList<>();
    for (Map.Entry<Bytes, byte[]> e : dirty.entrySet()) {
      Bytes k = e.getKey();
      if ((from == null || k.compareTo(from) >= 0)
          && (to == null || k.compareTo(to) <= 0)
          && (prefix == null || startsWith(k.get(), prefix))) {
        buffered.add(KeyValue.pair(k, e.getValue()));
      }
    }
    Comparator<Bytes> order = reverse ? Comparator.reverseOrder() : Comparator.naturalOrder();
    buffered.sort((a, b) -> order.compare(a.key, b.key));
    return new MergedIterator(stored, buffered, order);
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    if (key.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (key[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static final class MergedIterator implements KeyValueIterator<Bytes, byte[]> {
    private final KeyValueIterator<Bytes, byte[]> stored;
    private final List<KeyValue<Bytes, byte[]>> buffered;
    private final Comparator<Bytes> order;
    private int at;

    MergedIterator(
        KeyValueIterator<Bytes, byte[]> stored,
        List<KeyValue<Bytes, byte[]>> buffered,
        Comparator<Bytes> order) {
      this.stored = stored;
      this.buffered = buffered;
      this.order = order;
    }

    @Override
    public boolean hasNext() {
      return at < buffered.size() || stored.hasNext();
    }

    @Override
    public Bytes peekNextKey() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      if (at >= buffered.size()) {
        return stored.peekNextKey();
      }
      Bytes b = buffered.get(at).key;
      return stored.hasNext() && order.compare(stored.peekNextKey(), b) < 0
          ? stored.peekNextKey()
          : b;
    }

    @Override
    public KeyValue<Bytes, byte[]> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      if (at >= buffered.size()) {
        return stored.next();
      }
      KeyValue<Bytes, byte[]> b = buffered.get(at);
      if (!stored.hasNext()) {
        at++;
        return b;
      }
      int c = order.compare(stored.peekNextKey(), b.key);
      if (c < 0) {
        return stored.next();
      }
      if (c == 0) {
        stored.next();
      }
      at++;
      return b;
    }

    @Override
    public void close() {
      stored.close();
    }
  }

  // --- the store's life cycle: everything else is the store below's ---

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    clearCache();
    inner.init(context, root);
  }

  // flush() and commit() come after the offsets (or the transaction) committed: too late to write
  // back, and by then flushCache() has. They only reach the store below.

  @Override
  @SuppressWarnings("deprecation")
  public void flush() {
    inner.flush();
  }

  @Override
  public void commit(Map<TopicPartition, Long> changelogOffsets) {
    inner.commit(changelogOffsets);
  }

  @Override
  public Long committedOffset(TopicPartition partition) {
    return inner.committedOffset(partition);
  }

  @Override
  @SuppressWarnings("deprecation")
  public boolean managesOffsets() {
    return inner.managesOffsets();
  }

  @Override
  public void close() {
    clearCache();
    inner.close();
  }

  @Override
  public boolean persistent() {
    return inner.persistent();
  }

  @Override
  public boolean isOpen() {
    return inner.isOpen();
  }

  @Override
  public <R> QueryResult<R> query(Query<R> query, PositionBound bound, QueryConfig config) {
    return inner.query(query, bound, config);
  }

  @Override
  public Position getPosition() {
    return inner.getPosition();
  }

  @Override
  public long approximateNumUncommittedBytes() {
    return inner.approximateNumUncommittedBytes();
  }

  /** Builds a {@link WriteBackStore} over what {@code inner} builds (which must not cache). */
  static final class Builder implements StoreBuilder<KeyValueStore<Bytes, byte[]>> {
    private final StoreBuilder<KeyValueStore<Bytes, byte[]>> inner;
    private final int maxEntries;

    Builder(StoreBuilder<KeyValueStore<Bytes, byte[]>> inner, int maxEntries) {
      this.inner = inner;
      this.maxEntries = maxEntries;
    }

    @Override
    public StoreBuilder<KeyValueStore<Bytes, byte[]>> withCachingEnabled() {
      throw new UnsupportedOperationException("the write-back layer replaces the record cache");
    }

    @Override
    public StoreBuilder<KeyValueStore<Bytes, byte[]>> withCachingDisabled() {
      return this;
    }

    @Override
    public StoreBuilder<KeyValueStore<Bytes, byte[]>> withLoggingEnabled(Map<String, String> c) {
      inner.withLoggingEnabled(c);
      return this;
    }

    @Override
    public StoreBuilder<KeyValueStore<Bytes, byte[]>> withLoggingDisabled() {
      inner.withLoggingDisabled();
      return this;
    }

    @Override
    public KeyValueStore<Bytes, byte[]> build() {
      return new WriteBackStore(inner.build(), maxEntries);
    }

    @Override
    public Map<String, String> logConfig() {
      return inner.logConfig();
    }

    @Override
    public boolean loggingEnabled() {
      return inner.loggingEnabled();
    }

    @Override
    public String name() {
      return inner.name();
    }
  }
}
