package dev.sluice.rls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.UInt64Value;
import dev.sluice.client.CheckRequest;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DescriptorMappingTest {
  private static final RlsConfig DEFAULTS = RlsConfig.fromProperties(Map.of());

  private static RateLimitDescriptor d(String... kv) {
    RateLimitDescriptor.Builder b = RateLimitDescriptor.newBuilder();
    for (int i = 0; i < kv.length; i += 2) {
      b.addEntries(RateLimitDescriptor.Entry.newBuilder().setKey(kv[i]).setValue(kv[i + 1]));
    }
    return b.build();
  }

  private static RateLimitRequest req(String domain, RateLimitDescriptor... ds) {
    return RateLimitRequest.newBuilder().setDomain(domain).addAllDescriptors(List.of(ds)).build();
  }

  private static CheckRequest one(RlsConfig config, RateLimitRequest r) {
    return new DescriptorMapping(config).checks(r).get(0);
  }

  @Test
  void shouldJoinDomainAndEntriesIntoTheKeyAndPassEntriesAsMetadata() {
    CheckRequest c = one(DEFAULTS, req("edge", d("remote_address", "10.0.0.1", "path", "/a")));
    assertEquals("edge/remote_address=10.0.0.1/path=%2Fa", c.key());
    assertEquals(Map.of("remote_address", "10.0.0.1", "path", "/a"), c.metadata());
    assertEquals(1, c.cost());
  }

  @Test
  void shouldGiveDifferentKeysToDifferentDescriptorsThatWouldJoinAlike() {
    String a = one(DEFAULTS, req("d", d("a", "b/c=d"))).key();
    String b = one(DEFAULTS, req("d", d("a", "b", "c", "d"))).key();
    String c = one(DEFAULTS, req("d/a=b", d("c", "d"))).key();
    String e = one(DEFAULTS, req("d", d("a", "b%2Fc=d"))).key();
    assertEquals(4, java.util.Set.of(a, b, c, e).size(), List.of(a, b, c, e).toString());
    assertNotEquals(a, e);
  }

  @Test
  void shouldLeaveValuesOutOfTheKeyInKeysMode() {
    RlsConfig keys = RlsConfig.fromProperties(Map.of("sluice.rls.key.mode", "KEYS"));
    CheckRequest c = one(keys, req("edge", d("remote_address", "10.0.0.1")));
    assertEquals("edge/remote_address", c.key());
    assertEquals(Map.of("remote_address", "10.0.0.1"), c.metadata());
  }

  @Test
  void shouldTakeTheDescriptorsHitsAddendThenTheRequestsThenOne() {
    RateLimitDescriptor own = d("k", "v").toBuilder().setHitsAddend(UInt64Value.of(7)).build();
    RateLimitRequest r = req("x", own, d("k", "w")).toBuilder().setHitsAddend(3).build();
    List<CheckRequest> checks = new DescriptorMapping(DEFAULTS).checks(r);
    assertEquals(7, checks.get(0).cost());
    assertEquals(3, checks.get(1).cost());
    assertEquals(1, one(DEFAULTS, req("x", d("k", "v"))).cost());
  }

  @Test
  void shouldRefuseOutOfRangeAddendsNamingTheField() {
    RateLimitDescriptor big =
        d("k", "v").toBuilder().setHitsAddend(UInt64Value.of(1_000_000_001L)).build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> one(DEFAULTS, req("x", big)));
    assertTrue(
        e.getMessage().startsWith("descriptors[0].hits_addend: must be between 0 and"),
        e.getMessage());
    RateLimitDescriptor huge = d("k", "v").toBuilder().setHitsAddend(UInt64Value.of(-1)).build();
    e = assertThrows(IllegalArgumentException.class, () -> one(DEFAULTS, req("x", huge)));
    assertTrue(e.getMessage().contains("18446744073709551615"), e.getMessage());
  }

  @Test
  void shouldMapAnExplicitZeroAddendToACheckOnlyRequest() {
    RateLimitDescriptor zero = d("k", "v").toBuilder().setHitsAddend(UInt64Value.of(0)).build();
    assertEquals(0, one(DEFAULTS, req("x", zero)).cost());
    // The request's hits_addend of 0 means "not set" in Envoy: one permit.
    assertEquals(1, one(DEFAULTS, req("x", d("k", "v"))).cost());
  }

  @Test
  void shouldRefuseMalformedCallsNamingTheField() {
    DescriptorMapping m =
        new DescriptorMapping(
            RlsConfig.fromProperties(
                Map.of("sluice.rls.max.descriptors", "2", "sluice.rls.max.entries", "2")));
    Map<RateLimitRequest, String> bad =
        Map.of(
            req("", d("k", "v")), "domain: must not be empty",
            req("x"), "descriptors: at least one descriptor is required",
            req("x", d("k", "v"), d("k", "v"), d("k", "v")), "descriptors: at most 2",
            req("x", d("k", "v"), RateLimitDescriptor.getDefaultInstance()),
                "descriptors[1].entries: at least one entry",
            req("x", d("a", "1", "b", "2", "c", "3")), "descriptors[0].entries: at most 2",
            req("x", d("k", "v", "", "w")), "descriptors[0].entries[1].key: must not be empty",
            req("x", d("k", "v".repeat(520))), "descriptors[0]: its Sluice key");
    bad.forEach(
        (r, message) -> {
          IllegalArgumentException e =
              assertThrows(IllegalArgumentException.class, () -> m.checks(r));
          assertTrue(e.getMessage().startsWith(message), e.getMessage() + " / " + message);
        });
  }
}
