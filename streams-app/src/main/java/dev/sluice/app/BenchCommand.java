package dev.sluice.app;

import java.util.List;

/**
 * {@code sluice bench}: a placeholder until the benchmarks module provides a runner. It says so
 * and exits 2, so that scripts do not mistake it for a run.
 */
public final class BenchCommand {
  private BenchCommand() {}

  /** Prints that benchmarks are not available yet; returns 2. */
  public static int run(List<String> argv, Io io) {
    io.err().println(
        "sluice bench: not available yet; it arrives with the benchmarks (benchmarks/ module)");
    return 2;
  }
}
