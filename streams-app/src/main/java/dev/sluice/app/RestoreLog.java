package dev.sluice.app;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StandbyUpdateListener;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs what a restart or a fail-over costs, one INFO line per store partition: an active store
 * restored from its changelog (records and milliseconds) and a standby starting or stopping to
 * follow its changelog (e.g. when it is promoted). docs/RELIABILITY.md quotes these lines and the
 * failure tests read them.
 *
 * <p>Bound: one entry per store partition being restored right now (at most the instance's active
 * store partitions), removed when the restore ends or is suspended.
 */
final class RestoreLog implements StateRestoreListener, StandbyUpdateListener {
  private static final Logger LOG = LoggerFactory.getLogger(RestoreLog.class);

  private final Map<TopicPartition, Long> startedNanos = new ConcurrentHashMap<>();

  @Override
  public void onRestoreStart(
      TopicPartition partition, String storeName, long startingOffset, long endingOffset) {
    startedNanos.put(partition, System.nanoTime());
    LOG.info(
        "Restoring {} partition {} from its changelog: offsets {} to {}",
        storeName,
        partition.partition(),
        startingOffset,
        endingOffset);
  }

  @Override
  public void onBatchRestored(
      TopicPartition partition, String storeName, long batchEndOffset, long numRestored) {
    // Per batch is too chatty; the totals come at the end.
  }

  @Override
  public void onRestoreEnd(TopicPartition partition, String storeName, long totalRestored) {
    Long started = startedNanos.remove(partition);
    long ms = started == null ? -1 : (System.nanoTime() - started) / 1_000_000;
    LOG.info(
        "Restored {} partition {}: {} records in {} ms",
        storeName,
        partition.partition(),
        totalRestored,
        ms);
  }

  @Override
  public void onRestoreSuspended(TopicPartition partition, String storeName, long totalRestored) {
    startedNanos.remove(partition);
    LOG.info(
        "Restore of {} partition {} suspended after {} records (the task moved)",
        storeName,
        partition.partition(),
        totalRestored);
  }

  @Override
  public void onUpdateStart(TopicPartition partition, String storeName, long startingOffset) {
    LOG.info(
        "Standby of {} partition {} follows its changelog from offset {}",
        storeName,
        partition.partition(),
        startingOffset);
  }

  @Override
  public void onBatchLoaded(
      TopicPartition partition,
      String storeName,
      org.apache.kafka.streams.processor.TaskId taskId,
      long batchEndOffset,
      long batchSize,
      long currentEndOffset) {
    // Per batch is too chatty.
  }

  @Override
  public void onUpdateSuspended(
      TopicPartition partition,
      String storeName,
      long storeOffset,
      long currentEndOffset,
      SuspendReason reason) {
    LOG.info(
        "Standby of {} partition {} stopped at offset {} of {} ({})",
        storeName,
        partition.partition(),
        storeOffset,
        currentEndOffset,
        reason);
  }
}
