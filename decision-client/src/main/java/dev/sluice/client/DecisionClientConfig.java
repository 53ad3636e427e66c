package dev.sluice.client;

import dev.sluice.schema.registry.SchemaRegistryConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Everything a {@link DecisionClient} needs, validated once when built. Immutable and cheap to
 * share.
 *
 * <p>Build one with {@link #builder(String)} or from properties with {@link #fromProperties(Map)}.
 * Every setting has a builder method and a property key; an invalid value fails {@link
 * Builder#build()} with an {@link IllegalArgumentException} that lists every offending setting by
 * both names, with the value and the constraint.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>builder</th><th>property</th><th>default</th><th>constraint</th></tr>
 *   <tr><td>bootstrapServers</td><td>bootstrap.servers</td><td>(required)</td><td>non-blank</td></tr>
 *   <tr><td>requestsTopic</td><td>sluice.topic.requests</td><td>sluice.requests</td>
 *       <td>a Kafka topic name</td></tr>
 *   <tr><td>replyTopic</td><td>sluice.topic.decisions</td><td>sluice.decisions</td>
 *       <td>a Kafka topic name, not the requests topic</td></tr>
 *   <tr><td>rulesTopic</td><td>sluice.topic.rules</td><td>sluice.rules</td>
 *       <td>a Kafka topic name; read only by {@link FailurePolicy#LOCAL_FALLBACK}</td></tr>
 *   <tr><td>timeout</td><td>sluice.client.timeout.ms</td><td>500 ms</td><td>1 ms to 5 min</td></tr>
 *   <tr><td>failurePolicy</td><td>sluice.client.failure.policy</td><td>FAIL_OPEN</td>
 *       <td>a {@link FailurePolicy}</td></tr>
 *   <tr><td>maxInFlight</td><td>sluice.client.max.in.flight</td><td>10000</td>
 *       <td>1 to 1,000,000</td></tr>
 *   <tr><td>linger</td><td>sluice.client.linger.ms</td><td>1 ms</td><td>0 to 1000 ms</td></tr>
 *   <tr><td>replyPartitions</td><td>sluice.client.reply.partitions</td><td>(automatic)</td>
 *       <td>distinct partitions &gt;= 0 (comma-separated as a property); excludes
 *       replyGroupId</td></tr>
 *   <tr><td>replyGroupId</td><td>sluice.client.reply.group.id</td><td>sluice-client</td>
 *       <td>non-blank; used when replyPartitions is not set</td></tr>
 *   <tr><td>startupTimeout</td><td>sluice.client.startup.timeout.ms</td><td>30 s</td>
 *       <td>1 ms to 10 min</td></tr>
 *   <tr><td>localFallbackShare</td><td>sluice.client.fallback.share</td><td>1.0</td>
 *       <td>0 &lt; share &lt;= 1</td></tr>
 *   <tr><td>localFallbackMaxCounters</td><td>sluice.client.fallback.max.counters</td>
 *       <td>100000</td><td>1 to 10,000,000</td></tr>
 *   <tr><td>leasing</td><td>sluice.client.lease.enabled and sluice.client.lease.*
 *       (see {@link LeaseSettings})</td><td>off</td><td>as {@link LeaseSettings}</td></tr>
 *   <tr><td>schemaRegistry</td><td>sluice.schema.registry.* (see {@link SchemaRegistryConfig})
 *       </td><td>none: Avro single-object</td><td>as the service's</td></tr>
 *   <tr><td>kafkaProperty / kafkaProperties</td><td>any other key not starting with
 *       {@code sluice.}</td><td>none</td><td>passed verbatim to the producer and both consumers,
 *       except the keys the client owns ({@link #RESERVED_KAFKA_KEYS})</td></tr>
 * </table>
 *
 * <p>Security settings (e.g. {@code security.protocol=SASL_SSL}, {@code
 * sasl.mechanism=SCRAM-SHA-512}, {@code sasl.jaas.config}, {@code ssl.truststore.location}, {@code
 * ssl.keystore.location} for mTLS) travel as Kafka properties; the client neither reads nor logs
 * them.
 */
public final class DecisionClientConfig {
  /** Default requests topic (the service's {@code sluice.topic.requests} default). */
  public static final String DEFAULT_REQUESTS_TOPIC = "sluice.requests";

  /** Default reply topic (the service's {@code sluice.topic.decisions} default). */
  public static final String DEFAULT_REPLY_TOPIC = "sluice.decisions";

  /** Default rules topic (the service's {@code sluice.topic.rules} default). */
  public static final String DEFAULT_RULES_TOPIC = "sluice.rules";

  /** Default consumer group that splits the reply topic's partitions among client instances. */
  public static final String DEFAULT_REPLY_GROUP_ID = "sluice-client";

  /**
   * Kafka properties the client sets itself; giving one in the Kafka properties is a config error
   * that names the setting to use instead (or why the client needs its own value).
   */
  public static final Set<String> RESERVED_KAFKA_KEYS =
      Collections.unmodifiableSet(
          new LinkedHashSet<>(
              List.of(
                  "bootstrap.servers",
                  "linger.ms",
                  "group.id",
                  "acks",
                  "enable.idempotence",
                  "transactional.id",
                  "isolation.level",
                  "enable.auto.commit",
                  "auto.offset.reset",
                  "key.serializer",
                  "value.serializer",
                  "key.deserializer",
                  "value.deserializer")));

  private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
  private static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration MAX_LINGER = Duration.ofSeconds(1);
  private static final Duration MAX_STARTUP_TIMEOUT = Duration.ofMinutes(10);
  private static final int MAX_IN_FLIGHT_LIMIT = 1_000_000;
  private static final int MAX_COUNTERS_LIMIT = 10_000_000;

  private final String bootstrapServers;
  private final String requestsTopic;
  private final String replyTopic;
  private final String rulesTopic;
  private final Duration timeout;
  private final FailurePolicy failurePolicy;
  private final int maxInFlight;
  private final Duration linger;
  private final List<Integer> replyPartitions;
  private final String replyGroupId;
  private final Duration startupTimeout;
  private final double localFallbackShare;
  private final int localFallbackMaxCounters;
  private final Map<String, String> kafkaProperties;
  private final SchemaRegistryConfig schemaRegistry;
  private final LeaseSettings leasing;

  private DecisionClientConfig(Builder b) {
    this.bootstrapServers = b.bootstrapServers.trim();
    this.requestsTopic = b.requestsTopic;
    this.replyTopic = b.replyTopic;
    this.rulesTopic = b.rulesTopic;
    this.timeout = b.timeout;
    this.failurePolicy = b.failurePolicy;
    this.maxInFlight = b.maxInFlight;
    this.linger = b.linger;
    this.replyPartitions = b.replyPartitions == null ? List.of() : List.copyOf(b.replyPartitions);
    this.replyGroupId = b.replyGroupId == null ? DEFAULT_REPLY_GROUP_ID : b.replyGroupId;
    this.startupTimeout = b.startupTimeout;
    this.localFallbackShare = b.localFallbackShare;
    this.localFallbackMaxCounters = b.localFallbackMaxCounters;
    this.kafkaProperties = Collections.unmodifiableMap(new TreeMap<>(b.kafkaProperties));
    this.schemaRegistry = b.schemaRegistry;
    this.leasing = b.leasing;
  }

  /**
   * Client-side quota leases, or empty when off (the default): see {@link LeaseSettings}.
   *
   * @return the lease settings, or empty
   */
  public Optional<LeaseSettings> leasing() {
    return Optional.ofNullable(leasing);
  }

  /**
   * The schema registry requests are written and decisions read through, or empty for Avro
   * single-object encoding (the service's default). Must match the service's {@code
   * sluice.schema.registry.*} settings: the service reads both encodings of requests, but writes
   * decisions in the registry format only when it has a registry, and a client without one cannot
   * read those.
   *
   * @return the registry settings, or empty for single-object encoding
   */
  public Optional<SchemaRegistryConfig> schemaRegistry() {
    return Optional.ofNullable(schemaRegistry);
  }

  /**
   * A builder with every default set; only the bootstrap servers are required.
   *
   * @param bootstrapServers Kafka bootstrap servers, {@code host:port[,host:port...]}; checked by
   *     {@link Builder#build()}
   * @return a new builder
   */
  public static Builder builder(String bootstrapServers) {
    return new Builder().bootstrapServers(bootstrapServers);
  }

  /**
   * Reads a config from properties (keys as in the class table). Keys not starting with {@code
   * sluice.} go to Kafka verbatim; an unknown {@code sluice.} key other than the service's own
   * topic keys is an error, so a misspelt setting never passes silently. Other {@code sluice.*}
   * keys of the service's config ({@code sluice.http.port}, ...) are ignored so one file can serve
   * both.
   *
   * @param properties the settings, e.g. a loaded properties file; not null (null values count as
   *     empty)
   * @return the validated config
   * @throws IllegalArgumentException listing every invalid or unknown setting
   */
  public static DecisionClientConfig fromProperties(Map<String, String> properties) {
    Builder b = new Builder();
    List<String> errors = new ArrayList<>();
    Map<String, String> lease = new TreeMap<>();
    for (Map.Entry<String, String> e : new TreeMap<>(properties).entrySet()) {
      String k = e.getKey();
      String v = e.getValue() == null ? "" : e.getValue().trim();
      if (k.startsWith(LEASE_PREFIX)) {
        lease.put(k, v);
        continue;
      }
      try {
        switch (k) {
          case "bootstrap.servers" -> b.bootstrapServers(v);
          case "sluice.topic.requests" -> b.requestsTopic(v);
          case "sluice.topic.decisions" -> b.replyTopic(v);
          case "sluice.topic.rules" -> b.rulesTopic(v);
          case "sluice.client.timeout.ms" -> b.timeout(Duration.ofMillis(parseLong(k, v)));
          case "sluice.client.failure.policy" -> b.failurePolicy(parsePolicy(k, v));
          case "sluice.client.max.in.flight" -> b.maxInFlight(parseInt(k, v));
          case "sluice.client.linger.ms" -> b.linger(Duration.ofMillis(parseLong(k, v)));
          case "sluice.client.reply.partitions" -> b.replyPartitions(parsePartitions(k, v));
          case "sluice.client.reply.group.id" -> b.replyGroupId(v);
          case "sluice.client.startup.timeout.ms" ->
              b.startupTimeout(Duration.ofMillis(parseLong(k, v)));
          case "sluice.client.fallback.share" -> b.localFallbackShare(parseDouble(k, v));
          case "sluice.client.fallback.max.counters" -> b.localFallbackMaxCounters(parseInt(k, v));
          default -> {
            if (k.startsWith("sluice.client.")) {
              errors.add(k + ": unknown client setting");
            } else if (!k.startsWith("sluice.")) {
              b.kafkaProperty(k, e.getValue());
            }
          }
        }
      } catch (IllegalArgumentException ex) {
        errors.add(ex.getMessage());
      }
    }
    try {
      b.leasing(parseLeasing(lease));
    } catch (IllegalArgumentException ex) {
      errors.add(ex.getMessage());
    }
    try {
      b.schemaRegistry(SchemaRegistryConfig.fromProperties(properties).orElse(null));
    } catch (IllegalArgumentException ex) {
      errors.add(ex.getMessage());
    }
    if (b.bootstrapServers == null) {
      errors.add(0, "bootstrapServers (bootstrap.servers): is required");
      b.bootstrapServers = "";
    }
    if (!errors.isEmpty()) {
      List<String> more = b.errors();
      more.removeIf(m -> m.startsWith("bootstrapServers"));
      errors.addAll(more);
      throw new IllegalArgumentException(
          "invalid DecisionClientConfig: " + String.join("; ", errors));
    }
    return b.build();
  }

  /** {@return Kafka bootstrap servers, {@code host:port[,host:port...]}, trimmed} */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** {@return the topic requests are produced to, a valid Kafka topic name} */
  public String requestsTopic() {
    return requestsTopic;
  }

  /** {@return the topic the service writes this client's decisions to; never the requests topic} */
  public String replyTopic() {
    return replyTopic;
  }

  /**
   * {@return the topic the local fallback reads rules from (read only with {@link
   * FailurePolicy#LOCAL_FALLBACK})}
   */
  public String rulesTopic() {
    return rulesTopic;
  }

  /**
   * {@return how long a check waits for the service before its policy applies: 1 ms to 5 min, whole
   * milliseconds}
   */
  public Duration timeout() {
    return timeout;
  }

  /** {@return what a check completes with when the service does not answer; never null} */
  public FailurePolicy failurePolicy() {
    return failurePolicy;
  }

  /**
   * {@return the most checks pending at once, 1 to 1,000,000; beyond it checks complete by policy
   * at once}
   */
  public int maxInFlight() {
    return maxInFlight;
  }

  /**
   * {@return the producer linger, how long a request may wait to share a batch: 0 to 1000 ms, whole
   * milliseconds}
   */
  public Duration linger() {
    return linger;
  }

  /**
   * {@return the explicit reply partitions (distinct, each {@code >= 0}, unmodifiable), or empty
   * when they are claimed through {@link #replyGroupId()}}
   */
  public List<Integer> replyPartitions() {
    return replyPartitions;
  }

  /**
   * {@return true when reply partitions are claimed through the consumer group, false when
   * explicit}
   */
  public boolean automaticReplyPartitions() {
    return replyPartitions.isEmpty();
  }

  /**
   * {@return the consumer group splitting the reply topic among instances; used in automatic mode
   * only, never null}
   */
  public String replyGroupId() {
    return replyGroupId;
  }

  /**
   * {@return how long {@link DecisionClient#create} may wait for topics and a reply partition: 1 ms
   * to 10 min}
   */
  public Duration startupTimeout() {
    return startupTimeout;
  }

  /** {@return this instance's share of each limit in the local fallback, in (0, 1]} */
  public double localFallbackShare() {
    return localFallbackShare;
  }

  /** {@return the most counters the local fallback keeps, 1 to 10,000,000} */
  public int localFallbackMaxCounters() {
    return localFallbackMaxCounters;
  }

  /**
   * {@return the extra Kafka properties passed verbatim to the producer and both consumers, sorted
   * by key, unmodifiable; none of {@link #RESERVED_KAFKA_KEYS}}
   */
  public Map<String, String> kafkaProperties() {
    return kafkaProperties;
  }

  @Override
  public String toString() {
    // Kafka property values may hold secrets (sasl.jaas.config, passwords): print keys only.
    return "DecisionClientConfig{bootstrapServers="
        + bootstrapServers
        + ", requestsTopic="
        + requestsTopic
        + ", replyTopic="
        + replyTopic
        + ", rulesTopic="
        + rulesTopic
        + ", timeout="
        + timeout.toMillis()
        + "ms, failurePolicy="
        + failurePolicy
        + ", maxInFlight="
        + maxInFlight
        + ", linger="
        + linger.toMillis()
        + "ms, replyPartitions="
        + (replyPartitions.isEmpty() ? "group " + replyGroupId : replyPartitions)
        + (leasing == null ? "" : ", leasing=" + leasing)
        + ", kafkaPropertyKeys="
        + kafkaProperties.keySet()
        + "}";
  }

  /** Collects settings; {@link #build()} validates them all at once. Not thread-safe. */
  public static final class Builder {
    private String bootstrapServers;
    private String requestsTopic = DEFAULT_REQUESTS_TOPIC;
    private String replyTopic = DEFAULT_REPLY_TOPIC;
    private String rulesTopic = DEFAULT_RULES_TOPIC;
    private Duration timeout = Duration.ofMillis(500);
    private FailurePolicy failurePolicy = FailurePolicy.FAIL_OPEN;
    private int maxInFlight = 10_000;
    private Duration linger = Duration.ofMillis(1);
    private List<Integer> replyPartitions;
    private String replyGroupId;
    private Duration startupTimeout = Duration.ofSeconds(30);
    private double localFallbackShare = 1.0;
    private int localFallbackMaxCounters = 100_000;
    private final Map<String, String> kafkaProperties = new LinkedHashMap<>();
    private SchemaRegistryConfig schemaRegistry;
    private LeaseSettings leasing;

    /**
     * Turns client-side quota leases on with these settings, or off with null (the default).
     *
     * @param value the lease settings (already validated), or null for no leasing
     * @return this builder
     */
    public Builder leasing(LeaseSettings value) {
      this.leasing = value;
      return this;
    }

    private Builder() {}

    /**
     * The schema registry to encode requests and decode decisions with (Confluent wire format,
     * {@code <topic>-value} subjects); null (the default) for Avro single-object encoding.
     *
     * @param value the registry settings (already validated), or null
     * @return this builder
     */
    public Builder schemaRegistry(SchemaRegistryConfig value) {
      this.schemaRegistry = value;
      return this;
    }

    /**
     * Kafka bootstrap servers, {@code host:port[,host:port...]}. Required.
     *
     * @param value non-blank; checked by {@link #build()}
     * @return this builder
     */
    public Builder bootstrapServers(String value) {
      this.bootstrapServers = value;
      return this;
    }

    /**
     * Topic requests are produced to; default {@value #DEFAULT_REQUESTS_TOPIC}.
     *
     * @param value a Kafka topic name; checked by {@link #build()}
     * @return this builder
     */
    public Builder requestsTopic(String value) {
      this.requestsTopic = value;
      return this;
    }

    /**
     * Topic decisions come back on; default {@value #DEFAULT_REPLY_TOPIC}.
     *
     * @param value a Kafka topic name other than the requests topic; checked by {@link #build()}
     * @return this builder
     */
    public Builder replyTopic(String value) {
      this.replyTopic = value;
      return this;
    }

    /**
     * Rules topic the local fallback reads; default {@value #DEFAULT_RULES_TOPIC}.
     *
     * @param value a Kafka topic name; checked by {@link #build()}
     * @return this builder
     */
    public Builder rulesTopic(String value) {
      this.rulesTopic = value;
      return this;
    }

    /**
     * Time a check waits for the service before its policy applies; default 500 ms.
     *
     * @param value 1 ms to 5 min, whole milliseconds; checked by {@link #build()}
     * @return this builder
     */
    public Builder timeout(Duration value) {
      this.timeout = value;
      return this;
    }

    /**
     * Policy for checks the service does not answer; default {@link FailurePolicy#FAIL_OPEN}.
     *
     * @param value the policy; not null (checked by {@link #build()})
     * @return this builder
     */
    public Builder failurePolicy(FailurePolicy value) {
      this.failurePolicy = value;
      return this;
    }

    /**
     * Most checks pending at once; beyond it checks complete by policy at once. Default 10,000.
     *
     * @param value 1 to 1,000,000; checked by {@link #build()}
     * @return this builder
     */
    public Builder maxInFlight(int value) {
      this.maxInFlight = value;
      return this;
    }

    /**
     * Producer linger: how long a request may wait to share a batch. Default 1 ms.
     *
     * @param value 0 to 1000 ms, whole milliseconds; checked by {@link #build()}
     * @return this builder
     */
    public Builder linger(Duration value) {
      this.linger = value;
      return this;
    }

    /**
     * Owns exactly these reply partitions (no consumer group).
     *
     * @param value at least one distinct partition {@code >= 0}, or null for automatic mode;
     *     copied, checked by {@link #build()}
     * @return this builder
     */
    public Builder replyPartitions(List<Integer> value) {
      this.replyPartitions = value == null ? null : new ArrayList<>(value);
      return this;
    }

    /**
     * Owns exactly these reply partitions (no consumer group).
     *
     * @param value at least one distinct partition {@code >= 0}; checked by {@link #build()}
     * @return this builder
     * @throws NullPointerException when {@code value} is or holds null
     */
    public Builder replyPartitions(Integer... value) {
      return replyPartitions(List.of(value));
    }

    /**
     * Claims reply partitions through this consumer group; default {@value
     * #DEFAULT_REPLY_GROUP_ID}. Cannot be combined with explicit {@link #replyPartitions}.
     *
     * @param value a non-blank group id, or null for the default; checked by {@link #build()}
     * @return this builder
     */
    public Builder replyGroupId(String value) {
      this.replyGroupId = value;
      return this;
    }

    /**
     * Bound on {@link DecisionClient#create}'s wait for topics and a reply partition; default 30 s.
     *
     * @param value 1 ms to 10 min, whole milliseconds; checked by {@link #build()}
     * @return this builder
     */
    public Builder startupTimeout(Duration value) {
      this.startupTimeout = value;
      return this;
    }

    /**
     * This instance's share of each limit in the local fallback; default 1.
     *
     * @param value in (0, 1], e.g. 1/N with N client instances; checked by {@link #build()}
     * @return this builder
     */
    public Builder localFallbackShare(double value) {
      this.localFallbackShare = value;
      return this;
    }

    /**
     * Most counters the local fallback keeps (least recently used go first); default 100,000.
     *
     * @param value 1 to 10,000,000; checked by {@link #build()}
     * @return this builder
     */
    public Builder localFallbackMaxCounters(int value) {
      this.localFallbackMaxCounters = value;
      return this;
    }

    /**
     * One Kafka property for the producer and both consumers (e.g. security settings); replaces an
     * earlier value of the same key.
     *
     * @param key a non-blank Kafka property name, none of {@link #RESERVED_KAFKA_KEYS}; checked by
     *     {@link #build()}
     * @param value its value; not null (checked by {@link #build()})
     * @return this builder
     */
    public Builder kafkaProperty(String key, String value) {
      kafkaProperties.put(key, value);
      return this;
    }

    /**
     * Kafka properties for the producer and both consumers, added to any given before.
     *
     * @param values property name to value, each as for {@link #kafkaProperty}; not null
     * @return this builder
     */
    public Builder kafkaProperties(Map<String, String> values) {
      values.forEach(this::kafkaProperty);
      return this;
    }

    /**
     * Validates every setting.
     *
     * @return an immutable config; this builder can be changed and built again afterwards
     * @throws IllegalArgumentException listing each invalid setting with its value and constraint
     */
    public DecisionClientConfig build() {
      List<String> errors = errors();
      if (!errors.isEmpty()) {
        throw new IllegalArgumentException(
            "invalid DecisionClientConfig: " + String.join("; ", errors));
      }
      return new DecisionClientConfig(this);
    }

    private List<String> errors() {
      List<String> errors = new ArrayList<>();
      if (bootstrapServers == null || bootstrapServers.isBlank()) {
        errors.add(
            "bootstrapServers (bootstrap.servers): is required (got "
                + quoted(bootstrapServers)
                + ")");
      }
      topic(errors, "requestsTopic (sluice.topic.requests)", requestsTopic);
      topic(errors, "replyTopic (sluice.topic.decisions)", replyTopic);
      topic(errors, "rulesTopic (sluice.topic.rules)", rulesTopic);
      if (requestsTopic != null && requestsTopic.equals(replyTopic)) {
        errors.add(
            "replyTopic (sluice.topic.decisions): must differ from requestsTopic (got "
                + replyTopic
                + ")");
      }
      duration(
          errors, "timeout (sluice.client.timeout.ms)", timeout, Duration.ofMillis(1), MAX_TIMEOUT);
      if (failurePolicy == null) {
        errors.add("failurePolicy (sluice.client.failure.policy): is required");
      }
      if (maxInFlight < 1 || maxInFlight > MAX_IN_FLIGHT_LIMIT) {
        errors.add(
            "maxInFlight (sluice.client.max.in.flight): must be 1 to "
                + MAX_IN_FLIGHT_LIMIT
                + " (got "
                + maxInFlight
                + ")");
      }
      duration(errors, "linger (sluice.client.linger.ms)", linger, Duration.ZERO, MAX_LINGER);
      if (replyPartitions != null) {
        if (replyPartitions.isEmpty()) {
          errors.add(
              "replyPartitions (sluice.client.reply.partitions): must name at least one partition"
                  + " (omit it to claim partitions automatically)");
        }
        Set<Integer> seen = new LinkedHashSet<>();
        for (Integer p : replyPartitions) {
          if (p == null || p < 0) {
            errors.add(
                "replyPartitions (sluice.client.reply.partitions): partitions must be >= 0 (got "
                    + p
                    + ")");
          } else if (!seen.add(p)) {
            errors.add(
                "replyPartitions (sluice.client.reply.partitions): partition "
                    + p
                    + " is listed twice");
          }
        }
        if (replyGroupId != null) {
          errors.add(
              "replyGroupId (sluice.client.reply.group.id): cannot be combined with explicit"
                  + " replyPartitions (got "
                  + replyGroupId
                  + ")");
        }
      } else if (replyGroupId != null && replyGroupId.isBlank()) {
        errors.add("replyGroupId (sluice.client.reply.group.id): must not be blank");
      }
      duration(
          errors,
          "startupTimeout (sluice.client.startup.timeout.ms)",
          startupTimeout,
          Duration.ofMillis(1),
          MAX_STARTUP_TIMEOUT);
      if (!(localFallbackShare > 0.0 && localFallbackShare <= 1.0)) {
        errors.add(
            "localFallbackShare (sluice.client.fallback.share): must be > 0 and <= 1 (got "
                + localFallbackShare
                + ")");
      }
      if (localFallbackMaxCounters < 1 || localFallbackMaxCounters > MAX_COUNTERS_LIMIT) {
        errors.add(
            "localFallbackMaxCounters (sluice.client.fallback.max.counters): must be 1 to "
                + MAX_COUNTERS_LIMIT
                + " (got "
                + localFallbackMaxCounters
                + ")");
      }
      for (Map.Entry<String, String> e : kafkaProperties.entrySet()) {
        String k = e.getKey();
        if (k == null || k.isBlank()) {
          errors.add("kafkaProperties: keys must be non-blank (got " + quoted(k) + ")");
        } else if (e.getValue() == null) {
          errors.add("kafkaProperties: " + k + " has no value");
        } else if (RESERVED_KAFKA_KEYS.contains(k)) {
          errors.add("kafkaProperties: " + k + " is set by the client (" + reservedHint(k) + ")");
        }
      }
      return errors;
    }

    private static String reservedHint(String key) {
      return switch (key) {
        case "bootstrap.servers" -> "use bootstrapServers";
        case "linger.ms" -> "use linger";
        case "group.id" -> "use replyGroupId";
        case "acks", "enable.idempotence" ->
            "requests are always sent with acks=all and idempotence";
        case "transactional.id" -> "requests are not transactional";
        case "isolation.level" -> "replies and rules are read with read_committed";
        case "enable.auto.commit", "auto.offset.reset" ->
            "the client never commits and starts replies at the end, rules at the beginning";
        default -> "the client owns its wire format";
      };
    }

    private static void topic(List<String> errors, String name, String value) {
      if (value == null
          || !TOPIC_NAME.matcher(value).matches()
          || value.equals(".")
          || value.equals("..")) {
        errors.add(
            name
                + ": must be a Kafka topic name, 1-249 characters of [a-zA-Z0-9._-] (got "
                + quoted(value)
                + ")");
      }
    }
  }

  /**
   * Adds to {@code errors} why {@code value} is not a whole number of milliseconds from {@code min}
   * to {@code max}, if it is not; shared with {@link LeaseSettings}.
   */
  static void duration(
      List<String> errors, String name, Duration value, Duration min, Duration max) {
    if (value == null) {
      errors.add(name + ": is required");
    } else if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      errors.add(
          name
              + ": must be "
              + min.toMillis()
              + " ms to "
              + max.toMillis()
              + " ms (got "
              + value.toMillis()
              + " ms)");
    } else if (value.toNanos() % 1_000_000 != 0) {
      errors.add(name + ": must be whole milliseconds (got " + value + ")");
    }
  }

  private static String quoted(String s) {
    return s == null ? "null" : "\"" + s + "\"";
  }

  private static final String LEASE_PREFIX = "sluice.client.lease.";

  /** The {@code sluice.client.lease.*} keys: null when leasing is off. */
  private static LeaseSettings parseLeasing(Map<String, String> lease) {
    String enabled = lease.getOrDefault(LEASE_PREFIX + "enabled", "false");
    if (!enabled.equals("true") && !enabled.equals("false")) {
      throw new IllegalArgumentException(
          LEASE_PREFIX + "enabled: must be true or false (got " + quoted(enabled) + ")");
    }
    if (enabled.equals("false")) {
      if (lease.size() > (lease.containsKey(LEASE_PREFIX + "enabled") ? 1 : 0)) {
        throw new IllegalArgumentException(
            LEASE_PREFIX
                + "*: "
                + lease.keySet()
                + " given but leasing is off (set "
                + LEASE_PREFIX
                + "enabled=true)");
      }
      return null;
    }
    LeaseSettings s = LeaseSettings.defaults();
    List<String> errors = new ArrayList<>();
    for (Map.Entry<String, String> e : lease.entrySet()) {
      String k = e.getKey();
      String v = e.getValue();
      try {
        switch (k.substring(LEASE_PREFIX.length())) {
          case "enabled" -> {}
          case "horizon.ms" -> s = s.withHorizon(Duration.ofMillis(parseLong(k, v)));
          case "max.share" -> s = s.withMaxShare(parseDouble(k, v));
          case "max.pairs" -> s = s.withMaxPairs(parseInt(k, v));
          case "max.waiters" -> s = s.withMaxWaiters(parseInt(k, v));
          case "denial.cache.max.ms" ->
              s = s.withDenialCacheMax(Duration.ofMillis(parseLong(k, v)));
          case "no.rule.cache.ms" -> s = s.withNoRuleCache(Duration.ofMillis(parseLong(k, v)));
          default -> errors.add(k + ": unknown client setting");
        }
      } catch (IllegalArgumentException ex) {
        errors.add(ex.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", errors));
    }
    return s;
  }

  private static long parseLong(String key, String v) {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": must be an integer (got " + quoted(v) + ")");
    }
  }

  private static int parseInt(String key, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": must be an integer (got " + quoted(v) + ")");
    }
  }

  private static double parseDouble(String key, String v) {
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": must be a number (got " + quoted(v) + ")");
    }
  }

  private static FailurePolicy parsePolicy(String key, String v) {
    try {
      return FailurePolicy.valueOf(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          key + ": must be one of FAIL_OPEN, FAIL_CLOSED, LOCAL_FALLBACK (got " + quoted(v) + ")");
    }
  }

  private static List<Integer> parsePartitions(String key, String v) {
    List<Integer> out = new ArrayList<>();
    for (String part : v.split(",", -1)) {
      try {
        out.add(Integer.parseInt(part.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            key + ": must be comma-separated partition numbers (got " + quoted(v) + ")");
      }
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DecisionClientConfig c
        && bootstrapServers.equals(c.bootstrapServers)
        && requestsTopic.equals(c.requestsTopic)
        && replyTopic.equals(c.replyTopic)
        && rulesTopic.equals(c.rulesTopic)
        && timeout.equals(c.timeout)
        && failurePolicy == c.failurePolicy
        && maxInFlight == c.maxInFlight
        && linger.equals(c.linger)
        && replyPartitions.equals(c.replyPartitions)
        && replyGroupId.equals(c.replyGroupId)
        && startupTimeout.equals(c.startupTimeout)
        && Double.compare(localFallbackShare, c.localFallbackShare) == 0
        && localFallbackMaxCounters == c.localFallbackMaxCounters
        && kafkaProperties.equals(c.kafkaProperties)
        && Objects.equals(schemaRegistry, c.schemaRegistry)
        && Objects.equals(leasing, c.leasing);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        bootstrapServers,
        requestsTopic,
        replyTopic,
        rulesTopic,
        timeout,
        failurePolicy,
        maxInFlight,
        linger,
        replyPartitions,
        replyGroupId,
        startupTimeout,
        localFallbackShare,
        localFallbackMaxCounters,
        kafkaProperties,
        schemaRegistry,
        leasing);
  }
}
