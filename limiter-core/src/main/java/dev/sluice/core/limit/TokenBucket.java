package dev.sluice.core.limit;

/**
 * {@code TOKEN_BUCKET}: capacity {@code L} tokens refilled continuously at {@code L} per {@code W},
 * starting full. Tokens are kept scaled by {@code W} ({@code S = tokens * W}) so the refill {@code
 * elapsed * L} stays an integer. Elapsed time is clamped to {@code W} before multiplying: the
 * bucket is full after {@code W} anyway, and {@code S + W * L <= 2 * 2.68e18 < 2^63} even when
 * {@code S} was filled under a larger limit.
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
  public State at(State state, long limit, long windowMs, long time) {
    long capacity = limit * windowMs;
    if (state == null) {
      return new State(capacity, time);
    }
    long elapsed = Math.min(time - state.last, windowMs);
    return new State(Math.min(capacity, state.scaledTokens + elapsed * limit), time);
  }

  @Override
  public long largestCost(State state, long limit, long windowMs) {
    return state.scaledTokens / windowMs;
  }

  @Override
  public State charge(State state, long x, long windowMs) {
    return new State(state.scaledTokens - x * windowMs, state.last);
  }

  @Override
  public long remaining(State state, long limit, long windowMs) {
    return state.scaledTokens / windowMs;
  }

  @Override
  public long resetAfter(State state, long limit, long windowMs) {
    return limit == 0 ? 0 : ceilDiv(limit * windowMs - state.scaledTokens, limit);
  }

  @Override
  public long leastWait(State state, long limit, long windowMs, long cost) {
    // Denied means cost * W > S >= 0, so cost >= 1 and limit >= cost >= 1.
    return ceilDiv(cost * windowMs - state.scaledTokens, limit);
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
