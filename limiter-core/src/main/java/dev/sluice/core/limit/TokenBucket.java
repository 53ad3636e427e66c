package dev.sluice.core.limit;

/**
 * {@code TOKEN_BUCKET}: capacity {@code L} tokens refilled continuously at {@code L} per {@code W},
 * starting full. Tokens are kept scaled by {@code W} ({@code S = tokens * W}) so the refill {@code
 * elapsed * L} stays an integer. Elapsed time is clamped to {@code W} before multiplying: the
 * bucket is full after {@code W} anyway, and {@code W * L <= 2.68e18 < 2^63}.
 */
public final class TokenBucket implements RateAlgorithm<TokenBucket.State> {
  /** The shared instance. */
  public static final TokenBucket INSTANCE = new TokenBucket();

  /**
   * Counter state.
   *
   * @param scaledTokens tokens times the window in ms
   * @param last time of the last refill (the last effective time)
   */
  public record State(long scaledTokens, long last) {}

  private TokenBucket() {}

  @Override
  public Step<State> apply(State state, long limit, long windowMs, long cost, long time) {
    final long w = windowMs;
    long capacity = limit * w;
    long t;
    long s;
    if (state == null) {
      t = time;
      s = capacity;
    } else {
      t = Math.max(time, state.last);
      long elapsed = Math.min(t - state.last, w);
      s = Math.min(capacity, state.scaledTokens + elapsed * limit);
    }
    long need = cost * w;
    boolean allowed = s >= need;
    if (allowed) {
      s -= need;
    }
    long reset = limit == 0 ? 0 : ceilDiv(capacity - s, limit);
    long retry = allowed ? 0 : cost > limit ? -1 : ceilDiv(need - s, limit);
    return new Step<>(new State(s, t), allowed, s / w, reset, retry, t);
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }

  @Override
  public long lastTime(State state) {
    return state.last;
  }

  @Override
  public long idleAfter(State state, long windowMs) {
    // After a full window the bucket is full again, as a fresh one starts.
    return state.last + windowMs;
  }

  @Override
  public void encode(State state, VarCodec.Writer out) {
    out.writeVarLong(state.scaledTokens).writeVarLong(state.last);
  }

  @Override
  public State decode(VarCodec.Reader in) {
    return new State(in.readVarLong(), in.readVarLong());
  }
}
