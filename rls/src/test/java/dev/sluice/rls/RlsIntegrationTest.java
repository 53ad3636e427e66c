package dev.sluice.rls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.UInt64Value;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.DescriptorStatus;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.RateLimit.Unit;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The RLS server against a real broker and the real Sluice service, called with the generated Envoy
 * stub ({@code RateLimitServiceGrpc}, from the same artifact Envoy's Java control plane uses), the
 * standard gRPC health stub and plain HTTP for {@code /json}. The last test stops Sluice and checks
 * the three failure modes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RlsIntegrationTest {
  private static SluiceForTests sluice;
  private static RlsServer unavailable;
  private static RlsServer allow;
  private static RlsServer deny;
  private static ManagedChannel channel;
  private static RateLimitServiceGrpc.RateLimitServiceBlockingStub stub;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    sluice = SluiceForTests.start();
    sluice.publishRules(rules());
    unavailable =
        RlsServer.start(
            sluice.rlsConfig(
                Map.of(
                    "sluice.rls.response.headers", "true",
                    "sluice.client.reply.partitions", "0",
                    "sluice.client.timeout.ms", "3000")));
    allow = RlsServer.start(failureModeConfig("ALLOW", "1"));
    deny =
        RlsServer.start(
            sluice.rlsConfig(
                Map.of(
                    "sluice.rls.failure.mode", "DENY",
                    "sluice.client.reply.partitions", "2",
                    "sluice.client.timeout.ms", "1500",
                    "sluice.rls.max.in.flight", "1")));
    channel = channel(unavailable);
    stub = RateLimitServiceGrpc.newBlockingStub(channel);
    waitConnected(unavailable);
    waitConnected(allow);
    waitConnected(deny);
    // The rules reach the service and the server's rule windows a little after publication.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      DescriptorStatus s = call(request("demo", d("user", "warm-up"))).getStatuses(0);
      if (s.hasCurrentLimit() && s.getCurrentLimit().getUnit() == Unit.MINUTE) {
        break;
      }
      assertTrue(System.nanoTime() < deadline, "the rules never applied: " + s);
      Thread.sleep(200);
    }
  }

  static Map<String, String> rules() {
    Map<String, String> r = new LinkedHashMap<>();
    r.put(
        "per-user",
        "{\"id\":\"per-user\",\"key\":\"demo/user=*\",\"limit\":3,\"windowSeconds\":60}");
    r.put(
        "per-route",
        "{\"id\":\"per-route\",\"key\":\"demo/route=*\",\"limit\":100,\"windowSeconds\":10}");
    r.put("jobs", "{\"id\":\"jobs\",\"key\":\"demo/job=*\",\"limit\":10,\"windowSeconds\":3600}");
    return r;
  }

  private static RlsConfig failureModeConfig(String mode, String replyPartition) {
    return sluice.rlsConfig(
        Map.of(
            "sluice.rls.failure.mode", mode,
            "sluice.client.reply.partitions", replyPartition,
            "sluice.client.timeout.ms", "500"));
  }

  static ManagedChannel channel(RlsServer server) {
    return ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
  }

  static void waitConnected(RlsServer server) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!server.connected()) {
      assertTrue(System.nanoTime() < deadline, "the RLS server never connected to Sluice");
      Thread.sleep(50);
    }
  }

  @AfterAll
  static void stop() {
    if (channel != null) {
      channel.shutdownNow();
    }
    for (RlsServer s : new RlsServer[] {unavailable, allow, deny}) {
      if (s != null) {
        s.close();
      }
    }
    if (sluice != null) {
      sluice.close();
    }
  }

  static RateLimitDescriptor d(String... keyValues) {
    RateLimitDescriptor.Builder b = RateLimitDescriptor.newBuilder();
    for (int i = 0; i < keyValues.length; i += 2) {
      b.addEntries(
          RateLimitDescriptor.Entry.newBuilder().setKey(keyValues[i]).setValue(keyValues[i + 1]));
    }
    return b.build();
  }

  static RateLimitRequest request(String domain, RateLimitDescriptor... descriptors) {
    return RateLimitRequest.newBuilder()
        .setDomain(domain)
        .addAllDescriptors(List.of(descriptors))
        .build();
  }

  static RateLimitResponse call(RateLimitRequest request) {
    return stub.withDeadlineAfter(10, TimeUnit.SECONDS).shouldRateLimit(request);
  }

  static Map<String, String> headers(RateLimitResponse r) {
    return r.getResponseHeadersToAddList().stream()
        .collect(Collectors.toMap(HeaderValue::getKey, HeaderValue::getValue));
  }

  @Test
  @Order(1)
  void shouldAllowWithinTheLimitAndDescribeIt() {
    RateLimitResponse r = call(request("demo", d("user", "alice")));
    assertEquals(Code.OK, r.getOverallCode());
    DescriptorStatus s = r.getStatuses(0);
    assertEquals(Code.OK, s.getCode());
    assertEquals("per-user", s.getCurrentLimit().getName());
    assertEquals(3, s.getCurrentLimit().getRequestsPerUnit());
    assertEquals(Unit.MINUTE, s.getCurrentLimit().getUnit());
    assertEquals(2, s.getLimitRemaining());
    long resetMs =
        s.getDurationUntilReset().getSeconds() * 1000
            + s.getDurationUntilReset().getNanos() / 1_000_000;
    assertTrue(resetMs > 0 && resetMs <= 60_000, "duration_until_reset " + resetMs + " ms");
    Map<String, String> h = headers(r);
    assertEquals("\"per-user\";q=3;w=60", h.get("RateLimit-Policy"));
    assertTrue(h.get("RateLimit").startsWith("\"per-user\";r=2;t="), h.toString());
  }

  @Test
  @Order(2)
  void shouldAnswerOverLimitOnceTheLimitIsSpent() {
    for (int i = 0; i < 3; i++) {
      assertEquals(Code.OK, call(request("demo", d("user", "bob"))).getOverallCode());
    }
    RateLimitResponse r = call(request("demo", d("user", "bob")));
    assertEquals(Code.OVER_LIMIT, r.getOverallCode());
    assertEquals(Code.OVER_LIMIT, r.getStatuses(0).getCode());
    assertEquals(0, r.getStatuses(0).getLimitRemaining());
    assertTrue(headers(r).containsKey("Retry-After"), headers(r).toString());
  }

  @Test
  @Order(3)
  void shouldDecideEachDescriptorOnItsOwn() {
    RateLimitResponse r = call(request("demo", d("user", "carol"), d("route", "/orders")));
    assertEquals(2, r.getStatusesCount());
    assertEquals(Code.OK, r.getOverallCode());
    assertEquals("per-user", r.getStatuses(0).getCurrentLimit().getName());
    assertEquals("per-route", r.getStatuses(1).getCurrentLimit().getName());
    // A 10-second window is no whole unit: UNKNOWN, with the limit per window.
    assertEquals(Unit.UNKNOWN, r.getStatuses(1).getCurrentLimit().getUnit());
    assertEquals(100, r.getStatuses(1).getCurrentLimit().getRequestsPerUnit());
    assertEquals(99, r.getStatuses(1).getLimitRemaining());
    // bob is over his limit: the call is OVER_LIMIT, and the route was charged all the same.
    RateLimitResponse mixed = call(request("demo", d("user", "bob"), d("route", "/orders")));
    assertEquals(Code.OVER_LIMIT, mixed.getOverallCode());
    assertEquals(Code.OVER_LIMIT, mixed.getStatuses(0).getCode());
    assertEquals(Code.OK, mixed.getStatuses(1).getCode());
    assertEquals(98, mixed.getStatuses(1).getLimitRemaining());
  }

  @Test
  @Order(4)
  void shouldSpendHitsAddendPermits() {
    RateLimitDescriptor four =
        d("job", "export").toBuilder().setHitsAddend(UInt64Value.of(4)).build();
    RateLimitResponse r = call(request("demo", four));
    assertEquals(6, r.getStatuses(0).getLimitRemaining());
    assertEquals(Unit.HOUR, r.getStatuses(0).getCurrentLimit().getUnit());
    // The request's hits_addend applies to descriptors without their own.
    RateLimitResponse r2 =
        call(request("demo", d("job", "export")).toBuilder().setHitsAddend(5).build());
    assertEquals(1, r2.getStatuses(0).getLimitRemaining());
    RateLimitResponse r3 =
        call(request("demo", d("job", "export")).toBuilder().setHitsAddend(2).build());
    assertEquals(Code.OVER_LIMIT, r3.getOverallCode());
  }

  @Test
  @Order(5)
  void shouldCheckWithoutChargingWhenTheDescriptorHitsAddendIsZero() {
    RateLimitDescriptor zero =
        d("job", "export").toBuilder().setHitsAddend(UInt64Value.of(0)).build();
    // After order 4 the export limit (10 an hour) has 1 left: a check sees it and charges nothing.
    RateLimitResponse check = call(request("demo", zero));
    assertEquals(Code.OK, check.getOverallCode());
    assertEquals(1, check.getStatuses(0).getLimitRemaining());
    RateLimitResponse again = call(request("demo", zero));
    assertEquals(1, again.getStatuses(0).getLimitRemaining());
  }

  @Test
  @Order(6)
  void shouldAllowAnUnknownDomainWithoutALimit() {
    RateLimitResponse r = call(request("elsewhere", d("user", "alice")));
    assertEquals(Code.OK, r.getOverallCode());
    assertEquals(Code.OK, r.getStatuses(0).getCode());
    assertFalse(r.getStatuses(0).hasCurrentLimit());
    assertFalse(r.getStatuses(0).hasDurationUntilReset());
    assertTrue(r.getResponseHeadersToAddList().isEmpty());
  }

  @Test
  @Order(7)
  void shouldRefuseMalformedDescriptorsWithInvalidArgument() {
    Map<RateLimitRequest, String> bad = new LinkedHashMap<>();
    bad.put(request("demo", RateLimitDescriptor.getDefaultInstance()), "descriptors[0].entries");
    bad.put(request("demo", d("user", "x"), d("", "y")), "descriptors[1].entries[0].key");
    bad.put(request("demo"), "descriptors");
    bad.put(request("", d("user", "x")), "domain");
    bad.put(request("demo", d("user", "x".repeat(600))), "512");
    for (Map.Entry<RateLimitRequest, String> e : bad.entrySet()) {
      StatusRuntimeException ex =
          assertThrows(StatusRuntimeException.class, () -> call(e.getKey()));
      assertEquals(Status.Code.INVALID_ARGUMENT, ex.getStatus().getCode(), e.getValue());
      assertTrue(
          ex.getStatus().getDescription().contains(e.getValue()),
          ex.getStatus().getDescription() + " should name " + e.getValue());
    }
    assertEquals(Code.OK, call(request("demo", d("user", "dave"))).getOverallCode());
  }

  @Test
  @Order(8)
  void shouldReportServingOnTheStandardHealthService() {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
    for (String service : new String[] {"", RateLimitServiceGrpc.SERVICE_NAME}) {
      assertEquals(
          HealthCheckResponse.ServingStatus.SERVING,
          health
              .withDeadlineAfter(5, TimeUnit.SECONDS)
              .check(HealthCheckRequest.newBuilder().setService(service).build())
              .getStatus());
    }
  }

  @Test
  @Order(9)
  void shouldAnswerJsonChecksAndServeMetrics() throws Exception {
    String body =
        "{\"domain\":\"demo\",\"descriptors\":[{\"entries\":[{\"key\":\"user\",\"value\":\"erin\"}]}],"
            + "\"hits_addend\":3}";
    HttpResponse<String> ok = post(unavailable, body);
    assertEquals(200, ok.statusCode(), ok.body());
    assertTrue(ok.body().contains("\"overallCode\": \"OK\""), ok.body());
    assertTrue(ok.body().contains("\"name\": \"per-user\""), ok.body());
    assertTrue(ok.body().contains("\"unit\": \"MINUTE\""), ok.body());
    HttpResponse<String> over = post(unavailable, body);
    assertEquals(429, over.statusCode(), over.body());
    assertTrue(over.body().contains("\"overallCode\": \"OVER_LIMIT\""), over.body());
    HttpResponse<String> bad = post(unavailable, "{\"domain\": 7");
    assertEquals(400, bad.statusCode(), bad.body());
    HttpResponse<String> malformed = post(unavailable, "{\"domain\":\"demo\"}");
    assertEquals(400, malformed.statusCode(), malformed.body());
    assertTrue(malformed.body().contains("descriptors"), malformed.body());
    HttpResponse<String> metrics = get(unavailable, "/metrics");
    assertEquals(200, metrics.statusCode());
    assertTrue(
        metrics.body().contains("sluice_rls_calls_total{result=\"over_limit\"}"), metrics.body());
    assertTrue(
        metrics.body().contains("sluice_rls_client_checks_total{outcome=\"answered\"}"),
        metrics.body());
    assertEquals(200, get(unavailable, "/health/ready").statusCode());
  }

  @Test
  @Order(100)
  void shouldApplyTheFailureModeWhenSluiceIsStopped() throws Exception {
    sluice.stopService();
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> call(request("demo", d("user", "frank"))));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("TIMEOUT"), e.toString());
    assertEquals(Code.OK, callOn(allow, request("demo", d("user", "frank"))).getOverallCode());
    // The DENY server takes one call at a time: while one waits for its deadline, another is
    // refused at once rather than queued.
    ManagedChannel c = channel(deny);
    try {
      com.google.common.util.concurrent.ListenableFuture<RateLimitResponse> waiting =
          RateLimitServiceGrpc.newFutureStub(c)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .shouldRateLimit(request("demo", d("user", "frank")));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      while (!get(deny, "/metrics").body().contains("sluice_rls_calls_in_flight 1.0")) {
        assertTrue(System.nanoTime() < deadline, "the first call never reached the server");
        Thread.sleep(5);
      }
      StatusRuntimeException busy =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  RateLimitServiceGrpc.newBlockingStub(c)
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .shouldRateLimit(request("demo", d("user", "gina"))));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, busy.getStatus().getCode());
      assertTrue(busy.getStatus().getDescription().contains("sluice.rls.max.in.flight"));
      RateLimitResponse denied = waiting.get(10, TimeUnit.SECONDS);
      assertEquals(Code.OVER_LIMIT, denied.getOverallCode());
      assertFalse(denied.getStatuses(0).hasCurrentLimit());
    } finally {
      c.shutdownNow();
    }
  }

  private static RateLimitResponse callOn(RlsServer server, RateLimitRequest request) {
    ManagedChannel c = channel(server);
    try {
      return RateLimitServiceGrpc.newBlockingStub(c)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .shouldRateLimit(request);
    } finally {
      c.shutdownNow();
    }
  }

  static HttpResponse<String> post(RlsServer server, String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/json"))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(RlsServer server, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
