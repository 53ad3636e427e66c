package dev.sluice.rls;

import dev.sluice.client.ClientMetrics;
import dev.sluice.client.DecisionClient;
import dev.sluice.client.DecisionClientConfig;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rate-limit server: Envoy's {@code RateLimitService} and the standard gRPC health service on
 * the gRPC port, {@code /json}, {@code /metrics} and {@code /health/*} on the HTTP port, answering
 * through one {@link DecisionClient}. Stateless: run as many as needed behind a load balancer.
 *
 * <p>{@link #start} returns once both ports listen; the decision client connects in the background
 * and is retried every two seconds until Sluice's topics are reachable, so the server can start
 * before Kafka. Until then every call gets the failure mode's answer and the health service says
 * {@code NOT_SERVING} (then {@code SERVING}, for the empty service name and {@code
 * envoy.service.ratelimit.v3.RateLimitService}).
 *
 * <p>Threads: gRPC's (netty event loops; calls never block them), two HTTP threads, one connector
 * thread until connected, one rules-topic reader, and the decision client's own. A call is answered
 * on the decision client's reply or deadline thread once its last descriptor is decided.
 */
public final class RlsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RlsServer.class);
  private static final String SERVICE = RateLimitServiceGrpc.SERVICE_NAME;

  private final RlsConfig config;
  private final Server grpc;
  private final HttpEndpoints http;
  private final HealthStatusManager health;
  private final AtomicReference<DecisionClient> client;
  private final RuleWindows windows;
  private final Thread connector;
  private final Thread windowsThread;
  private volatile boolean closed;

  private RlsServer(
      RlsConfig config,
      Server grpc,
      HttpEndpoints http,
      HealthStatusManager health,
      AtomicReference<DecisionClient> client,
      RuleWindows windows) {
    this.config = config;
    this.grpc = grpc;
    this.http = http;
    this.health = health;
    this.client = client;
    this.windows = windows;
    this.connector = new Thread(this::connect, "sluice-rls-connect");
    this.connector.setDaemon(true);
    this.windowsThread = new Thread(windows, "sluice-rls-rules");
    this.windowsThread.setDaemon(true);
  }

  /**
   * Starts the server: binds both ports, then connects to Sluice in the background.
   *
   * @param config the validated configuration; not null
   * @return the running server; close it to stop
   * @throws IOException when a port cannot be bound
   */
  public static RlsServer start(RlsConfig config) throws IOException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AtomicReference<DecisionClient> client = new AtomicReference<>();
    RuleWindows windows =
        new RuleWindows(
            rulesConsumer(config.client()), config.client().rulesTopic(), config.maxRules());
    registry.gauge("sluice.rls.rules.known", windows, RuleWindows::size);
    clientMeters(registry, client);
    RateLimitDecider decider =
        new RateLimitDecider(config, client::get, windows::windowSeconds, registry);
    HealthStatusManager health = new HealthStatusManager();
    health.setStatus("", ServingStatus.NOT_SERVING);
    health.setStatus(SERVICE, ServingStatus.NOT_SERVING);
    Server grpc =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(config.bindAddress(), config.grpcPort()))
            // Calls run on the netty event loop, no hand-off to an executor thread per message:
            // decide() never blocks (validation, encoding and a non-blocking producer send).
            .directExecutor()
            .addService(service(decider))
            .addService(health.getHealthService())
            .build()
            .start();
    HttpEndpoints http = null;
    try {
      if (config.httpPort() >= 0) {
        http =
            HttpEndpoints.start(
                config.bindAddress(),
                config.httpPort(),
                decider,
                registry,
                () -> client.get() != null,
                2 * config.maxInFlight() + 64);
      }
    } catch (IOException | RuntimeException e) {
      grpc.shutdownNow();
      throw e;
    }
    RlsServer server = new RlsServer(config, grpc, http, health, client, windows);
    server.windowsThread.start();
    server.connector.start();
    return server;
  }

  /** The decision client's own counters, read from its snapshot at each scrape. */
  private static void clientMeters(
      PrometheusMeterRegistry registry, AtomicReference<DecisionClient> client) {
    Map<String, ToLongFunction<ClientMetrics>> outcomes = new LinkedHashMap<>();
    outcomes.put("answered", ClientMetrics::answered);
    outcomes.put("timed_out", ClientMetrics::timedOut);
    outcomes.put("send_failed", ClientMetrics::sendFailures);
    outcomes.put("overloaded", ClientMetrics::overloaded);
    outcomes.put("no_reply_partition", ClientMetrics::noReplyPartition);
    // Client-side leases (sluice.client.lease.enabled): checks answered without a round trip.
    outcomes.put("lease", ClientMetrics::leaseHits);
    outcomes.forEach(
        (outcome, read) ->
            FunctionCounter.builder(
                    "sluice.rls.client.checks",
                    client,
                    c -> c.get() == null ? 0 : read.applyAsLong(c.get().metrics()))
                .description("The decision client's checks, by how they completed")
                .tag("outcome", outcome)
                .register(registry));
    FunctionCounter.builder(
            "sluice.rls.client.lease.requests",
            client,
            c -> c.get() == null ? 0 : c.get().metrics().leaseRequests())
        .description("Lease requests the decision client sent (client-side leases)")
        .register(registry);
    FunctionCounter.builder(
            "sluice.rls.client.lease.expired.permits",
            client,
            c -> c.get() == null ? 0 : c.get().metrics().expiredLeasePermits())
        .description("Leased permits that expired unused (charged by the service, never spent)")
        .register(registry);
    Gauge.builder(
            "sluice.rls.client.in.flight",
            client,
            c -> c.get() == null ? 0 : c.get().metrics().inFlight())
        .description("The decision client's checks pending now")
        .register(registry);
  }

  private static RateLimitServiceGrpc.RateLimitServiceImplBase service(RateLimitDecider decider) {
    return new RateLimitServiceGrpc.RateLimitServiceImplBase() {
      @Override
      public void shouldRateLimit(
          RateLimitRequest request, StreamObserver<RateLimitResponse> observer) {
        decider
            .decide(request)
            .whenComplete(
                (outcome, e) -> {
                  try {
                    if (outcome.error() != null) {
                      observer.onError(outcome.error().asRuntimeException());
                    } else {
                      observer.onNext(outcome.response());
                      observer.onCompleted();
                    }
                  } catch (StatusRuntimeException cancelled) {
                    // the caller gave up (its deadline passed): nobody to answer
                  }
                });
      }
    };
  }

  private static KafkaConsumer<byte[], byte[]> rulesConsumer(DecisionClientConfig client) {
    Map<String, Object> p = new HashMap<>(client.kafkaProperties());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, client.bootstrapServers());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-rls-rules");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private void connect() {
    int attempts = 0;
    while (!closed) {
      try {
        DecisionClient c = DecisionClient.create(config.client());
        if (closed) {
          c.close();
          return;
        }
        client.set(c);
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(SERVICE, ServingStatus.SERVING);
        LOG.info("connected to Sluice at {}", config.client().bootstrapServers());
        return;
      } catch (RuntimeException e) {
        // Once, then every minute: the server may well start before Kafka (bin/sluice local).
        if (attempts++ % 30 == 0) {
          LOG.warn("cannot reach Sluice yet, retrying every 2 s: {}", e.getMessage());
        }
        try {
          Thread.sleep(2000);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /** {@return the bound gRPC port} */
  public int grpcPort() {
    return grpc.getPort();
  }

  /** {@return the bound HTTP port, or -1 when the HTTP server is off} */
  public int httpPort() {
    return http == null ? -1 : http.port();
  }

  /** {@return true once the decision client is connected (health {@code SERVING})} */
  public boolean connected() {
    return client.get() != null;
  }

  /** {@return the configuration this server runs with} */
  public RlsConfig config() {
    return config;
  }

  /**
   * Stops accepting calls, waits up to five seconds for calls in flight, then closes the decision
   * client (answering what is left by policy) and the rules reader. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    health.enterTerminalState();
    grpc.shutdown();
    if (http != null) {
      http.close();
    }
    try {
      grpc.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    grpc.shutdownNow();
    connector.interrupt();
    DecisionClient c = client.getAndSet(null);
    if (c != null) {
      c.close();
    }
    windows.close();
  }
}
