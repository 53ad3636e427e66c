package dev.sluice.schema.registry;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How to reach a schema registry and how much of it to cache. Immutable; validated when built.
 *
 * <p>Read from Sluice's properties file by {@link #fromProperties}; every key lives under {@value
 * #PREFIX}, and a misspelt key under that prefix is an error rather than silently ignored.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #URL}</td><td>(none: embedded encoding)</td>
 *       <td>comma-separated registry base URLs ({@code http} or {@code https}); tried in order
 *       while one is unreachable</td></tr>
 *   <tr><td>{@value #BASIC_AUTH_USER_INFO}</td><td>(none)</td>
 *       <td>{@code user:password} sent as HTTP basic auth</td></tr>
 *   <tr><td>{@value #CONNECT_TIMEOUT_MS}</td><td>5000</td><td>TCP connect timeout</td></tr>
 *   <tr><td>{@value #REQUEST_TIMEOUT_MS}</td><td>10000</td>
 *       <td>time allowed for one HTTP answer</td></tr>
 *   <tr><td>{@value #CACHE_CAPACITY}</td><td>1000</td>
 *       <td>entries in each cache (schema to id, id to schema, per-codec readers)</td></tr>
 *   <tr><td>{@value #CACHE_EXPIRY_MS}</td><td>86400000 (24 h)</td>
 *       <td>age after which an entry is fetched again</td></tr>
 *   <tr><td>{@value #AUTO_REGISTER}</td><td>true</td>
 *       <td>register the writer schema on first use; when false, only look it up and fail if it
 *       is not registered</td></tr>
 * </table>
 *
 * @param urls registry base URLs, at least one, tried in order while unreachable
 * @param basicAuthUserInfo {@code user:password}, or null for no authentication
 * @param connectTimeout TCP connect timeout
 * @param requestTimeout time allowed for one HTTP answer
 * @param cacheCapacity entries in each cache, 1 to 1,000,000
 * @param cacheExpiry age after which a cache entry is fetched again
 * @param autoRegister register writer schemas on first use instead of only looking them up
 */
public record SchemaRegistryConfig(
    List<URI> urls,
    String basicAuthUserInfo,
    Duration connectTimeout,
    Duration requestTimeout,
    int cacheCapacity,
    Duration cacheExpiry,
    boolean autoRegister) {

  /** Prefix of every registry key. */
  public static final String PREFIX = "sluice.schema.registry.";

  /** Comma-separated base URLs; unset or blank means no registry (embedded encoding). */
  public static final String URL = PREFIX + "url";

  /** {@code user:password} for HTTP basic auth. */
  public static final String BASIC_AUTH_USER_INFO = PREFIX + "basic.auth.user.info";

  /** TCP connect timeout in ms. */
  public static final String CONNECT_TIMEOUT_MS = PREFIX + "connect.timeout.ms";

  /** Time allowed for one HTTP answer in ms. */
  public static final String REQUEST_TIMEOUT_MS = PREFIX + "request.timeout.ms";

  /** Entries in each cache. */
  public static final String CACHE_CAPACITY = PREFIX + "cache.capacity";

  /** Age in ms after which a cache entry is fetched again. */
  public static final String CACHE_EXPIRY_MS = PREFIX + "cache.expiry.ms";

  /** Whether to register writer schemas on first use. */
  public static final String AUTO_REGISTER = PREFIX + "auto.register";

  /** Every key this class reads; others under {@link #PREFIX} are rejected as misspelt. */
  public static final Set<String> KEYS =
      Set.of(
          URL,
          BASIC_AUTH_USER_INFO,
          CONNECT_TIMEOUT_MS,
          REQUEST_TIMEOUT_MS,
          CACHE_CAPACITY,
          CACHE_EXPIRY_MS,
          AUTO_REGISTER);

  /** Default connect timeout. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** Default request timeout. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /** Default entries per cache. */
  public static final int DEFAULT_CACHE_CAPACITY = 1000;

  /** Default cache expiry. */
  public static final Duration DEFAULT_CACHE_EXPIRY = Duration.ofHours(24);

  private static final int MAX_CACHE_CAPACITY = 1_000_000;

  /**
   * Validates every component; see the class table for the constraints.
   *
   * @param urls registry base URLs: at least one, each {@code http} or {@code https} with a host
   *     and no credentials, query or fragment; copied
   * @param basicAuthUserInfo {@code user:password} with a non-empty user, or null
   * @param connectTimeout TCP connect timeout, positive
   * @param requestTimeout time allowed for one HTTP answer, positive
   * @param cacheCapacity entries in each cache, 1 to 1,000,000
   * @param cacheExpiry age after which a cache entry is fetched again, positive
   * @param autoRegister register writer schemas on first use
   * @throws IllegalArgumentException naming the key and the constraint, for any value out of range
   *     (the password is never echoed)
   * @throws NullPointerException when {@code urls} or a duration is null
   */
  public SchemaRegistryConfig {
    Objects.requireNonNull(urls, "urls");
    if (urls.isEmpty()) {
      throw new IllegalArgumentException(URL + ": at least one URL is required");
    }
    urls = List.copyOf(urls);
    for (URI u : urls) {
      checkUrl(u);
    }
    if (basicAuthUserInfo != null && basicAuthUserInfo.indexOf(':') < 1) {
      // Never echo the value: it holds a password.
      throw new IllegalArgumentException(
          BASIC_AUTH_USER_INFO + ": must be user:password with a non-empty user");
    }
    checkPositive(CONNECT_TIMEOUT_MS, connectTimeout);
    checkPositive(REQUEST_TIMEOUT_MS, requestTimeout);
    checkPositive(CACHE_EXPIRY_MS, cacheExpiry);
    if (cacheCapacity < 1 || cacheCapacity > MAX_CACHE_CAPACITY) {
      throw new IllegalArgumentException(
          CACHE_CAPACITY + " = " + cacheCapacity + ": must be 1 to " + MAX_CACHE_CAPACITY);
    }
  }

  /**
   * A config for {@code urls} (comma-separated) with every other setting at its default.
   *
   * @param urls comma-separated base URLs; blanks around and between them are ignored
   * @return a validated config
   * @throws IllegalArgumentException when a URL is malformed or not http(s)
   */
  public static SchemaRegistryConfig of(String urls) {
    return new SchemaRegistryConfig(
        parseUrls(urls),
        null,
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_REQUEST_TIMEOUT,
        DEFAULT_CACHE_CAPACITY,
        DEFAULT_CACHE_EXPIRY,
        true);
  }

  /**
   * This config with other basic-auth credentials.
   *
   * @param userInfo {@code user:password} with a non-empty user, or null for none
   * @return a validated copy
   * @throws IllegalArgumentException when {@code userInfo} has no {@code :} or an empty user
   */
  public SchemaRegistryConfig withBasicAuth(String userInfo) {
    return new SchemaRegistryConfig(
        urls, userInfo, connectTimeout, requestTimeout, cacheCapacity, cacheExpiry, autoRegister);
  }

  /**
   * This config with other timeouts.
   *
   * @param connect TCP connect timeout, positive
   * @param request time allowed for one HTTP answer, positive
   * @return a validated copy
   * @throws IllegalArgumentException when a timeout is zero or negative
   */
  public SchemaRegistryConfig withTimeouts(Duration connect, Duration request) {
    return new SchemaRegistryConfig(
        urls, basicAuthUserInfo, connect, request, cacheCapacity, cacheExpiry, autoRegister);
  }

  /**
   * This config with another cache bound and expiry.
   *
   * @param capacity entries in each cache, 1 to 1,000,000
   * @param expiry age after which an entry is fetched again, positive
   * @return a validated copy
   * @throws IllegalArgumentException when either is out of range
   */
  public SchemaRegistryConfig withCache(int capacity, Duration expiry) {
    return new SchemaRegistryConfig(
        urls, basicAuthUserInfo, connectTimeout, requestTimeout, capacity, expiry, autoRegister);
  }

  /**
   * This config with auto-registration on or off.
   *
   * @param autoRegister true to register writer schemas on first use, false to only look them up
   * @return a copy
   */
  public SchemaRegistryConfig withAutoRegister(boolean autoRegister) {
    return new SchemaRegistryConfig(
        urls,
        basicAuthUserInfo,
        connectTimeout,
        requestTimeout,
        cacheCapacity,
        cacheExpiry,
        autoRegister);
  }

  /**
   * Reads the registry settings from Sluice's properties (a {@link java.util.Properties} or any map
   * with string keys; other keys are ignored).
   *
   * @param props Sluice's properties; not null
   * @return empty when {@value #URL} is unset or blank: use the embedded encoding
   * @throws IllegalArgumentException naming the key, the value (never a password) and the
   *     constraint, for a bad value or an unknown key under {@value #PREFIX}
   */
  public static Optional<SchemaRegistryConfig> fromProperties(Map<?, ?> props) {
    List<String> unknown = new ArrayList<>();
    for (Object k : props.keySet()) {
      String key = String.valueOf(k);
      if (key.startsWith(PREFIX) && !KEYS.contains(key)) {
        unknown.add(key);
      }
    }
    if (!unknown.isEmpty()) {
      unknown.sort(null);
      throw new IllegalArgumentException(
          "unknown schema registry setting "
              + String.join(", ", unknown)
              + ": known keys are "
              + KEYS.stream().sorted().toList());
    }
    String url = string(props, URL);
    if (url == null || url.isBlank()) {
      return Optional.empty();
    }
    String userInfo = string(props, BASIC_AUTH_USER_INFO);
    return Optional.of(
        new SchemaRegistryConfig(
            parseUrls(url),
            userInfo == null || userInfo.isEmpty() ? null : userInfo,
            millis(props, CONNECT_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT),
            millis(props, REQUEST_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT),
            integer(props, CACHE_CAPACITY, DEFAULT_CACHE_CAPACITY),
            millis(props, CACHE_EXPIRY_MS, DEFAULT_CACHE_EXPIRY),
            bool(props, AUTO_REGISTER, true)));
  }

  /** Like the generated one, but the password is never shown. */
  @Override
  public String toString() {
    return "SchemaRegistryConfig[urls="
        + urls
        + ", basicAuth="
        + (basicAuthUserInfo == null ? "none" : "user " + user() + " (password hidden)")
        + ", connectTimeout="
        + connectTimeout
        + ", requestTimeout="
        + requestTimeout
        + ", cacheCapacity="
        + cacheCapacity
        + ", cacheExpiry="
        + cacheExpiry
        + ", autoRegister="
        + autoRegister
        + "]";
  }

  private String user() {
    return basicAuthUserInfo.substring(0, basicAuthUserInfo.indexOf(':'));
  }

  private static List<URI> parseUrls(String urls) {
    List<URI> out = new ArrayList<>();
    for (String part : urls.split(",")) {
      String s = part.trim();
      if (s.isEmpty()) {
        continue;
      }
      try {
        out.add(new URI(s));
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException(
            URL + " = " + s + ": not a URL (" + e.getMessage() + ")", e);
      }
    }
    return out;
  }

  private static void checkUrl(URI u) {
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(URL + " = " + u + ": must start with http:// or https://");
    }
    if (u.getHost() == null) {
      throw new IllegalArgumentException(URL + " = " + u + ": has no host");
    }
    if (u.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          URL + ": must not carry credentials; use " + BASIC_AUTH_USER_INFO);
    }
    if (u.getRawQuery() != null || u.getRawFragment() != null) {
      throw new IllegalArgumentException(URL + " = " + u + ": must not have a query or fragment");
    }
  }

  private static void checkPositive(String key, Duration d) {
    Objects.requireNonNull(d, key);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(key + " = " + d.toMillis() + ": must be positive");
    }
  }

  private static String string(Map<?, ?> props, String key) {
    Object v = props.get(key);
    return v == null ? null : String.valueOf(v).trim();
  }

  private static long parseLong(String key, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " = " + value + ": must be a whole number", e);
    }
  }

  private static Duration millis(Map<?, ?> props, String key, Duration dflt) {
    String v = string(props, key);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    long ms = parseLong(key, v);
    if (ms < 1) {
      throw new IllegalArgumentException(key + " = " + v + ": must be positive");
    }
    return Duration.ofMillis(ms);
  }

  private static int integer(Map<?, ?> props, String key, int dflt) {
    String v = string(props, key);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    long n = parseLong(key, v);
    if (n < 1 || n > MAX_CACHE_CAPACITY) {
      throw new IllegalArgumentException(key + " = " + v + ": must be 1 to " + MAX_CACHE_CAPACITY);
    }
    return (int) n;
  }

  private static boolean bool(Map<?, ?> props, String key, boolean dflt) {
    String v = string(props, key);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    if (v.equalsIgnoreCase("true")) {
      return true;
    }
    if (v.equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException(key + " = " + v + ": must be true or false");
  }
}
