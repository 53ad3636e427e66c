package dev.sluice.core.limit;

/**
 * {@code FIXED_WINDOW}: permits per aligned window {@code [s, s+W)} with {@code s = floor(t/W)*W}.
 * The state only needs the permits used and the last time: the window it counts is always the
 * window of that last time.
 */
public final class FixedWindow implements RateAlgorithm<FixedWindow.State> {
  /** The shared instance. */
  public static final FixedWindow INSTANCE = new FixedWindow();

  /**
   * Counter state.
   *
   * @param used permits allowed in the window of {@code last}
   * @param last last effective time
   */
  public record State(long used, long last) {}

  private FixedWindow() {}

  @Override
  public State at(State state, long limit, long windowMs, long time) {
    long start = Math.floorDiv(time, windowMs) * windowMs;
    long used = state != null && state.last >= start ? state.used : 0;
    return new State(used, time);
  }

  @Override
  public long largestCost(State state, long limit, long windowMs) {
    return limit - state.used;
  }

  @Override
  public State charge(State state, long x, long windowMs) {
    return new State(state.used + x, state.last);
  }

  @Override
  public long remaining(State state, long limit, long windowMs) {
    return Math.max(0, limit - state.used);
  }

  @Override
  public long resetAfter(State state, long limit, long windowMs) {
    return Math.floorDiv(state.last, windowMs) * windowMs + windowMs - state.last;
  }

  @Override
  public long leastWait(State state, long limit, long windowMs, long cost) {
    // Nothing leaves before the window ends; then used is 0 and cost <= limit fits.
    return resetAfter(state, limit, windowMs);
  }

  @Override
  public long lastTime(State state) {
    return state.last;
  }

  @Override
  public long idleAfter(State state, long windowMs) {
    // Once the window of `last` is over, the count no longer matters and the clock is behind.
    return Math.floorDiv(state.last, windowMs) * windowMs + windowMs;
  }

  @Override
  public void encode(State state, VarCodec.Writer out) {
    out.writeVarLong(state.used).writeVarLong(state.last);
  }

  @Override
  public State decode(VarCodec.Reader in) {
    return new State(in.readVarLong(), in.readVarLong());
  }
}
