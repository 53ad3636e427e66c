package dev.sluice.rls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bin/sluice rls [--port P] [--http-port P] [--config FILE] [--bootstrap-servers HOSTS]}:
 * runs the rate-limit server until stopped (SIGTERM or Ctrl-C). Flags override the file; the file's
 * keys are those of {@link RlsConfig}. Exit codes: 0 after a stop, 2 for bad arguments or config, 1
 * when a port cannot be bound.
 */
public final class RlsMain {
  private RlsMain() {}

  /**
   * Runs the server.
   *
   * @param args the command line, without the leading {@code rls}
   */
  public static void main(String[] args) {
    // Kafka's clients log every config at INFO; keep the server's own lines readable.
    if (System.getProperty("org.slf4j.simpleLogger.log.org.apache.kafka") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "warn");
    }
    RlsConfig config;
    try {
      config = parse(args);
    } catch (IllegalArgumentException | IOException e) {
      System.err.println("sluice rls: " + e.getMessage());
      System.err.println(usage());
      System.exit(2);
      return;
    }
    if (config == null) {
      System.out.println(usage());
      return;
    }
    RlsServer server;
    try {
      server = RlsServer.start(config);
    } catch (IOException e) {
      System.err.println("sluice rls: cannot listen: " + e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "sluice-rls-stop"));
    System.out.println(banner(server));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The banner: where it listens and one call to try. */
  static String banner(RlsServer server) {
    RlsConfig c = server.config();
    String host = c.bindAddress().equals("0.0.0.0") ? "localhost" : c.bindAddress();
    StringBuilder b = new StringBuilder();
    b.append("sluice rls: Envoy rate-limit gRPC on ")
        .append(host)
        .append(':')
        .append(server.grpcPort())
        .append(" (envoy.service.ratelimit.v3.RateLimitService, grpc.health.v1.Health)");
    if (server.httpPort() >= 0) {
      b.append("\nsluice rls: HTTP on ")
          .append(host)
          .append(':')
          .append(server.httpPort())
          .append(" (POST /json, /metrics, /health/ready); Sluice via ")
          .append(c.client().bootstrapServers())
          .append("\nsluice rls: try  ")
          .append(exampleCall(host, server.httpPort()));
    }
    return b.toString();
  }

  /**
   * A one-line {@code curl} of {@code /json}; the Sluice key it asks about is {@code
   * login:web/user=alice}, which the {@code login-per-user} rule of {@code examples/rules.json}
   * limits to 3 a minute (bin/sluice prints the same call in the banner of {@code local}).
   *
   * @param host the host to call
   * @param httpPort the server's HTTP port
   * @return the command line
   */
  public static String exampleCall(String host, int httpPort) {
    return "curl -s -XPOST http://"
        + host
        + ":"
        + httpPort
        + "/json -d '{\"domain\":\"login:web\",\"descriptors\":[{\"entries\":"
        + "[{\"key\":\"user\",\"value\":\"alice\"}]}]}'";
  }

  static String usage() {
    return "usage: bin/sluice rls [--port P] [--http-port P] [--config FILE]"
        + " [--bootstrap-servers HOST:PORT]\n"
        + "  --port P               gRPC port (default 8081)\n"
        + "  --http-port P          HTTP port of /json, /metrics, /health/* (default 8082; -1: off)\n"
        + "  --config FILE          properties: sluice.rls.* settings, bootstrap.servers,"
        + " sluice.client.*, Kafka client settings (docs/RLS.md)\n"
        + "  --bootstrap-servers H  Kafka bootstrap servers (default localhost:9092)";
  }

  /** The config from flags and file; null for {@code --help}. */
  static RlsConfig parse(String[] args) throws IOException {
    Map<String, String> flags = new HashMap<>();
    Path file = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        return null;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(a + ": unknown flag or missing value");
      }
      String v = args[++i];
      switch (a) {
        case "--port" -> flags.put(RlsConfig.PREFIX + "grpc.port", v);
        case "--http-port" -> flags.put(RlsConfig.PREFIX + "http.port", v);
        case "--bootstrap-servers" -> flags.put("bootstrap.servers", v);
        case "--config" -> file = Path.of(v);
        default -> throw new IllegalArgumentException(a + ": unknown flag");
      }
    }
    Map<String, String> all = new HashMap<>();
    if (file != null) {
      if (!Files.isReadable(file)) {
        throw new IllegalArgumentException("--config: cannot read " + file);
      }
      Properties p = new Properties();
      try (var in = Files.newInputStream(file)) {
        p.load(in);
      }
      p.stringPropertyNames().forEach(k -> all.put(k, p.getProperty(k)));
    }
    all.putAll(flags);
    return RlsConfig.fromProperties(all);
  }
}
