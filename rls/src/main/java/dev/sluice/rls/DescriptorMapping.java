package dev.sluice.rls;

import dev.sluice.client.CheckRequest;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * From an Envoy {@code RateLimitRequest} to one Sluice check per descriptor (docs/RLS.md,
 * "Mapping"). Pure: no I/O, no state.
 *
 * <p>The key is the domain and the descriptor's entries, each part percent-encoded where it holds
 * {@code %}, {@code /} or {@code =}, joined by {@code /} ({@link KeyMode#ENTRIES}: {@code
 * domain/k1=v1/k2=v2}; {@link KeyMode#KEYS}: {@code domain/k1/k2}). The encoding makes the key
 * unambiguous: two different (domain, entries) never give the same key. Each entry is also a
 * metadata entry {@code k -> v} unless turned off (a later entry with the same key wins).
 *
 * <p>The cost is the descriptor's {@code hits_addend} when set, else the request's {@code
 * hits_addend} when above 0, else 1 ({@link #cost}).
 */
public final class DescriptorMapping {
  /** Most characters of a Sluice request key (SPEC 2). */
  static final int MAX_KEY_LENGTH = 512;

  /** Largest cost of a Sluice request (SPEC 2). */
  static final long MAX_COST = 1_000_000_000L;

  private final RlsConfig config;

  /**
   * A mapping with the configured key mode, metadata switch and bounds.
   *
   * @param config the server's config; not null
   */
  public DescriptorMapping(RlsConfig config) {
    this.config = config;
  }

  /**
   * Maps every descriptor of {@code request}, in order.
   *
   * @param request the call; not null
   * @return one check per descriptor, with generated ids
   * @throws IllegalArgumentException for a malformed call, naming the field (e.g. {@code
   *     descriptors[1].entries[0].key}), the value and the constraint
   */
  public List<CheckRequest> checks(RateLimitRequest request) {
    if (request.getDomain().isEmpty()) {
      throw new IllegalArgumentException("domain: must not be empty");
    }
    int n = request.getDescriptorsCount();
    if (n == 0) {
      throw new IllegalArgumentException("descriptors: at least one descriptor is required");
    }
    if (n > config.maxDescriptors()) {
      throw new IllegalArgumentException(
          "descriptors: at most "
              + config.maxDescriptors()
              + " per call (sluice.rls.max.descriptors), got "
              + n);
    }
    List<CheckRequest> checks = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      checks.add(check(request, i));
    }
    return checks;
  }

  private CheckRequest check(RateLimitRequest request, int index) {
    RateLimitDescriptor d = request.getDescriptors(index);
    String field = "descriptors[" + index + "]";
    int entries = d.getEntriesCount();
    if (entries == 0) {
      throw new IllegalArgumentException(field + ".entries: at least one entry is required");
    }
    if (entries > config.maxEntries()) {
      throw new IllegalArgumentException(
          field
              + ".entries: at most "
              + config.maxEntries()
              + " per descriptor (sluice.rls.max.entries), got "
              + entries);
    }
    StringBuilder key = new StringBuilder(64);
    encode(request.getDomain(), key);
    Map<String, String> metadata = config.metadataFromEntries() ? new LinkedHashMap<>() : Map.of();
    for (int j = 0; j < entries; j++) {
      RateLimitDescriptor.Entry e = d.getEntries(j);
      if (e.getKey().isEmpty()) {
        throw new IllegalArgumentException(
            field + ".entries[" + j + "].key: must not be empty (value '" + e.getValue() + "')");
      }
      key.append('/');
      encode(e.getKey(), key);
      if (config.keyMode() == KeyMode.ENTRIES) {
        key.append('=');
        encode(e.getValue(), key);
      }
      if (config.metadataFromEntries()) {
        metadata.put(e.getKey(), e.getValue());
      }
    }
    if (key.length() > MAX_KEY_LENGTH) {
      throw new IllegalArgumentException(
          field
              + ": its Sluice key (domain and entries) is "
              + key.length()
              + " characters, at most "
              + MAX_KEY_LENGTH
              + " are allowed (key starts '"
              + key.substring(0, 40)
              + "...')");
    }
    long cost =
        cost(
            d.hasHitsAddend() ? d.getHitsAddend().getValue() : null,
            request.getHitsAddend(),
            field);
    try {
      return CheckRequest.of(key.toString(), metadata, cost);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
    }
  }

  /**
   * The cost of one descriptor: its own {@code hits_addend} when set (a uint64, read as a signed
   * long: above 2^63 it is negative here and refused), else the request's (a uint32, where 0 means
   * unset, as in Envoy), else 1.
   *
   * @param descriptorAddend the descriptor's {@code hits_addend}, or null when unset
   * @param requestAddend the request's {@code hits_addend} (0 when unset)
   * @param field the descriptor's field name, for the error
   * @return the cost, 0 to 1,000,000,000; 0 (an explicit descriptor {@code hits_addend} of 0) is a
   *     check that charges nothing (SPEC 2 cost 0)
   * @throws IllegalArgumentException when the cost is out of range
   */
  static long cost(Long descriptorAddend, int requestAddend, String field) {
    long cost;
    String name;
    if (descriptorAddend != null) {
      cost = descriptorAddend;
      name = field + ".hits_addend";
    } else {
      cost = requestAddend == 0 ? 1 : Integer.toUnsignedLong(requestAddend);
      name = "hits_addend";
    }
    if (cost < 0 || cost > MAX_COST) {
      throw new IllegalArgumentException(
          name
              + ": must be between 0 and "
              + MAX_COST
              + " (got "
              + (cost < 0 ? Long.toUnsignedString(cost) : Long.toString(cost))
              + ")");
    }
    return cost;
  }

  /** Appends {@code s}, with {@code %}, {@code /} and {@code =} percent-encoded. */
  static void encode(String s, StringBuilder out) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '%' -> out.append("%25");
        case '/' -> out.append("%2F");
        case '=' -> out.append("%3D");
        default -> out.append(c);
      }
    }
  }
}
