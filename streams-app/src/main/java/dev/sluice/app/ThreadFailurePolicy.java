package dev.sluice.app;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an instance does when a stream thread dies: replace the thread, unless the failure is a JVM
 * {@link Error} or threads keep dying, and then shut the instance down so that its supervisor
 * restarts it.
 *
 * <p>Why replace first: a broker fail-over can leave a transactional producer in a state Kafka
 * Streams does not treat as task migration (an {@code InvalidTxnStateException} on commit was seen
 * when a partition leader died mid-transaction). The thread's tasks are then reinitialised under
 * exactly-once and re-read from the last committed offsets, so nothing is lost; shutting the whole
 * instance down instead would turn one broker fail-over into a lost instance. Why a budget: a
 * failure that repeats (a store on a full disk, a schema registry that stays unreachable, a bug)
 * must not become a silent replacement loop; after {@link #MAX_REPLACEMENTS} replacements within
 * {@link #WINDOW} the instance stops and {@code sluice run} exits 1. The remembered failure times
 * are bounded by {@link #MAX_REPLACEMENTS} and expire after {@link #WINDOW}.
 */
final class ThreadFailurePolicy implements StreamsUncaughtExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ThreadFailurePolicy.class);

  /** How many thread replacements {@link #WINDOW} tolerates. */
  static final int MAX_REPLACEMENTS = 5;

  /** The period over which replacements are counted. */
  static final Duration WINDOW = Duration.ofMinutes(10);

  private final LongSupplier nanoClock;
  private final Deque<Long> replacedAt = new ArrayDeque<>();

  ThreadFailurePolicy() {
    this(System::nanoTime);
  }

  ThreadFailurePolicy(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  @Override
  public synchronized StreamThreadExceptionResponse handle(Throwable e) {
    if (causedByError(e)) {
      LOG.error("Stream thread failed with a JVM error; shutting this instance down", e);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    long now = nanoClock.getAsLong();
    while (!replacedAt.isEmpty() && now - replacedAt.peekFirst() > WINDOW.toNanos()) {
      replacedAt.removeFirst();
    }
    if (replacedAt.size() >= MAX_REPLACEMENTS) {
      LOG.error(
          "Stream thread failed for the {}th time within {}; shutting this instance down",
          MAX_REPLACEMENTS + 1,
          WINDOW,
          e);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    replacedAt.addLast(now);
    LOG.error(
        "Stream thread failed; replacing it ({} of {} replacements allowed within {})",
        replacedAt.size(),
        MAX_REPLACEMENTS,
        WINDOW,
        e);
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }

  private static boolean causedByError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof Error) {
        return true;
      }
    }
    return false;
  }
}
