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
  public Step<State> apply(State state, long limit, long windowMs, long cost, long time) {
    long t = state == null ? time : Math.max(time, state.last);
    long start = Math.floorDiv(t, windowMs) * windowMs;
    long used = state != null && state.last >= start ? state.used : 0;
    boolean allowed = used + cost <= limit;
    if (allowed) {
      used += cost;
    }
    long reset = start + windowMs - t;
    long retry = allowed ? 0 : cost > limit ? -1 : reset;
    return new Step<>(new State(used, t), allowed, Math.max(0, limit - used), reset, retry, t);
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
