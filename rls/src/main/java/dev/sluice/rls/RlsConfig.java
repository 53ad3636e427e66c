package dev.sluice.rls;

import dev.sluice.client.DecisionClientConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The rate-limit server's settings, validated once. One properties file serves the server and its
 * decision client: {@code sluice.rls.*} keys are the server's (table below), every other key goes
 * to {@link DecisionClientConfig#fromProperties} ({@code bootstrap.servers}, {@code
 * sluice.client.*}, {@code sluice.topic.*}, Kafka client settings such as {@code
 * security.protocol}).
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code sluice.rls.grpc.port}</td><td>8081</td><td>gRPC port (0: any free port)</td></tr>
 *   <tr><td>{@code sluice.rls.bind.address}</td><td>0.0.0.0</td><td>address both ports bind
 *       to</td></tr>
 *   <tr><td>{@code sluice.rls.http.port}</td><td>8082</td><td>HTTP port of {@code /json},
 *       {@code /metrics} and {@code /health/*} (0: any free port; -1: no HTTP server)</td></tr>
 *   <tr><td>{@code sluice.rls.failure.mode}</td><td>UNAVAILABLE</td><td>{@link FailureMode}</td></tr>
 *   <tr><td>{@code sluice.rls.key.mode}</td><td>ENTRIES</td><td>{@link KeyMode}</td></tr>
 *   <tr><td>{@code sluice.rls.metadata.entries}</td><td>true</td><td>pass each entry as
 *       metadata too</td></tr>
 *   <tr><td>{@code sluice.rls.response.headers}</td><td>false</td><td>add RateLimit headers
 *       to {@code response_headers_to_add}</td></tr>
 *   <tr><td>{@code sluice.rls.max.descriptors}</td><td>32</td><td>descriptors per call,
 *       1-1024</td></tr>
 *   <tr><td>{@code sluice.rls.max.entries}</td><td>16</td><td>entries per descriptor,
 *       1-64</td></tr>
 *   <tr><td>{@code sluice.rls.max.in.flight}</td><td>1000</td><td>calls answered at once;
 *       more get {@code RESOURCE_EXHAUSTED}, 1-1,000,000</td></tr>
 *   <tr><td>{@code sluice.rls.max.rules}</td><td>100000</td><td>rule windows remembered for
 *       {@code current_limit}, 1-10,000,000</td></tr>
 * </table>
 *
 * Client defaults that differ from the library's: {@code bootstrap.servers} is {@code
 * localhost:9092} and {@code sluice.client.reply.group.id} is {@code sluice-rls} when neither it
 * nor {@code sluice.client.reply.partitions} is given. The time Sluice has to answer is the
 * client's {@code sluice.client.timeout.ms} (500 ms).
 *
 * @param grpcPort gRPC port, 0-65535 (0: any free port)
 * @param bindAddress host or address both servers bind to
 * @param httpPort HTTP port, -1 (off) to 65535 (0: any free port)
 * @param failureMode what to answer when Sluice gives no decision in time
 * @param keyMode how entries form the request key
 * @param metadataFromEntries whether each entry is also passed as request metadata
 * @param responseHeaders whether responses carry RateLimit headers
 * @param maxDescriptors most descriptors accepted in one call
 * @param maxEntries most entries accepted in one descriptor
 * @param maxInFlight most calls answered at once
 * @param maxRules most rules whose windows are remembered
 * @param client the decision client's settings
 */
public record RlsConfig(
    int grpcPort,
    String bindAddress,
    int httpPort,
    FailureMode failureMode,
    KeyMode keyMode,
    boolean metadataFromEntries,
    boolean responseHeaders,
    int maxDescriptors,
    int maxEntries,
    int maxInFlight,
    int maxRules,
    DecisionClientConfig client) {

  /** Prefix of the server's own keys. */
  public static final String PREFIX = "sluice.rls.";

  /** Default gRPC port. */
  public static final int DEFAULT_GRPC_PORT = 8081;

  /** Default HTTP port. */
  public static final int DEFAULT_HTTP_PORT = 8082;

  /**
   * Checks every field.
   *
   * @param grpcPort gRPC port, 0-65535
   * @param bindAddress non-empty host or address
   * @param httpPort -1 to 65535
   * @param failureMode not null
   * @param keyMode not null
   * @param metadataFromEntries whether entries become metadata
   * @param responseHeaders whether to add RateLimit headers
   * @param maxDescriptors 1-1024
   * @param maxEntries 1-64
   * @param maxInFlight 1-1,000,000
   * @param maxRules 1-10,000,000
   * @param client not null
   * @throws IllegalArgumentException naming each invalid setting, its value and the constraint
   */
  public RlsConfig {
    List<String> errors =
        violations(
            grpcPort,
            bindAddress,
            httpPort,
            failureMode,
            keyMode,
            metadataFromEntries,
            maxDescriptors,
            maxEntries,
            maxInFlight,
            maxRules);
    if (client == null) {
      errors.add("client: is required");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid RLS config: " + String.join("; ", errors));
    }
  }

  private static List<String> violations(
      int grpcPort,
      String bindAddress,
      int httpPort,
      FailureMode failureMode,
      KeyMode keyMode,
      boolean metadataFromEntries,
      int maxDescriptors,
      int maxEntries,
      int maxInFlight,
      int maxRules) {
    List<String> errors = new ArrayList<>();
    range(errors, "grpc.port", grpcPort, 0, 65535);
    range(errors, "http.port", httpPort, -1, 65535);
    if (bindAddress == null || bindAddress.isBlank()) {
      errors.add(PREFIX + "bind.address: must be a host or address (got '" + bindAddress + "')");
    }
    if (failureMode == null) {
      errors.add(PREFIX + "failure.mode: is required");
    }
    if (keyMode == null) {
      errors.add(PREFIX + "key.mode: is required");
    }
    if (keyMode == KeyMode.KEYS && !metadataFromEntries) {
      errors.add(
          PREFIX
              + "metadata.entries: must be true with key.mode KEYS, else the entry values reach"
              + " Sluice nowhere (got false)");
    }
    range(errors, "max.descriptors", maxDescriptors, 1, 1024);
    range(errors, "max.entries", maxEntries, 1, 64);
    range(errors, "max.in.flight", maxInFlight, 1, 1_000_000);
    range(errors, "max.rules", maxRules, 1, 10_000_000);
    return errors;
  }

  /**
   * Reads a config from properties (see the class table); unknown {@code sluice.rls.} keys are
   * errors, so a misspelt setting never passes silently.
   *
   * @param properties the settings; not null
   * @return the validated config
   * @throws IllegalArgumentException listing every invalid or unknown setting
   */
  public static RlsConfig fromProperties(Map<String, String> properties) {
    Map<String, String> own = new TreeMap<>();
    Map<String, String> client = new HashMap<>();
    properties.forEach(
        (k, v) -> {
          if (k.startsWith(PREFIX)) {
            own.put(k.substring(PREFIX.length()), v == null ? "" : v.trim());
          } else {
            client.put(k, v);
          }
        });
    client.putIfAbsent("bootstrap.servers", "localhost:9092");
    if (!client.containsKey("sluice.client.reply.partitions")) {
      client.putIfAbsent("sluice.client.reply.group.id", "sluice-rls");
    }
    List<String> errors = new ArrayList<>();
    Settings s = new Settings(own, errors);
    int grpcPort = s.integer("grpc.port", DEFAULT_GRPC_PORT);
    String bind = s.string("bind.address", "0.0.0.0");
    int httpPort = s.integer("http.port", DEFAULT_HTTP_PORT);
    FailureMode failure = s.enumeration("failure.mode", FailureMode.class, FailureMode.UNAVAILABLE);
    KeyMode keyMode = s.enumeration("key.mode", KeyMode.class, KeyMode.ENTRIES);
    boolean metadata = s.bool("metadata.entries", true);
    boolean headers = s.bool("response.headers", false);
    int maxDescriptors = s.integer("max.descriptors", 32);
    int maxEntries = s.integer("max.entries", 16);
    int maxInFlight = s.integer("max.in.flight", 1000);
    int maxRules = s.integer("max.rules", 100_000);
    for (String k : own.keySet()) {
      if (!s.known.contains(k)) {
        errors.add(PREFIX + k + ": unknown setting");
      }
    }
    errors.addAll(
        0,
        violations(
            grpcPort,
            bind,
            httpPort,
            failure,
            keyMode,
            metadata,
            maxDescriptors,
            maxEntries,
            maxInFlight,
            maxRules));
    DecisionClientConfig clientConfig = null;
    try {
      clientConfig = DecisionClientConfig.fromProperties(client);
    } catch (IllegalArgumentException e) {
      errors.add(e.getMessage());
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid RLS config: " + String.join("; ", errors));
    }
    return new RlsConfig(
        grpcPort,
        bind,
        httpPort,
        failure,
        keyMode,
        metadata,
        headers,
        maxDescriptors,
        maxEntries,
        maxInFlight,
        maxRules,
        clientConfig);
  }

  /**
   * Reads a properties file; see {@link #fromProperties(Map)}.
   *
   * @param file a Java properties file
   * @return the validated config
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException listing every invalid or unknown setting
   */
  public static RlsConfig load(Path file) throws IOException {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    }
    Map<String, String> map = new HashMap<>();
    p.stringPropertyNames().forEach(k -> map.put(k, p.getProperty(k)));
    return fromProperties(map);
  }

  private static void range(List<String> errors, String key, long value, long min, long max) {
    if (value < min || value > max) {
      errors.add(
          PREFIX + key + ": must be between " + min + " and " + max + " (got " + value + ")");
    }
  }

  /** Typed reads of the server's own keys, each error naming key, value and constraint. */
  private static final class Settings {
    private final Map<String, String> values;
    private final List<String> errors;
    private final java.util.Set<String> known = new java.util.HashSet<>();

    Settings(Map<String, String> values, List<String> errors) {
      this.values = values;
      this.errors = errors;
    }

    String string(String key, String dflt) {
      known.add(key);
      String v = values.get(key);
      return v == null || v.isEmpty() ? dflt : v;
    }

    int integer(String key, int dflt) {
      String v = string(key, null);
      if (v == null) {
        return dflt;
      }
      try {
        return Integer.parseInt(v);
      } catch (NumberFormatException e) {
        errors.add(PREFIX + key + ": must be an integer (got '" + v + "')");
        return dflt;
      }
    }

    boolean bool(String key, boolean dflt) {
      String v = string(key, null);
      if (v == null) {
        return dflt;
      }
      if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
        errors.add(PREFIX + key + ": must be true or false (got '" + v + "')");
        return dflt;
      }
      return Boolean.parseBoolean(v);
    }

    <E extends Enum<E>> E enumeration(String key, Class<E> type, E dflt) {
      String v = string(key, null);
      if (v == null) {
        return dflt;
      }
      try {
        return Enum.valueOf(type, v.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        errors.add(
            PREFIX
                + key
                + ": must be one of "
                + java.util.Arrays.toString(type.getEnumConstants())
                + " (got '"
                + v
                + "')");
        return dflt;
      }
    }
  }
}
