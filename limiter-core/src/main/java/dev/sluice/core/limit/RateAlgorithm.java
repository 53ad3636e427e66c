package dev.sluice.core.limit;

/**
 * One counting algorithm of SPEC 5 as a pure function {@code (state, limit, window, cost, time) ->
 * step}. Implementations use integer arithmetic only and cannot overflow for any input SPEC 1 and 2
 * allow: {@code limit <= 1e9}, {@code windowMs <= 2,678,400,000}, {@code cost <= 1e9}, {@code time
 * <= 2^53}.
 *
 * @param <S> the immutable state type
 */
public interface RateAlgorithm<S> {
  /**
   * Applies one request.
   *
   * @param state the counter's state, or null for a fresh counter (no history, no clock)
   * @param limit permits per window, {@code 0..1e9}
   * @param windowMs window length in ms, {@code 1000..2,678,400,000}
   * @param cost permits the request asks for, {@code 1..1e9}
   * @param time request time in ms, {@code 0..2^53}; moved forward to the state's last time
   * @return the new state and the decision; never null
   */
  Step<S> apply(S state, long limit, long windowMs, long cost, long time);

  /**
   * The counter's clock.
   *
   * @param state a state this algorithm produced; not null
   * @return the last effective time recorded in {@code state}, in ms
   */
  long lastTime(S state);

  /**
   * The earliest time from which a fresh counter decides every request at or after it exactly as
   * {@code state} would.
   *
   * @param state a state this algorithm produced; not null
   * @param windowMs the window length the state was built under, in ms
   * @return that time in ms; a store may drop the counter once its clock passes it
   */
  long idleAfter(S state, long windowMs);

  /**
   * Appends the state's compact encoding.
   *
   * @param state a state this algorithm produced; not null
   * @param out where to append
   */
  void encode(S state, VarCodec.Writer out);

  /**
   * Reads a state written by {@link #encode}.
   *
   * @param in positioned at the state's first byte; left after its last
   * @return the decoded state; never null
   * @throws IllegalArgumentException when the bytes are truncated or malformed
   */
  S decode(VarCodec.Reader in);
}
