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
  public State at(State state, long limit, long windowMs, long time) {
    if (state == null) {
      return new State(time, NONE, NONE);
    }
    // Keep entries in (t - W, t].
    int first = 0;
    while (first < state.times.length && state.times[first] <= time - windowMs) {
      first++;
    }
    return first == 0
        ? new State(time, state.times, state.costs)
        : new State(
            time,
            Arrays.copyOfRange(state.times, first, state.times.length),
            Arrays.copyOfRange(state.costs, first, state.costs.length));
  }

  @Override
  public long largestCost(State state, long limit, long windowMs) {
    return limit - state.total();
  }

  @Override
  public State charge(State state, long x, long windowMs) {
    long[] times = state.times;
    int n = times.length;
    if (n > 0 && times[n - 1] == state.last) {
      long[] costs = state.costs.clone();
      costs[n - 1] += x;
      return new State(state.last, times, costs);
    }
    long[] newTimes = Arrays.copyOf(times, n + 1);
    long[] newCosts = Arrays.copyOf(state.costs, n + 1);
    newTimes[n] = state.last;
    newCosts[n] = x;
    return new State(state.last, newTimes, newCosts);
  }

  @Override
  public long remaining(State state, long limit, long windowMs) {
    return Math.max(0, limit - state.total());
  }

  @Override
  public long resetAfter(State state, long limit, long windowMs) {
    return state.times.length == 0 ? 0 : state.times[0] + windowMs - state.last;
  }

  /** Waits for the oldest entries to leave until the rest leaves room for {@code cost}. */
  @Override
  public long leastWait(State state, long limit, long windowMs, long cost) {
    long remainingUsed = state.total();
    for (int i = 0; i < state.times.length; i++) {
      remainingUsed -= state.costs[i];
      if (remainingUsed + cost <= limit) {
        // Entry i leaves the window once now - W >= times[i].
        return state.times[i] + windowMs - state.last;
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
