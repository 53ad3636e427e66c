package dev.sluice.app;

import java.io.PrintStream;
import java.util.Map;

/**
 * What a command talks to: standard output for results, standard error for progress and errors, and
 * the environment (for {@code SLUICE_*} overrides). Tests pass their own.
 *
 * @param out results
 * @param err progress, warnings and errors
 * @param env environment variables
 */
public record Io(PrintStream out, PrintStream err, Map<String, String> env) {
  /** The process's own streams and environment. */
  public static Io system() {
    return new Io(System.out, System.err, System.getenv());
  }
}
