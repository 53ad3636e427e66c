package dev.sluice.rls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RlsConfigTest {
  @Test
  void shouldDefaultEverySetting() {
    RlsConfig c = RlsConfig.fromProperties(Map.of());
    assertEquals(8081, c.grpcPort());
    assertEquals("0.0.0.0", c.bindAddress());
    assertEquals(8082, c.httpPort());
    assertEquals(FailureMode.UNAVAILABLE, c.failureMode());
    assertEquals(KeyMode.ENTRIES, c.keyMode());
    assertTrue(c.metadataFromEntries());
    assertFalse(c.responseHeaders());
    assertEquals(32, c.maxDescriptors());
    assertEquals(16, c.maxEntries());
    assertEquals(1000, c.maxInFlight());
    assertEquals(100_000, c.maxRules());
    assertEquals("localhost:9092", c.client().bootstrapServers());
    assertEquals("sluice-rls", c.client().replyGroupId());
  }

  @Test
  void shouldPassOtherKeysToTheDecisionClient() {
    RlsConfig c =
        RlsConfig.fromProperties(
            Map.of(
                "bootstrap.servers", "k1:9093",
                "sluice.client.timeout.ms", "120",
                "security.protocol", "SASL_SSL",
                "sluice.rls.failure.mode", "deny"));
    assertEquals("k1:9093", c.client().bootstrapServers());
    assertEquals(120, c.client().timeout().toMillis());
    assertEquals("SASL_SSL", c.client().kafkaProperties().get("security.protocol"));
    assertEquals(FailureMode.DENY, c.failureMode());
  }

  @Test
  void shouldNameEveryBadSettingWithValueAndConstraint() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                RlsConfig.fromProperties(
                    Map.of(
                        "sluice.rls.grpc.port", "70000",
                        "sluice.rls.failure.mode", "maybe",
                        "sluice.rls.max.descriptorz", "3",
                        "sluice.rls.response.headers", "yes",
                        "sluice.client.timeout.ms", "-5")));
    String m = e.getMessage();
    assertTrue(m.contains("sluice.rls.grpc.port: must be between 0 and 65535 (got 70000)"), m);
    assertTrue(
        m.contains(
            "sluice.rls.failure.mode: must be one of [ALLOW, DENY, UNAVAILABLE] (got 'maybe')"),
        m);
    assertTrue(m.contains("sluice.rls.max.descriptorz: unknown setting"), m);
    assertTrue(m.contains("sluice.rls.response.headers: must be true or false (got 'yes')"), m);
    assertTrue(m.contains("timeout"), m);
  }

  @Test
  void shouldRefuseKeysModeWithoutEntryMetadata() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                RlsConfig.fromProperties(
                    Map.of("sluice.rls.key.mode", "KEYS", "sluice.rls.metadata.entries", "false")));
    assertTrue(e.getMessage().contains("sluice.rls.metadata.entries"), e.getMessage());
  }

  @Test
  void shouldTakeFlagsOverTheFile() throws Exception {
    java.nio.file.Path f = java.nio.file.Files.createTempFile("rls", ".properties");
    java.nio.file.Files.writeString(f, "sluice.rls.grpc.port=9000\nsluice.rls.http.port=-1\n");
    RlsConfig c = RlsMain.parse(new String[] {"--config", f.toString(), "--port", "9001"});
    assertEquals(9001, c.grpcPort());
    assertEquals(-1, c.httpPort());
    assertThrows(IllegalArgumentException.class, () -> RlsMain.parse(new String[] {"--prot", "1"}));
  }
}
