package dev.sluice.topology;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the off-heap memory of every RocksDB store in the JVM by one number, {@code
 * sluice.rocksdb.cache.bytes}: all stores share one LRU block cache of that size; memtables (via a
 * shared {@link WriteBufferManager}, a quarter of the cache) and index and filter blocks are
 * charged to it instead of growing beside it.
 *
 * <p>The cache and manager are created by the first store that opens and live as long as the JVM;
 * every later store shares them, whatever size its configuration says (a JVM runs one Sluice
 * instance).
 */
public final class BoundedRocksDbConfig implements RocksDBConfigSetter {
  private static final double HIGH_PRIORITY_POOL_RATIO = 0.1;

  private static Cache cache;
  private static WriteBufferManager writeBufferManager;

  /** Created by Kafka Streams from {@code rocksdb.config.setter}. */
  public BoundedRocksDbConfig() {}

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    Object configured = configs.get(SluiceConfig.ROCKSDB_CACHE_BYTES);
    long bytes =
        configured == null
            ? Long.parseLong(SluiceConfig.DEFAULTS.get(SluiceConfig.ROCKSDB_CACHE_BYTES))
            : Long.parseLong(configured.toString());
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    synchronized (BoundedRocksDbConfig.class) {
      if (cache == null) {
        cache = new LRUCache(bytes, -1, false, HIGH_PRIORITY_POOL_RATIO);
        writeBufferManager = new WriteBufferManager(bytes / 4, cache);
      }
      table.setBlockCache(cache);
      options.setWriteBufferManager(writeBufferManager);
    }
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setTableFormatConfig(table);
  }

  @Override
  public void close(String storeName, Options options) {
    // The cache and write-buffer manager are shared by every store: closing them here would
    // break the stores still open.
  }
}
