package dev.sluice.app;

import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;

/**
 * {@code sluice bench}: hands over to the end-to-end benchmark runner, {@code
 * dev.sluice.bench.e2e.BenchMain} in the {@code benchmarks} module. That module depends on this
 * one, so the runner is found by name at run time: {@code bin/sluice bench} builds the module and
 * puts it on the classpath. Without it this command says so and exits 2.
 */
public final class BenchCommand {
  static final String RUNNER = "dev.sluice.bench.e2e.BenchMain";

  private BenchCommand() {}

  /** Runs the benchmark with {@code argv}; returns its exit status (2 if it is not available). */
  public static int run(List<String> argv, Io io) throws Exception {
    Method run;
    try {
      run =
          Class.forName(RUNNER).getMethod("run", List.class, PrintStream.class, PrintStream.class);
    } catch (ClassNotFoundException e) {
      io.err()
          .println(
              "sluice bench: the benchmarks module is not on the classpath; run it as"
                  + " `bin/sluice bench`, which builds and adds it");
      return 2;
    }
    try {
      return (Integer) run.invoke(null, argv, io.out(), io.err());
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }
}
