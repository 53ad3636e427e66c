package dev.sluice.bench.e2e;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Zipf-distributed ranks in {@code [0, n)}: rank {@code k} has probability proportional to {@code 1
 * / (k + 1)^s}. Sampling is a binary search in a precomputed CDF ({@code 8 n} bytes), so one sample
 * costs {@code O(log n)} and no allocation.
 */
public final class Zipf {
  private final double[] cdf;
  private final SplittableRandom random;

  /**
   * @param n number of ranks, at least 1
   * @param exponent the Zipf exponent {@code s}, at least 0 (0 is uniform)
   * @param seed random seed, so that runs are repeatable
   */
  public Zipf(int n, double exponent, long seed) {
    if (n < 1 || exponent < 0) {
      throw new IllegalArgumentException(
          "need n >= 1 and exponent >= 0, got " + n + ", " + exponent);
    }
    cdf = new double[n];
    double sum = 0;
    for (int k = 0; k < n; k++) {
      sum += 1.0 / Math.pow(k + 1, exponent);
      cdf[k] = sum;
    }
    for (int k = 0; k < n; k++) {
      cdf[k] /= sum;
    }
    cdf[n - 1] = 1.0;
    random = new SplittableRandom(seed);
  }

  /** The next rank; not thread-safe (one generator per sending thread). */
  public int next() {
    double u = random.nextDouble();
    int i = Arrays.binarySearch(cdf, u);
    return i >= 0 ? i : Math.min(-i - 1, cdf.length - 1);
  }

  /** Probability of rank {@code k}. */
  public double probability(int k) {
    return k == 0 ? cdf[0] : cdf[k] - cdf[k - 1];
  }
}
