// Counter sizes quoted in docs/DESIGN.md ("Counters: key and value"). Deterministic: the same on
// every machine. Run from the repository root after a build:
//   jshell --class-path limiter-core/target/classes limiter-core/src/test/jshell/counter-sizes.jsh
// Rule generation 1234, windows of 60 s and 1 h, limits 100 and 1,000,000, 50 requests each at
// 2025 epoch times.
import dev.sluice.core.*; import dev.sluice.core.rule.*; import dev.sluice.core.limit.*; import java.util.*;
long t0 = 1_750_000_000_000L;
for (Algorithm a : Algorithm.values()) {
  if (a == Algorithm.SLIDING_WINDOW) continue;
  int min = 99, max = 0;
  for (long w : new long[] {60, 3600}) for (long lim : new long[] {100, 1_000_000}) {
    LimitRule r = new LimitRule("r", "k", lim, w, 0, new TreeMap<>(), a, false, 1234);
    byte[] c = null;
    for (int i = 0; i < 50; i++) { c = Limiter.evaluate(r, c, "id", "k", 1, t0 + i * 7919L).counter(); min = Math.min(min, c.length); max = Math.max(max, c.length); }
  }
  System.out.println(a + " " + min + "-" + max);
}
LimitRule log = new LimitRule("r", "k", 1000, 60, 0, new TreeMap<>(), Algorithm.SLIDING_WINDOW, false, 1234);
byte[] c = null;
for (int i = 0; i < 100; i++) c = Limiter.evaluate(log, c, "id", "k", 1, t0 + i * 10L).counter();
System.out.println("SLIDING_WINDOW after 100 requests 10 ms apart: " + c.length);
LimitRule log1 = new LimitRule("r", "k", 1000, 60, 0, new TreeMap<>(), Algorithm.SLIDING_WINDOW, false, 1234);
System.out.println("SLIDING_WINDOW after 1 request: " + Limiter.evaluate(log1, null, "id", "k", 1, t0).counter().length);

/exit
