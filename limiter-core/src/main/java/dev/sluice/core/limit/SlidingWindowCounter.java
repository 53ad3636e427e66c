package dev.sluice.core.limit;

/**
 * {@code SLIDING_WINDOW_COUNTER}: the two-bucket estimate. With {@code s = floor(t/W)*W} and {@code
 * e = t - s}, a request is allowed iff {@code prev*(W-e) + (cur+c)*W <= L*W}.
 *
 * <p>Overflow: {@code cur} and {@code prev} are sums of allowed costs within one window, and a cost
 * is only allowed while {@code cur + c <= L <= 1e9}, so each stays at most 1e9 and every product
 * below is at most {@code 2e9 * 2,678,400,000 < 2^63}.
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
  public Step<State> apply(State state, long limit, long windowMs, long cost, long time) {
    final long w = windowMs;
    long t = state == null ? time : Math.max(time, state.last);
    long start = Math.floorDiv(t, w) * w;
    long cur = 0;
    long prev = 0;
    if (state != null) {
      long lastStart = Math.floorDiv(state.last, w) * w;
      if (lastStart == start) {
        cur = state.cur;
        prev = state.prev;
      } else if (lastStart == start - w) {
        prev = state.cur;
      }
    }
    long e = t - start;
    boolean allowed = prev * (w - e) + (cur + cost) * w <= limit * w;
    if (allowed) {
      cur += cost;
    }
    long remaining = Math.max(0, Math.floorDiv(limit * w - prev * (w - e) - cur * w, w));
    long reset = start + w - t;
    long retry = allowed ? 0 : retryAfter(cur, prev, e, limit, w, cost);
    return new Step<>(new State(cur, prev, t), allowed, remaining, reset, retry, t);
  }

  /**
   * The least wait after which the request would be allowed if nothing else arrived, found window
   * by window: later in this window the previous bucket weighs less; in the next window this
   * window's count becomes the previous bucket; two windows on, both buckets are empty.
   */
  private static long retryAfter(long cur, long prev, long e, long limit, long w, long cost) {
    if (cost > limit) {
      return -1;
    }
    // This window: prev*(W-e') <= (L-cur-c)*W for some e' in [e, W-1].
    long room = limit - cur - cost;
    if (room >= 0 && prev > 0) {
      long earliest = Math.max(e, w - Math.floorDiv(room * w, prev));
      if (earliest <= w - 1) {
        return earliest - e;
      }
    }
    // Next window: cur*(W-e'') <= (L-c)*W, with prev' = cur and cur' = 0.
    long untilNext = w - e;
    long earliestNext = cur == 0 ? 0 : Math.max(0, w - Math.floorDiv((limit - cost) * w, cur));
    if (earliestNext <= w - 1) {
      return untilNext + earliestNext;
    }
    // Two windows on, both buckets are empty and cost <= limit fits.
    return untilNext + w;
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
