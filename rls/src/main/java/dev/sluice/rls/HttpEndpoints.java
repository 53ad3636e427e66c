package dev.sluice.rls;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.grpc.Status;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's HTTP side: {@code POST /json} (envoy ratelimit's JSON check: the body is a {@code
 * RateLimitRequest} in proto3 JSON, the answer the {@code RateLimitResponse} in proto3 JSON with
 * 200 when OK and 429 when over the limit), {@code GET /metrics} (Prometheus text), {@code GET
 * /health/live} and {@code GET /health/ready} (200 once connected to Sluice, else 503).
 *
 * <p>Errors: a body that is not a {@code RateLimitRequest} or a malformed descriptor gets 400 with
 * the reason as plain text; Sluice unavailable (failure mode {@code UNAVAILABLE}) and too many
 * calls at once get 503; a body over 64 KiB gets 413; a method other than the one listed gets 405.
 * A {@code /json} call is answered when its decisions are in, without holding an HTTP thread.
 */
final class HttpEndpoints implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoints.class);
  static final int MAX_BODY_BYTES = 64 * 1024;

  private final HttpServer server;
  private final ExecutorService executor;

  private HttpEndpoints(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  static HttpEndpoints start(
      String bindAddress,
      int port,
      RateLimitDecider decider,
      PrometheusMeterRegistry registry,
      BooleanSupplier ready,
      int queueCapacity)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(bindAddress, port), 64);
    // Two threads and a bounded queue: past it, the submitting thread does the work itself
    // (back-pressure on the accept loop, or an answer written on the reply thread), never an
    // unbounded backlog and never a dropped answer.
    ExecutorService executor =
        new ThreadPoolExecutor(
            2,
            2,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(queueCapacity),
            r -> {
              Thread t = new Thread(r, "sluice-rls-http");
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.CallerRunsPolicy());
    server.setExecutor(executor);
    server.createContext("/json", ex -> json(ex, decider, executor));
    server.createContext(
        "/metrics",
        ex -> {
          if (get(ex)) {
            send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
          }
        });
    server.createContext(
        "/health/live",
        ex -> {
          if (get(ex)) {
            send(ex, 200, "text/plain", "live\n");
          }
        });
    server.createContext(
        "/health/ready",
        ex -> {
          if (get(ex)) {
            boolean r = ready.getAsBoolean();
            send(ex, r ? 200 : 503, "text/plain", r ? "ready\n" : "not connected to Sluice\n");
          }
        });
    server.start();
    return new HttpEndpoints(server, executor);
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static boolean get(HttpExchange ex) throws IOException {
    if (!ex.getRequestMethod().equals("GET")) {
      send(ex, 405, "text/plain", "use GET\n");
      return false;
    }
    return true;
  }

  private static void json(HttpExchange ex, RateLimitDecider decider, ExecutorService executor)
      throws IOException {
    if (!ex.getRequestMethod().equals("POST")) {
      send(ex, 405, "text/plain", "use POST with a RateLimitRequest as JSON\n");
      return;
    }
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (body.length > MAX_BODY_BYTES) {
      send(ex, 413, "text/plain", "body: at most " + MAX_BODY_BYTES + " bytes\n");
      return;
    }
    RateLimitRequest.Builder request = RateLimitRequest.newBuilder();
    try {
      JsonFormat.parser().merge(new String(body, StandardCharsets.UTF_8), request);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      send(ex, 400, "text/plain", "body: not a RateLimitRequest in JSON: " + e.getMessage() + "\n");
      return;
    }
    // Written on an HTTP thread, never on the decision client's reply thread: a slow reader of
    // this response must not hold up every other decision.
    decider
        .decide(request.build())
        .whenCompleteAsync(
            (outcome, error) -> {
              try {
                if (error != null) {
                  send(ex, 500, "text/plain", "internal error: " + error + "\n");
                } else if (outcome.error() != null) {
                  send(
                      ex,
                      httpStatus(outcome.error()),
                      "text/plain",
                      outcome.error().getCode() + ": " + outcome.error().getDescription() + "\n");
                } else {
                  RateLimitResponse r = outcome.response();
                  send(
                      ex,
                      r.getOverallCode() == RateLimitResponse.Code.OVER_LIMIT ? 429 : 200,
                      "application/json",
                      JsonFormat.printer().print(r));
                }
              } catch (IOException | RuntimeException e) {
                LOG.debug("answering /json failed: {}", e.toString());
                ex.close();
              }
            },
            executor);
  }

  static int httpStatus(Status status) {
    return switch (status.getCode()) {
      case INVALID_ARGUMENT -> 400;
      case UNAVAILABLE, RESOURCE_EXHAUSTED -> 503;
      default -> 500;
    };
  }

  private static void send(HttpExchange ex, int status, String type, String text)
      throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
