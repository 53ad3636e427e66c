package dev.sluice.core.limit;

/**
 * One counting algorithm of SPEC 5 over immutable state, split into the steps a rule of several
 * limits needs: bring a counter to the effective time ({@link #at}), read what it allows there
 * ({@link #largestCost}, {@link #remaining}, {@link #resetAfter}, {@link #leastWait}), and charge
 * it ({@link #charge}). Implementations use integer arithmetic only and cannot overflow for any
 * input SPEC 1 and 2 allow: {@code limit <= 1e9}, {@code windowMs <= 2,678,400,000}, {@code cost <=
 * 1e9}, {@code time <= 2^53}, and a state built under any other valid limit (a rule update may
 * lower or raise it).
 *
 * <p>A state returned by {@link #at} is "at" its clock: every read below is measured from {@link
 * #lastTime} of that state.
 *
 * @param <S> the immutable state type
 */
public interface RateAlgorithm<S> {
  /**
   * The counter at time {@code time}: what a request at that time sees, before any charge.
   *
   * @param state the counter's state, or null for a fresh counter (no history, no clock)
   * @param limit permits per window, {@code 0..1e9}
   * @param windowMs window length in ms, {@code 1000..2,678,400,000}
   * @param time the effective time in ms, {@code 0..2^53}, at least {@code lastTime(state)}
   * @return the state with its clock at {@code time}; never null
   */
  S at(S state, long limit, long windowMs, long time);

  /**
   * The largest cost {@code g} the counter allows now: it allows {@code c} iff {@code c <= g}.
   *
   * @param state a state returned by {@link #at}; not null
   * @param limit permits per window
   * @param windowMs window length in ms
   * @return {@code g}; negative when a lowered limit left the counter over it
   */
  long largestCost(S state, long limit, long windowMs);

  /**
   * Charges {@code x} permits at the state's clock.
   *
   * @param state a state returned by {@link #at}; not null
   * @param x permits to charge, {@code 1..largestCost(state)}
   * @param windowMs window length in ms
   * @return the charged state; never null
   */
  S charge(S state, long x, long windowMs);

  /**
   * The permits left, as a decision reports them.
   *
   * @param state a state returned by {@link #at} or {@link #charge}; not null
   * @param limit permits per window
   * @param windowMs window length in ms
   * @return {@code remaining} of SPEC 5, at least 0
   */
  long remaining(S state, long limit, long windowMs);

  /**
   * The time until the window resets, as a decision reports it.
   *
   * @param state a state returned by {@link #at} or {@link #charge}; not null
   * @param limit permits per window
   * @param windowMs window length in ms
   * @return {@code resetAfterMs} of SPEC 5, from the state's clock, at least 0
   */
  long resetAfter(S state, long limit, long windowMs);

  /**
   * The least wait {@code w} after which the counter would allow {@code cost} if nothing else
   * arrived, exact (SPEC 5). Constant time except for {@code SLIDING_WINDOW}, which walks its log.
   *
   * @param state a state returned by {@link #at} that does not allow {@code cost}; not null
   * @param limit permits per window, at least {@code cost}
   * @param windowMs window length in ms
   * @param cost the cost asked, {@code 0..limit}
   * @return {@code w > 0} in ms, from the state's clock
   */
  long leastWait(S state, long limit, long windowMs, long cost);

  /**
   * Applies one request to this counter alone, as a one-limit rule does: moves the clock to {@code
   * max(time, lastTime(state))}, charges {@code cost} when it fits. For a cost of 0 the returned
   * state is the one a check would see, which {@link Limiter} does not store.
   *
   * @param state the counter's state, or null for a fresh counter
   * @param limit permits per window, {@code 0..1e9}
   * @param windowMs window length in ms
   * @param cost permits the request asks for, {@code 0..1e9}
   * @param time request time in ms, {@code 0..2^53}
   * @return the new state and the decision; never null
   */
  default Step<S> apply(S state, long limit, long windowMs, long cost, long time) {
    long t = state == null ? time : Math.max(time, lastTime(state));
    S now = at(state, limit, windowMs, t);
    boolean allowed = cost <= largestCost(now, limit, windowMs);
    long retry = 0;
    if (allowed) {
      if (cost > 0) {
        now = charge(now, cost, windowMs);
      }
    } else {
      retry = cost > limit ? -1 : leastWait(now, limit, windowMs, cost);
    }
    return new Step<>(
        now, allowed, remaining(now, limit, windowMs), resetAfter(now, limit, windowMs), retry, t);
  }

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
