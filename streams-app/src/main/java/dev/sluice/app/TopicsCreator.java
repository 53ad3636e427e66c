package dev.sluice.app;

import dev.sluice.topology.SluiceConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates Sluice's five topics with the configuration each needs, and checks that they exist.
 *
 * <ul>
 *   <li>rules and rules-applied: compacted (the latest version of each rule id is the state), one
 *       partition, so that every instance sees rule changes in one total order (SPEC 1);
 *   <li>requests: {@code message.timestamp.type=LogAppendTime}, so that the broker, not the client,
 *       sets the request time the limits count with (SPEC 2);
 *   <li>decisions: 1 hour retention, since a decision is only useful to a caller still waiting;
 *   <li>dead-letters: default retention, kept for an operator to inspect.
 * </ul>
 *
 * <p>With a replication factor of 3 or more, every topic also gets {@code min.insync.replicas=2}.
 */
public final class TopicsCreator {
  /** How long a decision is kept: far beyond any caller's timeout. */
  static final String DECISIONS_RETENTION_MS = String.valueOf(60L * 60 * 1000);

  private TopicsCreator() {}

  /**
   * One topic to create.
   *
   * @param name topic name
   * @param partitions partition count
   * @param configs topic-level configs
   */
  public record TopicSpec(String name, int partitions, Map<String, String> configs) {}

  /** The five topics, with {@code partitions} for requests, decisions and dead letters. */
  public static List<TopicSpec> specs(SluiceConfig config, int partitions) {
    Map<String, String> compacted =
        Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    return List.of(
        new TopicSpec(config.rulesTopic(), 1, compacted),
        new TopicSpec(config.rulesAppliedTopic(), 1, compacted),
        new TopicSpec(
            config.requestsTopic(),
            partitions,
            Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime")),
        new TopicSpec(
            config.decisionsTopic(),
            partitions,
            Map.of(TopicConfig.RETENTION_MS_CONFIG, DECISIONS_RETENTION_MS)),
        new TopicSpec(config.deadLettersTopic(), partitions, Map.of()));
  }

  /**
   * Creates those of the five topics that do not exist yet; existing ones are left as they are.
   *
   * @param replicationFactor replicas per partition, or -1 for the broker's default
   * @return the names of the topics created
   * @throws CliException when the cluster refuses (naming the topic and the broker's reason)
   */
  public static List<String> createMissing(
      Admin admin, SluiceConfig config, int partitions, short replicationFactor) {
    Set<String> missing = new TreeSet<>(missing(admin, config));
    List<NewTopic> toCreate = new ArrayList<>();
    for (TopicSpec spec : specs(config, partitions)) {
      if (missing.contains(spec.name())) {
        Map<String, String> configs = new java.util.HashMap<>(spec.configs());
        if (replicationFactor >= 3) {
          // A write (a request, a decision) is acknowledged once on two brokers: one broker can
          // then be lost without losing it, and writes go on while one is down.
          configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, AppConfig.INTERNAL_MIN_ISR);
        }
        toCreate.add(
            new NewTopic(
                    spec.name(),
                    Optional.of(spec.partitions()),
                    replicationFactor < 0 ? Optional.empty() : Optional.of(replicationFactor))
                .configs(configs));
      }
    }
    List<String> created = new ArrayList<>();
    Map<String, KafkaFuture<Void>> results = admin.createTopics(toCreate).values();
    for (Map.Entry<String, KafkaFuture<Void>> e : results.entrySet()) {
      try {
        e.getValue().get();
        created.add(e.getKey());
      } catch (ExecutionException ex) {
        if (!(ex.getCause() instanceof TopicExistsException)) {
          throw new CliException(
              "cannot create topic " + e.getKey() + ": " + ex.getCause().getMessage(), ex);
        }
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        throw new CliException("interrupted while creating topics", ex);
      }
    }
    return created.stream().sorted().toList();
  }

  /**
   * The names among the five topics that do not exist.
   *
   * @throws CliException when the cluster cannot be reached
   */
  public static List<String> missing(Admin admin, SluiceConfig config) {
    Set<String> existing;
    try {
      existing = admin.listTopics().names().get();
    } catch (ExecutionException e) {
      throw new CliException(
          "cannot list topics on the Kafka cluster: " + e.getCause().getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while listing topics", e);
    }
    return names(config).stream().filter(t -> !existing.contains(t)).sorted().toList();
  }

  /**
   * Configuration problems of existing topics that would break a guarantee: a rules topic that is
   * not compacted loses rules. (The requests topic's timestamp type is checked by {@link
   * #timestampType}, since {@code sluice run} refuses a wrong one rather than warning.)
   *
   * @return one line per problem, empty when none
   */
  public static List<String> configProblems(Admin admin, SluiceConfig config) {
    List<ConfigResource> resources =
        List.of(
            new ConfigResource(ConfigResource.Type.TOPIC, config.rulesTopic()),
            new ConfigResource(ConfigResource.Type.TOPIC, config.rulesAppliedTopic()));
    Map<ConfigResource, Config> configs;
    try {
      configs = admin.describeConfigs(resources).all().get();
    } catch (ExecutionException e) {
      return List.of("cannot read topic configs: " + e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while reading topic configs", e);
    }
    List<String> problems = new ArrayList<>();
    for (String compactedTopic : List.of(config.rulesTopic(), config.rulesAppliedTopic())) {
      String policy =
          value(configs, compactedTopic, TopicConfig.CLEANUP_POLICY_CONFIG).orElse("delete");
      if (!policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
        problems.add(
            compactedTopic
                + ": cleanup.policy is "
                + policy
                + "; it must be compact or old rules are lost when segments expire");
      }
    }
    return problems;
  }

  /**
   * The topic's effective {@code message.timestamp.type} ({@code CreateTime} or {@code
   * LogAppendTime}, topic setting or broker default), or a failure naming why it cannot be read
   * (typically a missing DESCRIBE_CONFIGS ACL).
   */
  public static TimestampType timestampType(Admin admin, String topic) {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    try {
      Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(resource)).all().get();
      return new TimestampType(
          value(configs, topic, TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG).orElse("CreateTime"),
          null);
    } catch (ExecutionException e) {
      return new TimestampType(null, e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while reading topic configs", e);
    }
  }

  /**
   * A topic's timestamp type, or why it is unknown.
   *
   * @param type {@code CreateTime} or {@code LogAppendTime}; null when unknown
   * @param error why it is unknown; null when known
   */
  public record TimestampType(String type, String error) {
    /** True when the broker, not the producer, sets the record timestamps. */
    public boolean isLogAppendTime() {
      return "LogAppendTime".equals(type);
    }
  }

  /** The five topic names. */
  public static List<String> names(SluiceConfig config) {
    return List.of(
        config.rulesTopic(),
        config.rulesAppliedTopic(),
        config.requestsTopic(),
        config.decisionsTopic(),
        config.deadLettersTopic());
  }

  private static Optional<String> value(
      Map<ConfigResource, Config> configs, String topic, String key) {
    Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic));
    if (config == null) {
      return Optional.empty();
    }
    ConfigEntry entry = config.get(key);
    return entry == null ? Optional.empty() : Optional.ofNullable(entry.value());
  }
}
