package dev.sluice.client;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The deadline thread's loop: completes each pending check by policy when its deadline passes.
 *
 * <p>Design note. Each pass expires every check already due, then reads the clock again (completing
 * checks takes time, during which more deadlines pass) and parks exactly until the earliest
 * deadline left: not at all when that one is already due, for at most {@link #MAX_PARK_NANOS}
 * (housekeeping), and for one timeout when nothing is pending, since a check added meanwhile
 * expires a full timeout after it was added. A check added while the thread parks can never be due
 * before the thread wakes: its deadline is a full timeout away and every park is at most that.
 * Clock and parking are injected so a test can drive the loop on a fake clock.
 */
final class DeadlineLoop implements Runnable {
  /** The clock ({@code System::nanoTime} in production). */
  interface Ticker {
    long nanoTime();
  }

  /** How the loop waits ({@code LockSupport::parkNanos} in production; an unpark ends it early). */
  interface Parker {
    void park(long nanos);
  }

  /** What to do with a check whose deadline passed. */
  interface Expiry {
    void expired(PendingCheck check, long nowNanos);
  }

  /** The loop wakes at least this often for housekeeping. */
  static final long MAX_PARK_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final PendingTable pending;
  private final long timeoutNanos;
  private final Ticker ticker;
  private final Parker parker;
  private final Expiry expiry;
  private final Runnable housekeeping;
  private volatile boolean running = true;

  /**
   * @param housekeeping run once per pass, after expiring (it decides itself whether it is due)
   */
  DeadlineLoop(
      PendingTable pending,
      long timeoutNanos,
      Ticker ticker,
      Parker parker,
      Expiry expiry,
      Runnable housekeeping) {
    this.pending = pending;
    this.timeoutNanos = timeoutNanos;
    this.ticker = ticker;
    this.parker = parker;
    this.expiry = expiry;
    this.housekeeping = housekeeping;
  }

  /** The production loop: the system clock, {@link LockSupport#parkNanos}. */
  static DeadlineLoop system(
      PendingTable pending, long timeoutNanos, Expiry expiry, Runnable housekeeping) {
    return new DeadlineLoop(
        pending, timeoutNanos, System::nanoTime, LockSupport::parkNanos, expiry, housekeeping);
  }

  @Override
  public void run() {
    while (running) {
      long park = pass();
      if (park > 0 && running) {
        parker.park(park);
      }
    }
  }

  /** Ends {@link #run} after the current pass (the caller unparks the thread). */
  void stop() {
    running = false;
  }

  /**
   * One pass: expires what is due, runs the housekeeping, and returns how long to park: 0 when a
   * deadline is already due again, else exactly until the earliest deadline (at most {@link
   * #MAX_PARK_NANOS}), or one timeout (at most the same) when nothing is pending.
   */
  long pass() {
    long now = ticker.nanoTime();
    PendingCheck p;
    while ((p = pending.pollExpired(now)) != null) {
      expiry.expired(p, now);
      now = ticker.nanoTime();
    }
    housekeeping.run();
    long wait = pending.nanosToNextDeadline(ticker.nanoTime());
    if (wait == PendingTable.NO_DEADLINE) {
      return Math.min(timeoutNanos, MAX_PARK_NANOS);
    }
    return wait <= 0 ? 0 : Math.min(wait, MAX_PARK_NANOS);
  }
}
