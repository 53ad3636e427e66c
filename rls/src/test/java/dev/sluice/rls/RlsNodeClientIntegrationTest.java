package dev.sluice.rls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The RLS server called by a client no one here wrote: Node.js with {@code @grpc/grpc-js} and
 * {@code @grpc/proto-loader} from npm, loading Envoy's {@code rls.proto} at run time from the
 * {@code .proto} files inside the {@code io.envoyproxy.controlplane:api} jar ({@code
 * rls/src/test/node/rls-client.js}). Real broker, real Sluice service.
 */
class RlsNodeClientIntegrationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SCRIPT =
      NodeScript.repoRoot().resolve("rls/src/test/node/rls-client.js");

  private static SluiceForTests sluice;
  private static RlsServer server;
  private static Path protos;

  @BeforeAll
  static void start() throws Exception {
    NodeScript.requireInstalled(SCRIPT.getParent());
    protos = NodeScript.extractProtos(RateLimitServiceGrpc.class);
    sluice = SluiceForTests.start();
    sluice.publishRules(RlsIntegrationTest.rules());
    server =
        RlsServer.start(
            sluice.rlsConfig(
                Map.of("sluice.client.reply.partitions", "0", "sluice.client.timeout.ms", "3000")));
    RlsIntegrationTest.waitConnected(server);
    // Wait until the rules apply (the first "user" call shows a MINUTE limit).
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      JsonNode r = run(call("demo", "user", "warm-up", null, 0)).get(0);
      if (r.path("response")
          .path("statuses")
          .path(0)
          .path("current_limit")
          .path("unit")
          .asText()
          .equals("MINUTE")) {
        break;
      }
      assertTrue(System.nanoTime() < deadline, "the rules never applied: " + r);
      Thread.sleep(200);
    }
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (sluice != null) {
      sluice.close();
    }
  }

  /** One call: domain with one descriptor {key=value}, optional descriptor and request addends. */
  private static String call(
      String domain, String key, String value, Long descriptorAddend, int requestAddend) {
    String hits =
        descriptorAddend == null ? "" : ",\"hits_addend\":{\"value\":\"" + descriptorAddend + "\"}";
    return "{\"domain\":\""
        + domain
        + "\",\"hits_addend\":"
        + requestAddend
        + ",\"descriptors\":[{\"entries\":[{\"key\":\""
        + key
        + "\",\"value\":\""
        + value
        + "\"}]"
        + hits
        + "}]}";
  }

  private static List<JsonNode> run(String... calls) throws Exception {
    List<String> lines =
        NodeScript.run(
            SCRIPT,
            "[" + String.join(",", calls) + "]",
            60,
            "127.0.0.1:" + server.grpcPort(),
            protos.toString());
    List<JsonNode> out = new ArrayList<>();
    for (String line : lines) {
      out.add(JSON.readTree(line));
    }
    assertEquals(calls.length, out.size(), "one line per call: " + lines);
    return out;
  }

  private static JsonNode status(JsonNode result, int i) {
    assertTrue(result.path("ok").asBoolean(), "the call failed: " + result);
    return result.path("response").path("statuses").path(i);
  }

  @Test
  void shouldAnswerANodeJsGrpcClient() throws Exception {
    List<JsonNode> r =
        run(
            call("demo", "user", "nina", null, 0),
            call("demo", "user", "nina", null, 0),
            call("demo", "user", "nina", null, 0),
            call("demo", "user", "nina", null, 0),
            "{\"domain\":\"demo\",\"descriptors\":[{\"entries\":[{\"key\":\"user\",\"value\":\"omar\"}]},"
                + "{\"entries\":[{\"key\":\"route\",\"value\":\"/cart\"}]}]}",
            call("demo", "job", "node", 4L, 0),
            call("demo", "job", "node", null, 3),
            call("demo", "job", "node", 0L, 0),
            call("elsewhere", "user", "nina", null, 0),
            "{\"domain\":\"demo\",\"descriptors\":[{\"entries\":[]}]}",
            call("demo", "user", "quinn", null, 0));

    // allow, with the limit described
    assertEquals("OK", r.get(0).path("response").path("overall_code").asText());
    JsonNode first = status(r.get(0), 0);
    assertEquals("per-user", first.path("current_limit").path("name").asText());
    assertEquals(3, first.path("current_limit").path("requests_per_unit").asInt());
    assertEquals("MINUTE", first.path("current_limit").path("unit").asText());
    assertEquals(2, first.path("limit_remaining").asInt());
    long reset = first.path("duration_until_reset").path("seconds").asLong();
    assertTrue(reset >= 0 && reset <= 60, first.toString());
    // over the limit on the fourth call
    assertEquals("OK", r.get(2).path("response").path("overall_code").asText());
    assertEquals("OVER_LIMIT", r.get(3).path("response").path("overall_code").asText());
    assertEquals("OVER_LIMIT", status(r.get(3), 0).path("code").asText());
    // several descriptors, one status each, in order
    assertEquals("per-user", status(r.get(4), 0).path("current_limit").path("name").asText());
    assertEquals("per-route", status(r.get(4), 1).path("current_limit").path("name").asText());
    assertEquals("UNKNOWN", status(r.get(4), 1).path("current_limit").path("unit").asText());
    // hits_addend > 1: the descriptor's, then the request's
    assertEquals(6, status(r.get(5), 0).path("limit_remaining").asInt());
    assertEquals(3, status(r.get(6), 0).path("limit_remaining").asInt());
    // hits_addend 0: a check that charges nothing, so it sees what the previous call left
    assertEquals(
        "OK", r.get(7).path("response").path("overall_code").asText(), r.get(7).toString());
    assertEquals(3, status(r.get(7), 0).path("limit_remaining").asInt(), r.get(7).toString());
    // unknown domain: no rule, allowed, no limit
    assertEquals("OK", r.get(8).path("response").path("overall_code").asText());
    assertTrue(status(r.get(8), 0).path("current_limit").isNull(), r.get(8).toString());
    // malformed descriptor: a clear status, and the server goes on
    assertEquals("INVALID_ARGUMENT", r.get(9).path("codeName").asText(), r.get(9).toString());
    assertTrue(
        r.get(9).path("details").asText().contains("descriptors[0].entries"), r.get(9).toString());
    assertEquals("OK", r.get(10).path("response").path("overall_code").asText());

    // Sluice stopped: UNAVAILABLE (the default failure mode), so Envoy's failure_mode_deny decides.
    sluice.stopService();
    JsonNode down = run(call("demo", "user", "nina", null, 0)).get(0);
    assertEquals("UNAVAILABLE", down.path("codeName").asText(), down.toString());
  }
}
