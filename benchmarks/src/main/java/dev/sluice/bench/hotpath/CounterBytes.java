package dev.sluice.bench.hotpath;

import dev.sluice.core.Algorithm;
import dev.sluice.core.limit.Limiter;
import dev.sluice.core.rule.LimitRule;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prints the state bytes per counter: the counter key and the stored value each algorithm writes,
 * after 1, 10, 100 and 1,000 allowed requests in one window (the exact log grows with them; the
 * others do not). RocksDB adds its own per-entry overhead on top (roughly 20-30 bytes of internal
 * key and index in a block-based table), and the changelog topic holds the same key and value.
 *
 * <p>Run: {@code java -cp benchmarks/target/classes:$(cat benchmarks/target/runtime-classpath.txt)
 * dev.sluice.bench.hotpath.CounterBytes}
 */
public final class CounterBytes {
  private CounterBytes() {}

  /** Prints one line per algorithm. */
  public static void main(String[] args) {
    System.out.println(table());
  }

  /** The table {@link #main} prints. */
  static String table() {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%-24s %9s %9s %9s %9s %9s%n",
            "algorithm",
            "key",
            "value@1",
            "value@10",
            "value@100",
            "value@1000"));
    for (Algorithm a : Algorithm.values()) {
      LimitRule rule =
          new LimitRule(
              "bench-12345",
              "user:12345",
              10_000,
              60,
              0,
              Collections.unmodifiableSortedMap(new TreeMap<>()),
              a,
              false,
              1);
      byte[] key = Limiter.counterKey(rule, "user:12345", Map.of());
      long[] sizes = new long[4];
      byte[] stored = null;
      int n = 0;
      int[] marks = {1, 10, 100, 1000};
      for (int m = 0; m < marks.length; m++) {
        while (n < marks[m]) {
          n++;
          stored =
              Limiter.evaluate(rule, stored, "r" + n, "user:12345", 1, 1_700_000_000_000L + n * 10L)
                  .counter();
        }
        sizes[m] = stored.length;
      }
      b.append(
          String.format(
              Locale.ROOT,
              "%-24s %9d %9d %9d %9d %9d%n",
              a,
              key.length,
              sizes[0],
              sizes[1],
              sizes[2],
              sizes[3]));
    }
    return b.toString();
  }
}
