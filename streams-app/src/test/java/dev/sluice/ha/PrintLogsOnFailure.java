package dev.sluice.ha;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/** On a failed test, prints where every child's log is (they outlive the run under target/). */
final class PrintLogsOnFailure implements TestWatcher {
  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    System.err.println("FAILED " + context.getDisplayName() + "; child process logs:");
    try (Stream<Path> logs = Files.walk(Harness.LOG_ROOT)) {
      logs.filter(p -> p.toString().endsWith(".log"))
          .sorted()
          .forEach(p -> System.err.println("  " + p));
    } catch (IOException e) {
      System.err.println("  (cannot list " + Harness.LOG_ROOT + ": " + e + ")");
    }
  }
}
