package dev.sluice.rls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Runs a Node.js script of this repository as a child process. The npm packages must have been
 * installed with {@code npm ci} in the script's directory ({@code .ci/run} does it before Maven): a
 * missing {@code node} or {@code node_modules} fails the test with the command to run, never skips
 * it.
 */
final class NodeScript {
  private NodeScript() {}

  /** The repository root (the parent of the rls module). */
  static Path repoRoot() {
    return Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
  }

  /** Fails unless {@code dir/node_modules} exists and {@code node} runs. */
  static void requireInstalled(Path dir) {
    if (!Files.isDirectory(dir.resolve("node_modules"))) {
      fail(
          "the npm packages of "
              + dir
              + " are not installed: run `npm ci --prefix "
              + repoRoot().relativize(dir)
              + "` (.ci/run does it before Maven)");
    }
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "node --version failed");
    } catch (IOException e) {
      fail("Node.js (`node`) is needed on the PATH for this test: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail(e);
    }
  }

  /**
   * Runs {@code node script args...} in the script's directory with {@code stdin} as input, and
   * returns its standard output lines; fails on a non-zero exit (with its standard error) or after
   * {@code timeoutSeconds}.
   */
  static List<String> run(Path script, String stdin, long timeoutSeconds, String... args)
      throws Exception {
    requireInstalled(script.getParent());
    List<String> command = new ArrayList<>(List.of("node", script.getFileName().toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(script.getParent().toFile()).start();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(script + " did not finish within " + timeoutSeconds + " s; stderr: " + err.getNow(""));
    }
    assertEquals(
        0, p.exitValue(), script + " failed; stderr:\n" + err.get() + "\nstdout:\n" + out.get());
    return out.get().lines().toList();
  }

  private static String read(InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /**
   * Extracts the {@code .proto} files of the jar holding {@code classInJar} (the Envoy API jar) to
   * a new temporary directory, the include path for {@code @grpc/proto-loader}.
   */
  static Path extractProtos(Class<?> classInJar) throws IOException, URISyntaxException {
    Path jar = Path.of(classInJar.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path dir = Files.createTempDirectory("envoy-protos");
    int count = 0;
    try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(jar))) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        if (!e.isDirectory() && e.getName().endsWith(".proto")) {
          Path target = dir.resolve(e.getName()).normalize();
          if (!target.startsWith(dir)) {
            continue;
          }
          Files.createDirectories(target.getParent());
          Files.copy(zip, target);
          count++;
        }
      }
    }
    assertTrue(count > 0, "no .proto files in " + jar);
    return dir;
  }
}
