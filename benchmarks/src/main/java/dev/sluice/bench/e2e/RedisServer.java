package dev.sluice.bench.e2e;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} child process on a free loopback port, for the {@code redis} and {@code
 * redis-aof} targets: without persistence ({@code save ""}, {@code appendonly no}), or with the
 * append-only file fsynced every second ({@code appendonly yes}, {@code appendfsync everysec}), the
 * setting Redis recommends for durability at speed.
 */
final class RedisServer implements AutoCloseable {
  /** Debian's package, named in the error when the binary is missing. */
  static final String INSTALL = "apt-get install -y redis-server";

  private final Process process;
  private final int port;
  private final Path dir;

  private RedisServer(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /** The {@code redis-server} binary on the PATH, or null. */
  static Path binary() {
    String path = System.getenv("PATH");
    for (String d : (path == null ? "/usr/bin:/usr/local/bin" : path).split(File.pathSeparator)) {
      Path p = Path.of(d.isEmpty() ? "." : d, "redis-server");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /**
   * Starts a server with its files in {@code dir} and waits until it answers {@code PING}.
   *
   * @param appendOnly true: {@code appendonly yes}, {@code appendfsync everysec}
   * @throws IllegalStateException when {@code redis-server} is not installed (naming {@link
   *     #INSTALL}) or does not answer within 30 s
   */
  static RedisServer start(Path dir, boolean appendOnly) throws IOException, InterruptedException {
    Path bin = binary();
    if (bin == null) {
      throw new IllegalStateException(
          "redis-server is not on the PATH; the redis targets need it: " + INSTALL);
    }
    Files.createDirectories(dir);
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(bin.toString());
    for (String[] kv :
        new String[][] {
          {"--port", Integer.toString(port)},
          {"--bind", "127.0.0.1"},
          {"--dir", dir.toAbsolutePath().toString()},
          {"--save", ""},
          {"--appendonly", appendOnly ? "yes" : "no"},
          {"--appendfsync", "everysec"},
          {"--daemonize", "no"},
          {"--logfile", "redis.log"}
        }) {
      cmd.add(kv[0]);
      cmd.add(kv[1]);
    }
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("stdout.log").toFile())
            .start();
    RedisServer server = new RedisServer(p, port, dir);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!server.pings()) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        server.close();
        throw new IllegalStateException(
            "redis-server did not answer PING on 127.0.0.1:"
                + port
                + " within 30 s (exit "
                + (p.isAlive() ? "none" : Integer.toString(p.exitValue()))
                + "); see "
                + dir.resolve("redis.log"));
      }
      Thread.sleep(50);
    }
    return server;
  }

  private boolean pings() {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(1000);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] b = new byte[7];
      int n = in.readNBytes(b, 0, 7);
      return new String(b, 0, n, StandardCharsets.US_ASCII).equals("+PONG\r\n");
    } catch (IOException e) {
      return false;
    }
  }

  int port() {
    return port;
  }

  /** Bytes of the server's files (the append-only file under {@code redis-aof}). */
  long diskBytes() throws IOException {
    try (var files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .filter(f -> !f.getFileName().toString().endsWith(".log"))
          .mapToLong(f -> f.toFile().length())
          .sum();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
