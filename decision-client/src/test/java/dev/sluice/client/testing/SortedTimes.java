package dev.sluice.client.testing;

import java.util.Arrays;

/**
 * Counting in a sorted array of admission times, for the window-bound checks of the lease tests.
 */
public final class SortedTimes {
  private SortedTimes() {}

  /** How many entries of {@code sorted} (ascending) lie in ({@code from}, {@code to}]. */
  public static long count(long[] sorted, long from, long to) {
    return upper(sorted, to) - upper(sorted, from);
  }

  /** The index just past the last entry {@code <= v}. */
  private static int upper(long[] sorted, long v) {
    int i = Arrays.binarySearch(sorted, v);
    if (i < 0) {
      return -i - 1;
    }
    while (i < sorted.length && sorted[i] == v) {
      i++;
    }
    return i;
  }
}
