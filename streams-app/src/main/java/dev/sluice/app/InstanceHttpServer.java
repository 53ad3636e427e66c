package dev.sluice.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.topology.SluiceConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-instance HTTP endpoints, on the JDK's built-in server (no extra dependency):
 *
 * <ul>
 *   <li>{@code GET /health/live}: 200 while Kafka Streams has not failed or stopped, else 503;
 *   <li>{@code GET /health/ready}: 200 when the instance can serve decisions with every published
 *       rule and none of its requests partitions is stuck ({@link SluiceInstance#readiness()}),
 *       else 503; JSON body says why ({@code stuckPartitions} names each stuck one);
 *   <li>{@code GET /metrics}: Prometheus text format;
 *   <li>{@code GET /counters?key=K[&meta.NAME=VALUE...]}: the counters of key K under the rule that
 *       applies to it ({@link CountersQuery}); 404 with a JSON body saying why when turned off
 *       ({@code sluice.http.counters.enabled=false}).
 * </ul>
 *
 * <p>It listens on {@code sluice.http.bind.address} (every address by default, so that probes and
 * Prometheus reach it from outside a container).
 *
 * <p>Two handler threads: these are probes and operator queries, not the data path.
 */
final class InstanceHttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InstanceHttpServer.class);

  private final HttpServer server;
  private final ExecutorService executor;

  private InstanceHttpServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds and starts the server.
   *
   * @param bindAddress the address to listen on ({@code sluice.http.bind.address})
   * @param counters answers {@code /counters}, or null when it is turned off
   * @throws CliException when the address cannot be resolved or the port is in use
   */
  static InstanceHttpServer start(
      String bindAddress,
      int port,
      Supplier<SluiceInstance.Readiness> readiness,
      PrometheusMeterRegistry registry,
      CountersQuery counters) {
    InetSocketAddress address = new InetSocketAddress(bindAddress, port);
    if (address.isUnresolved()) {
      throw new CliException(
          SluiceConfig.HTTP_BIND_ADDRESS + ": cannot resolve \"" + bindAddress + "\"");
    }
    HttpServer server;
    try {
      server = HttpServer.create(address, 16);
    } catch (BindException e) {
      throw new CliException(
          "HTTP address "
              + bindAddress
              + ":"
              + port
              + " cannot be bound ("
              + e.getMessage()
              + "; set sluice.http.port / SLUICE_HTTP_PORT or sluice.http.bind.address /"
              + " SLUICE_HTTP_BIND_ADDRESS)",
          e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext(
        "/health/live",
        ex -> {
          SluiceInstance.Readiness r = readiness.get();
          ObjectNode body = RuleJson.MAPPER.createObjectNode();
          body.put("live", r.live()).put("state", r.state());
          respond(ex, r.live() ? 200 : 503, "application/json", body.toString());
        });
    server.createContext(
        "/health/ready",
        ex -> {
          SluiceInstance.Readiness r = readiness.get();
          ObjectNode body = RuleJson.MAPPER.createObjectNode();
          body.put("ready", r.ready())
              .put("state", r.state())
              .put("rulesCaughtUp", r.rulesCaughtUp())
              .put("rulesLoaded", r.rulesLoaded());
          r.stuckPartitions().forEach(body.putArray("stuckPartitions")::add);
          respond(ex, r.ready() ? 200 : 503, "application/json", body.toString());
        });
    server.createContext(
        "/metrics",
        ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    server.createContext(
        "/counters",
        ex -> {
          if (counters == null) {
            ObjectNode body = RuleJson.MAPPER.createObjectNode();
            body.put(
                "error",
                "/counters is turned off on this instance ("
                    + SluiceConfig.HTTP_COUNTERS_ENABLED
                    + "=false)");
            respond(ex, 404, "application/json", body.toString());
            return;
          }
          CountersQuery.Answer answer = counters.query(query(ex.getRequestURI().getRawQuery()));
          if (answer.location() != null) {
            ex.getResponseHeaders().set("Location", answer.location());
          }
          respond(ex, answer.status(), "application/json", answer.body().toString());
        });
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "sluice-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.start();
    return new InstanceHttpServer(server, executor);
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** The address and port it listens on. */
  InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  static Map<String, String> query(String rawQuery) {
    Map<String, String> out = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      out.putIfAbsent(
          URLDecoder.decode(k, StandardCharsets.UTF_8),
          URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return out;
  }

  private static void respond(HttpExchange ex, int status, String type, String body)
      throws IOException {
    try (ex) {
      if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
        ex.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", type);
      ex.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    } catch (RuntimeException e) {
      LOG.warn("HTTP handler failed for {}", ex.getRequestURI(), e);
      throw e;
    }
  }
}
