package dev.sluice.app;

import dev.sluice.topology.SluiceConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The Kafka ACLs each Sluice principal needs, and nothing more, computed from the configuration
 * (topic names, application id, allowed reply-topic prefixes). {@code sluice local --secure}
 * creates exactly {@link #bindings()}, docs/SECURITY.md lists exactly {@link #toMarkdown()} of
 * {@link #standard} (a test fails when they differ), and the security integration tests run the
 * real topology with nothing else granted.
 *
 * <p>Three roles:
 *
 * <ul>
 *   <li>{@link #app the app} ({@value #APP_USER}): reads requests and rules, writes decisions, dead
 *       letters and the validated rules, owns its internal topics, transactional ids and consumer
 *       group (all named after {@code application.id});
 *   <li>{@link #admin the rule admin} ({@value #ADMIN_USER}): reads and writes the rules topic
 *       (publish, delete), reads the validated rules ({@code sluice rules list});
 *   <li>{@link #client a decision client} ({@value #CLIENT_USER}): writes requests, reads its reply
 *       topic, joins its reply consumer group; reads the rules topic only when it uses the {@code
 *       LOCAL_FALLBACK} policy, since rules tell a caller exactly how far it may go.
 * </ul>
 *
 * <p>Kafka's implications keep the list short: READ, WRITE and DELETE each imply DESCRIBE on the
 * same resource. No principal gets any CLUSTER permission: since Kafka 2.8 an idempotent producer
 * needs only WRITE on its topics. Topics are created by the cluster's administrator (or {@code
 * sluice run --create-topics} with CREATE granted separately); the app creates only its internal
 * changelog topics.
 */
public final class AclPlan {
  /** The app's SCRAM user in {@code sluice local --secure}. */
  public static final String APP_USER = "sluice-app";

  /** The rule admin's SCRAM user in {@code sluice local --secure}. */
  public static final String ADMIN_USER = "sluice-admin";

  /** The decision client's SCRAM user in {@code sluice local --secure}. */
  public static final String CLIENT_USER = "sluice-client";

  /** Kafka principal of a user name: {@code User:name}. */
  public static String principal(String user) {
    return "User:" + user;
  }

  /**
   * One grant: {@code operations} on one resource pattern, ALLOW, from any host.
   *
   * @param principal Kafka principal, e.g. {@code User:sluice-app}
   * @param resourceType TOPIC, GROUP or TRANSACTIONAL_ID
   * @param name resource name, or the prefix when {@code patternType} is PREFIXED
   * @param patternType LITERAL or PREFIXED
   * @param operations the operations allowed
   * @param why the reason, as the documentation states it
   */
  public record Grant(
      String principal,
      ResourceType resourceType,
      String name,
      PatternType patternType,
      Set<AclOperation> operations,
      String why) {

    /** Checks the fields; operations are kept in their declaration order. */
    public Grant {
      Objects.requireNonNull(principal, "principal");
      Objects.requireNonNull(resourceType, "resourceType");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(why, "why");
      if (patternType != PatternType.LITERAL && patternType != PatternType.PREFIXED) {
        throw new IllegalArgumentException("patternType must be LITERAL or PREFIXED");
      }
      if (operations.isEmpty()) {
        throw new IllegalArgumentException("a grant needs at least one operation");
      }
      operations = Collections.unmodifiableSet(EnumSet.copyOf(operations));
    }

    /** One Kafka ACL binding per operation. */
    public List<AclBinding> bindings() {
      ResourcePattern pattern = new ResourcePattern(resourceType, name, patternType);
      return operations.stream()
          .map(
              op ->
                  new AclBinding(
                      pattern, new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)))
          .toList();
    }
  }

  /**
   * What a decision client reads and writes.
   *
   * @param requestsTopic where it produces requests
   * @param replyTopic its reply topic, or (with {@code replyPattern} PREFIXED) the prefix of its
   *     reply topics
   * @param replyPattern LITERAL, or PREFIXED for a tenant owning every topic under a prefix
   * @param replyGroupPrefix prefix of its reply consumer group ids ({@code
   *     sluice.client.reply.group.id}); a client with explicit reply partitions needs none, but the
   *     grant does no harm
   * @param rulesTopic the rules topic when it uses {@code LOCAL_FALLBACK}, else null
   */
  public record ClientAccess(
      String requestsTopic,
      String replyTopic,
      PatternType replyPattern,
      String replyGroupPrefix,
      String rulesTopic) {

    /**
     * A client of the configuration's default topics, joining reply groups under {@code
     * sluice-client} (the decision-client's default group id).
     *
     * @param readsRules true when it uses {@code LOCAL_FALLBACK}
     */
    public static ClientAccess standard(SluiceConfig config, boolean readsRules) {
      return new ClientAccess(
          config.requestsTopic(),
          config.decisionsTopic(),
          PatternType.LITERAL,
          "sluice-client",
          readsRules ? config.rulesTopic() : null);
    }

    /**
     * A tenant: its own reply topics under {@code replyTopicPrefix} (which must start with one of
     * the app's {@code sluice.reply.topic.allowed.prefixes}) and its own group prefix. End both
     * prefixes with a separator ({@code tenant-a.}): a prefix ACL on {@code tenant-a} would also
     * cover {@code tenant-ab}.
     */
    public static ClientAccess tenant(
        SluiceConfig config, String replyTopicPrefix, String groupPrefix) {
      return new ClientAccess(
          config.requestsTopic(), replyTopicPrefix, PatternType.PREFIXED, groupPrefix, null);
    }
  }

  private final List<Grant> grants;

  private AclPlan(List<Grant> grants) {
    this.grants = List.copyOf(grants);
  }

  /** A plan of exactly these grants. */
  public static AclPlan of(List<Grant> grants) {
    return new AclPlan(grants);
  }

  /**
   * The plan docs/SECURITY.md documents and {@code sluice local --secure} applies: the app as
   * {@value #APP_USER}, the rule admin as {@value #ADMIN_USER} and one client as {@value
   * #CLIENT_USER} that does not read rules.
   */
  public static AclPlan standard(SluiceConfig config, String applicationId) {
    List<Grant> all = new ArrayList<>();
    all.addAll(app(principal(APP_USER), config, applicationId));
    all.addAll(admin(principal(ADMIN_USER), config));
    all.addAll(client(principal(CLIENT_USER), ClientAccess.standard(config, false)));
    return new AclPlan(all);
  }

  /** The grants of this plan that {@code other} does not have, in order. */
  public AclPlan minus(AclPlan other) {
    return new AclPlan(grants.stream().filter(g -> !other.grants.contains(g)).toList());
  }

  /** This plan and {@code more}. */
  public AclPlan with(List<Grant> more) {
    List<Grant> all = new ArrayList<>(grants);
    all.addAll(more);
    return new AclPlan(all);
  }

  /**
   * What a Sluice instance needs. Its internal topics ({@code <application.id>-...-changelog}) and
   * transactional ids ({@code <application.id>-<process>-<thread>} under exactly-once) are covered
   * by the prefix {@code <application.id>-}, its consumer group is {@code application.id} itself.
   */
  public static List<Grant> app(String principal, SluiceConfig config, String applicationId) {
    List<Grant> g = new ArrayList<>();
    g.add(
        topic(
            principal,
            config.rulesTopic(),
            PatternType.LITERAL,
            ops(AclOperation.READ, AclOperation.DESCRIBE_CONFIGS),
            "the rule validator consumes rule changes; `run` checks the topic is compacted"));
    g.add(
        topic(
            principal,
            config.rulesAppliedTopic(),
            PatternType.LITERAL,
            ops(AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE_CONFIGS),
            "the validator writes validated rules; every instance's global rule store reads"
                + " them; `run` checks the topic is compacted"));
    g.add(
        topic(
            principal,
            config.requestsTopic(),
            PatternType.LITERAL,
            ops(AclOperation.READ, AclOperation.DESCRIBE_CONFIGS),
            "the limiter consumes requests; `run` checks the topic uses LogAppendTime"));
    g.add(
        topic(
            principal,
            config.decisionsTopic(),
            PatternType.LITERAL,
            ops(AclOperation.WRITE),
            "decisions"));
    for (String prefix : config.replyTopicPrefixes()) {
      g.add(
          topic(
              principal,
              prefix,
              PatternType.PREFIXED,
              ops(AclOperation.WRITE),
              "decisions to the reply topics `sluice.reply.topic.allowed.prefixes` allows"));
    }
    g.add(
        topic(
            principal,
            config.deadLettersTopic(),
            PatternType.LITERAL,
            ops(AclOperation.WRITE),
            "dead letters (undecodable requests and rules)"));
    g.add(
        topic(
            principal,
            applicationId + "-",
            PatternType.PREFIXED,
            ops(AclOperation.CREATE, AclOperation.READ, AclOperation.WRITE),
            "Kafka Streams creates its changelog topics, writes them and restores from them"));
    g.add(
        new Grant(
            principal,
            ResourceType.GROUP,
            applicationId,
            PatternType.LITERAL,
            ops(AclOperation.READ),
            "the application's consumer group: join, commit (inside transactions), and the"
                + " readiness check's committed-offset lookup"));
    g.add(
        new Grant(
            principal,
            ResourceType.TRANSACTIONAL_ID,
            applicationId + "-",
            PatternType.PREFIXED,
            ops(AclOperation.WRITE),
            "exactly_once_v2: one transactional producer per stream thread"));
    return g;
  }

  /** What the rule admin ({@code sluice rules apply|list|delete}) needs. */
  public static List<Grant> admin(String principal, SluiceConfig config) {
    return List.of(
        topic(
            principal,
            config.rulesTopic(),
            PatternType.LITERAL,
            ops(AclOperation.READ, AclOperation.WRITE),
            "`rules apply` reads the current rules and publishes the differences; `rules"
                + " delete` writes tombstones"),
        topic(
            principal,
            config.rulesAppliedTopic(),
            PatternType.LITERAL,
            ops(AclOperation.READ),
            "`rules list` shows the rules as the service holds them"));
  }

  /** What a decision client (and {@code sluice check}) needs. */
  public static List<Grant> client(String principal, ClientAccess access) {
    List<Grant> g = new ArrayList<>();
    g.add(
        topic(
            principal,
            access.requestsTopic(),
            PatternType.LITERAL,
            ops(AclOperation.WRITE),
            "requests"));
    g.add(
        topic(
            principal,
            access.replyTopic(),
            access.replyPattern(),
            ops(AclOperation.READ),
            access.replyPattern() == PatternType.PREFIXED
                ? "its own reply topics, and no one else's"
                : "decisions (every decision on this topic, not only its own)"));
    g.add(
        new Grant(
            principal,
            ResourceType.GROUP,
            access.replyGroupPrefix(),
            PatternType.PREFIXED,
            ops(AclOperation.READ),
            "the reply consumer group that shares reply partitions among its instances"));
    if (access.rulesTopic() != null) {
      g.add(
          topic(
              principal,
              access.rulesTopic(),
              PatternType.LITERAL,
              ops(AclOperation.READ),
              "LOCAL_FALLBACK: the local limiter's rules"));
    }
    return g;
  }

  /** The grants, in order. */
  public List<Grant> grants() {
    return grants;
  }

  /** Every ACL binding of every grant, in order. */
  public List<AclBinding> bindings() {
    return grants.stream().flatMap(g -> g.bindings().stream()).toList();
  }

  /**
   * The plan as a Markdown table: principal, resource type, name, pattern, operations, why. This is
   * the table docs/SECURITY.md shows, between the markers {@code <!-- acl-plan:begin -->} and
   * {@code <!-- acl-plan:end -->}.
   */
  public String toMarkdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("| principal | resource | name | pattern | operations | why |\n");
    sb.append("|---|---|---|---|---|---|\n");
    for (Grant g : grants) {
      sb.append("| `")
          .append(g.principal())
          .append("` | ")
          .append(lower(g.resourceType().name()))
          .append(" | `")
          .append(g.name())
          .append(g.patternType() == PatternType.PREFIXED ? "*" : "")
          .append("` | ")
          .append(lower(g.patternType().name()))
          .append(" | ")
          .append(g.operations().stream().map(Enum::name).collect(Collectors.joining(", ")))
          .append(" | ")
          .append(g.why())
          .append(" |\n");
    }
    return sb.toString();
  }

  /**
   * The plan as {@code kafka-acls.sh} commands, one per grant, for clusters set up by hand.
   *
   * @param bootstrap the {@code --bootstrap-server} value
   */
  public String toKafkaAclsCommands(String bootstrap) {
    StringBuilder sb = new StringBuilder();
    for (Grant g : grants) {
      sb.append("kafka-acls.sh --bootstrap-server ")
          .append(bootstrap)
          .append(" --command-config admin-client.properties --add --allow-principal ")
          .append(g.principal());
      for (AclOperation op : g.operations()) {
        sb.append(" --operation ").append(kafkaAclsName(op));
      }
      sb.append(" --resource-pattern-type ").append(lower(g.patternType().name()));
      sb.append(
          switch (g.resourceType()) {
            case TOPIC -> " --topic ";
            case GROUP -> " --group ";
            case TRANSACTIONAL_ID -> " --transactional-id ";
            default -> throw new IllegalStateException("no grant on " + g.resourceType());
          });
      sb.append(g.name()).append('\n');
    }
    return sb.toString();
  }

  private static String kafkaAclsName(AclOperation op) {
    // kafka-acls.sh spells operations in CamelCase: Read, DescribeConfigs.
    StringBuilder sb = new StringBuilder();
    for (String part : op.name().split("_")) {
      sb.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
    }
    return sb.toString();
  }

  private static Grant topic(
      String principal, String name, PatternType pattern, Set<AclOperation> ops, String why) {
    return new Grant(principal, ResourceType.TOPIC, name, pattern, ops, why);
  }

  private static Set<AclOperation> ops(AclOperation first, AclOperation... rest) {
    return EnumSet.of(first, rest);
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT).replace('_', ' ');
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AclPlan p && grants.equals(p.grants);
  }

  @Override
  public int hashCode() {
    return grants.hashCode();
  }

  @Override
  public String toString() {
    return "AclPlan" + grants;
  }
}
