package dev.sluice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Where the instance's HTTP server listens, and /counters turned off (issue 17 item 6). */
class InstanceHttpServerTest {
  private static final SluiceInstance.Readiness READY =
      new SluiceInstance.Readiness(true, true, "RUNNING", true, 0, java.util.List.of());

  private static InstanceHttpServer start(String bindAddress) {
    return InstanceHttpServer.start(
        bindAddress, 0, () -> READY, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), null);
  }

  private static HttpResponse<String> get(InstanceHttpServer server, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldListenOnlyOnTheConfiguredAddress() throws Exception {
    try (InstanceHttpServer server = start("127.0.0.1")) {
      assertEquals(InetAddress.getByName("127.0.0.1"), server.address().getAddress());
      assertEquals(200, get(server, "/health/ready").statusCode());
    }
    try (InstanceHttpServer server = start("0.0.0.0")) {
      assertTrue(server.address().getAddress().isAnyLocalAddress(), "the documented default");
    }
  }

  @Test
  void shouldAnswerCountersWith404SayingWhyWhenTurnedOff() throws Exception {
    try (InstanceHttpServer server = start("127.0.0.1")) {
      HttpResponse<String> r = get(server, "/counters?key=user:1");
      assertEquals(404, r.statusCode());
      assertTrue(r.body().contains("sluice.http.counters.enabled=false"), r.body());
      assertEquals(200, get(server, "/metrics").statusCode(), "the rest still answers");
    }
  }

  @Test
  void shouldRefuseAnAddressThatDoesNotResolveNamingTheSetting() {
    CliException e = assertThrows(CliException.class, () -> start("no-such-host.invalid"));
    assertTrue(e.getMessage().startsWith("sluice.http.bind.address: "), e.getMessage());
  }
}
