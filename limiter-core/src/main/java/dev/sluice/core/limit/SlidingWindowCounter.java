package dev.sluice.core.limit;

/**
 * {@code SLIDING_WINDOW_COUNTER}: the two-bucket estimate. With {@code s = floor(t/W)*W} and {@code
 * e = t - s}, a request is allowed iff {@code prev*(W-e) + (cur+c)*W <= L*W}, that is iff {@code c
 * <= g = floor((L*W - prev*(W-e) - cur*W) / W)}.
 *
 * <p>Overflow: {@code cur} and {@code prev} are sums of charges within one window, each charge
 * allowed only while the sum stays at most the limit of the time (at most 1e9), so each is at most
 * 1e9 and every product below is at most {@code 1e9 * 2,678,400,000 < 2^62}; the numerator of
 * {@code g} lies within {@code +-2 * 2^62}.
 */
public final class SlidingWindowCounter implements RateAlgorithm<SlidingWindowCounter.State> {
  /** The shared instance. */
  public static final SlidingWindowCounter INSTANCE = new SlidingWindowCounter();

  /**
   * Counter state; the buckets are those of the window of {@code last}.
   *
   * @param cur permits allowed in the window of {@code last}
   * @param prev permits allowed in the window before it
   * @param last last effective time
   */
  public record State(long cur, long prev, long last) {}

  private SlidingWindowCounter() {}

  @Override
  public State at(State state, long limit, long windowMs, long time) {
    long start = Math.floorDiv(time, windowMs) * windowMs;
    long cur = 0;
    long prev = 0;
    if (state != null) {
      long lastStart = Math.floorDiv(state.last, windowMs) * windowMs;
      if (lastStart == start) {
        cur = state.cur;
        prev = state.prev;
      } else if (lastStart == start - windowMs) {
        prev = state.cur;
      }
    }
    return new State(cur, prev, time);
  }

  @Override
  public long largestCost(State state, long limit, long windowMs) {
    return Math.floorDiv(room(state, limit, windowMs), windowMs);
  }

  /** {@code L*W - prev*(W-e) - cur*W}. */
  private static long room(State state, long limit, long w) {
    long e = state.last - Math.floorDiv(state.last, w) * w;
    return limit * w - state.prev * (w - e) - state.cur * w;
  }

  @Override
  public State charge(State state, long x, long windowMs) {
    return new State(state.cur + x, state.prev, state.last);
  }

  @Override
  public long remaining(State state, long limit, long windowMs) {
    return Math.max(0, largestCost(state, limit, windowMs));
  }

  @Override
  public long resetAfter(State state, long limit, long windowMs) {
    return Math.floorDiv(state.last, windowMs) * windowMs + windowMs - state.last;
  }

  /**
   * SPEC 5's closed form. Later in this window the previous bucket weighs less: {@code prev*(W-e')
   * <= R} with {@code R = (L-c-cur)*W} first holds at {@code e' = W - floor(R/prev)}, inside the
   * window iff {@code R >= prev}. Otherwise the next window, where this window's count becomes the
   * previous bucket and {@code cur*(W-e'') <= (L-c)*W} first holds at {@code e'' = max(0, W -
   * floor((L-c)*W/cur))}; {@code e'' = W} is the start of the window after, where both buckets are
   * empty and {@code c <= L} fits.
   */
  @Override
  public long leastWait(State state, long limit, long windowMs, long cost) {
    long w = windowMs;
    long e = state.last - Math.floorDiv(state.last, w) * w;
    long r = (limit - cost - state.cur) * w;
    if (state.prev > 0 && r >= state.prev) {
      return w - e - Math.floorDiv(r, state.prev);
    }
    long e2 = state.cur == 0 ? 0 : Math.max(0, w - Math.floorDiv((limit - cost) * w, state.cur));
    return w - e + e2;
  }

  @Override
  public long lastTime(State state) {
    return state.last;
  }

  @Override
  public long idleAfter(State state, long windowMs) {
    // The current bucket still weighs in the next window as the previous one.
    return Math.floorDiv(state.last, windowMs) * windowMs + 2 * windowMs;
  }

  @Override
  public void encode(State state, VarCodec.Writer out) {
    out.writeVarLong(state.cur).writeVarLong(state.prev).writeVarLong(state.last);
  }

  @Override
  public State decode(VarCodec.Reader in) {
    return new State(in.readVarLong(), in.readVarLong(), in.readVarLong());
  }
}
