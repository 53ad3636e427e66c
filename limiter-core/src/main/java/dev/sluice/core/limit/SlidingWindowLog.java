package dev.sluice.core.limit;

import java.util.Arrays;

/**
 * {@code SLIDING_WINDOW}: an exact rolling log. {@code used} is the cost of allowed requests with
 * time in {@code (t-W, t]}. Entries at the same time are merged, and entries that left the window
 * are dropped on every step, so the log holds at most {@code min(limit, W)} entries (each has cost
 * at least 1 and their sum was at most the limit when the last one was admitted; rules using this
 * algorithm have {@code limit <= 10,000}).
 */
public final class SlidingWindowLog implements RateAlgorithm<SlidingWindowLog.State> {
  /** The shared instance. */
  public static final SlidingWindowLog INSTANCE = new SlidingWindowLog();

  /**
   * Counter state: entries in ascending time order. The arrays are never mutated after
   * construction.
   *
   * @param last last effective time
   * @param times entry times, strictly ascending, each at most {@code last}
   * @param costs cost allowed at each time
   */
  public record State(long last, long[] times, long[] costs) {
    /** Sum of all entry costs. */
    long total() {
      long sum = 0;
      for (long c : costs) {
        sum += c;
      }
      return sum;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof State s
          && s.last == last
          && Arrays.equals(s.times, times)
          && Arrays.equals(s.costs, costs);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(last) * 31 + Arrays.hashCode(times) * 17 + Arrays.hashCode(costs);
    }

    @Override
    public String toString() {
      return "State[last="
          + last
          + ", times="
          + Arrays.toString(times)
          + ", costs="
          + Arrays.toString(costs)
          + "]";
    }
  }

  private static final long[] NONE = new long[0];

  private SlidingWindowLog() {}

  @Override
  public Step<State> apply(State state, long limit, long windowMs, long cost, long time) {
    long t = state == null ? time : Math.max(time, state.last);
    long[] times = state == null ? NONE : state.times;
    long[] costs = state == null ? NONE : state.costs;
    // Keep entries in (t - W, t].
    int first = 0;
    while (first < times.length && times[first] <= t - windowMs) {
      first++;
    }
    int n = times.length - first;
    long used = 0;
    for (int i = first; i < times.length; i++) {
      used += costs[i];
    }
    boolean allowed = used + cost <= limit;
    long[] newTimes;
    long[] newCosts;
    if (allowed) {
      used += cost;
      boolean merge = n > 0 && times[times.length - 1] == t;
      int size = merge ? n : n + 1;
      newTimes = Arrays.copyOfRange(times, first, first + size);
      newCosts = Arrays.copyOfRange(costs, first, first + size);
      if (merge) {
        newCosts[size - 1] += cost;
      } else {
        newTimes[size - 1] = t;
        newCosts[size - 1] = cost;
      }
    } else {
      newTimes = first == 0 ? times : Arrays.copyOfRange(times, first, times.length);
      newCosts = first == 0 ? costs : Arrays.copyOfRange(costs, first, costs.length);
    }
    long reset = newTimes.length == 0 ? 0 : newTimes[0] + windowMs - t;
    long retry =
        allowed
            ? 0
            : cost > limit ? -1 : retryAfter(newTimes, newCosts, used, limit, cost, windowMs, t);
    return new Step<>(
        new State(t, newTimes, newCosts), allowed, Math.max(0, limit - used), reset, retry, t);
  }

  /** Waits for the oldest entries to leave until the rest leaves room for {@code cost}. */
  private static long retryAfter(
      long[] times, long[] costs, long used, long limit, long cost, long windowMs, long t) {
    long remainingUsed = used;
    for (int i = 0; i < times.length; i++) {
      remainingUsed -= costs[i];
      if (remainingUsed + cost <= limit) {
        // Entry i leaves the window once now - W >= times[i].
        return times[i] + windowMs - t;
      }
    }
    throw new IllegalStateException("cost <= limit must fit once the log is empty");
  }

  @Override
  public long lastTime(State state) {
    return state.last;
  }

  @Override
  public long idleAfter(State state, long windowMs) {
    // Once the newest entry has left the window the log is empty; then only the clock remains.
    return state.times.length == 0
        ? state.last
        : Math.max(state.last, state.times[state.times.length - 1] + windowMs);
  }

  @Override
  public void encode(State state, VarCodec.Writer out) {
    out.writeVarLong(state.last).writeVarLong(state.times.length);
    // Times as distances back from `last`, newest first, so they stay small.
    for (int i = state.times.length - 1; i >= 0; i--) {
      out.writeVarLong(state.last - state.times[i]).writeVarLong(state.costs[i]);
    }
  }

  @Override
  public State decode(VarCodec.Reader in) {
    long last = in.readVarLong();
    long count = in.readVarLong();
    if (count > 1_000_000) {
      throw new IllegalArgumentException("sliding log too long: " + count);
    }
    int n = (int) count;
    long[] times = new long[n];
    long[] costs = new long[n];
    for (int i = n - 1; i >= 0; i--) {
      times[i] = last - in.readVarLong();
      costs[i] = in.readVarLong();
    }
    return new State(last, times, costs);
  }
}
