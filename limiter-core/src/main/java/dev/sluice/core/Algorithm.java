package dev.sluice.core;

/** The counting algorithms a rule can use; SPEC section 5 defines each exactly. */
public enum Algorithm {
  /** Permits per aligned window {@code [s, s+W)}. */
  FIXED_WINDOW,
  /** Exact rolling log of allowed requests over {@code (t-W, t]}. Limit at most 10,000. */
  SLIDING_WINDOW,
  /** Two-bucket estimate of a rolling window; the default. */
  SLIDING_WINDOW_COUNTER,
  /** Bucket of {@code limit} tokens refilled continuously at {@code limit} per window. */
  TOKEN_BUCKET;

  /** The algorithm a rule gets when it names none. */
  public static final Algorithm DEFAULT = SLIDING_WINDOW_COUNTER;
}
