package dev.sluice.core.limit;

/**
 * What one algorithm step produced: the new state and the decision fields of SPEC 5, before shadow
 * mode is applied.
 *
 * @param state the state to keep (never null)
 * @param allowed whether the request fits
 * @param remaining permits left after the decision
 * @param resetAfterMs as SPEC 5 defines it per algorithm, from {@code effectiveTime}
 * @param retryAfterMs 0 when allowed, the least wait after which it would be allowed, -1 never
 * @param effectiveTime the time the step ran at: {@code max(t, last time of the state)}
 * @param <S> the algorithm's state type
 */
public record Step<S>(
    S state,
    boolean allowed,
    long remaining,
    long resetAfterMs,
    long retryAfterMs,
    long effectiveTime) {}
