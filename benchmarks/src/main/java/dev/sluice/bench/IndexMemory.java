package dev.sluice.bench;

import dev.sluice.core.rule.LimitRule;
import dev.sluice.core.rule.RuleIndex;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Measures the heap a {@link RuleIndex} of 1,000,000 generated rules retains, rules and their
 * strings included: heap used after a full GC with the index alive, minus heap used before the
 * rules existed. Several runs, each with a fresh rule set. Each run also reports the time the build
 * (the upserts alone) took: wall-clock, CPU time of the building thread, and GC time, so that a
 * build on a busy machine can be told apart from a slow one.
 *
 * <p>Run: {@code java -Xmx4g -XX:+UseSerialGC -cp benchmarks/target/benchmarks.jar
 * dev.sluice.bench.IndexMemory [rules] [runs]}. The serial collector compacts the whole heap on
 * {@link System#gc()}, so "used" is the live set to within a few kilobytes.
 */
public final class IndexMemory {
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private IndexMemory() {}

  /**
   * Prints, per run: bytes per rule for the rules alone (held in a list, its array subtracted), for
   * the whole index with its rules, and the index's own share.
   *
   * @param args optional rule count (default 1,000,000) and number of runs (default 3)
   */
  public static void main(String[] args) {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : IndexBenchmark.RULES;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    System.out.printf(
        Locale.ROOT,
        "%d rules, %s, max heap %d MiB%n",
        count,
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20);
    System.out.printf(
        Locale.ROOT,
        "%-5s %14s %16s %16s%n",
        "run",
        "rules B/rule",
        "index+rules B/rule",
        "index only B/rule");
    for (int run = 1; run <= runs; run++) {
      long base = usedAfterGc();
      List<LimitRule> rules = RuleGenerator.rules(count, 42 + run);
      long withRules = usedAfterGc();
      long gcBefore = gcMillis();
      long cpuBefore = THREADS.getCurrentThreadCpuTime();
      long wallBefore = System.nanoTime();
      RuleIndex index = new RuleIndex();
      for (LimitRule r : rules) {
        index.upsert(r);
      }
      long wall = (System.nanoTime() - wallBefore) / 1_000_000;
      long cpu = (THREADS.getCurrentThreadCpuTime() - cpuBefore) / 1_000_000;
      long gc = gcMillis() - gcBefore;
      long listArray = 16L + 4L * ((ArrayList<?>) rules).size();
      rules = null;
      long withIndex = usedAfterGc();
      double rulesOnly = (withRules - base - listArray) / (double) count;
      double total = (withIndex - base) / (double) count;
      System.out.printf(
          Locale.ROOT,
          "%-4d %13.1f %19.1f %18.1f %14d %13d %12d%n",
          run,
          rulesOnly,
          total,
          total - rulesOnly,
          wall,
          cpu,
          gc);
      // Also keeps the index reachable until after the measurement.
      if (index.size() != count) {
        throw new IllegalStateException("index holds " + index.size() + " rules");
      }
    }
  }

  private static long gcMillis() {
    long total = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }

  private static long usedAfterGc() {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      used = Math.min(used, MEMORY.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
