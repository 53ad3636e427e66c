package dev.sluice.security;

import static dev.sluice.security.SecureCluster.login;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.app.AclPlan;
import dev.sluice.app.AclsCommand;
import dev.sluice.app.CheckCommand;
import dev.sluice.app.CliException;
import dev.sluice.app.EmbeddedKafka;
import dev.sluice.app.Io;
import dev.sluice.app.LocalSecurity;
import dev.sluice.app.RulesCommand;
import dev.sluice.app.RunCommand;
import dev.sluice.app.Scram;
import dev.sluice.app.SluiceInstance;
import dev.sluice.app.TopicsCreator;
import dev.sluice.avro.Decision;
import dev.sluice.avro.DecisionReason;
import dev.sluice.client.ClientDecision;
import dev.sluice.client.DecisionClient;
import dev.sluice.client.DecisionClientConfig;
import dev.sluice.client.DecisionClientException;
import dev.sluice.client.DecisionSource;
import dev.sluice.security.SecureCluster.DecisionReader;
import dev.sluice.topology.SluiceConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedSaslMechanismException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sluice on a secured broker ({@link EmbeddedKafka#startSecure}: SASL/SCRAM-SHA-512 and the
 * StandardAuthorizer, the broker its only super user) with nothing granted but {@link AclPlan}'s
 * ACLs. Two real instances run as their own principals: {@value #APP_ID} on the default topics with
 * a {@code LogAppendTime} requests topic and tenant reply topics allowed, and {@value #CT_APP_ID}
 * on {@code ct.*} topics whose requests topic is {@code CreateTime}, to show the failure mode
 * {@code LogAppendTime} prevents.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecureClusterIntegrationTest {
  /** The default application id, so the app's grants are exactly the documented ones. */
  static final String APP_ID = "sluice";

  static final String CT_APP_ID = "sluice-ct";
  static final String CT_APP_USER = "sluice-app-ct";
  static final String TENANT_A = "tenant-a";
  static final String TENANT_B = "tenant-b";
  static final String TENANT_PREFIX = "sluice.decisions.";
  static final String A_REPLIES = "sluice.decisions.tenant-a.replies";
  static final String B_REPLIES = "sluice.decisions.tenant-b.replies";

  private static final long TEN_YEARS_MS = TimeUnit.DAYS.toMillis(3652);

  @TempDir static Path tmp;
  private EmbeddedKafka kafka;
  private Admin superAdmin;
  private LocalSecurity security;
  private SluiceConfig topics;
  private SluiceConfig ctTopics;
  private Map<String, String> ctSettings;
  private AclPlan plan;
  private SluiceInstance app;
  private SluiceInstance ctApp;
  private Map<String, Path> configFiles;

  @BeforeAll
  void startSecuredCluster() throws Exception {
    kafka = EmbeddedKafka.startSecure(tmp.resolve("kafka"), 0);
    superAdmin = SecureCluster.superAdmin(kafka);
    topics = SecureCluster.sluiceConfig(Map.of(SluiceConfig.REPLY_TOPIC_PREFIXES, TENANT_PREFIX));
    ctSettings = new LinkedHashMap<>();
    for (String name : List.of("rules", "rules-applied", "requests", "decisions", "dead-letters")) {
      ctSettings.put("sluice.topic." + name, "ct." + name);
    }
    ctTopics = SecureCluster.sluiceConfig(ctSettings);

    TopicsCreator.createMissing(superAdmin, topics, 1, (short) 1);
    TopicsCreator.createMissing(superAdmin, ctTopics, 1, (short) 1);
    superAdmin
        .incrementalAlterConfigs(
            Map.of(
                new ConfigResource(ConfigResource.Type.TOPIC, ctTopics.requestsTopic()),
                List.of(
                    new AlterConfigOp(
                        new ConfigEntry("message.timestamp.type", "CreateTime"),
                        AlterConfigOp.OpType.SET))))
        .all()
        .get();
    superAdmin
        .createTopics(
            List.of(new NewTopic(A_REPLIES, 1, (short) 1), new NewTopic(B_REPLIES, 1, (short) 1)))
        .all()
        .get();

    plan =
        AclPlan.standard(topics, APP_ID)
            .with(
                AclPlan.client(
                    AclPlan.principal(TENANT_A),
                    AclPlan.ClientAccess.tenant(
                        topics, TENANT_PREFIX + TENANT_A + ".", TENANT_A + ".")))
            .with(
                AclPlan.client(
                    AclPlan.principal(TENANT_B),
                    AclPlan.ClientAccess.tenant(
                        topics, TENANT_PREFIX + TENANT_B + ".", TENANT_B + ".")))
            .with(AclPlan.app(AclPlan.principal(CT_APP_USER), ctTopics, CT_APP_ID))
            .with(AclPlan.admin(AclPlan.principal(AclPlan.ADMIN_USER), ctTopics))
            .with(
                AclPlan.client(
                    AclPlan.principal(AclPlan.CLIENT_USER),
                    AclPlan.ClientAccess.standard(ctTopics, false)));
    security =
        LocalSecurity.setUp(
            superAdmin,
            kafka.bootstrapServers(),
            SecureCluster.users(TENANT_A, TENANT_B, CT_APP_USER),
            plan);
    Map<String, String> ctApp = new LinkedHashMap<>(ctSettings);
    ctApp.put("application.id", CT_APP_ID);
    ctApp.put("replication.factor", "1");
    ctApp.put("state.dir", tmp.resolve("state-ct-run").toString());
    configFiles = security.writeConfigs(tmp.resolve("config"), Map.of(CT_APP_USER, ctApp));

    try (KafkaProducer<String, byte[]> admin =
        SecureCluster.producer(login(security, AclPlan.ADMIN_USER))) {
      for (String rulesTopic : List.of(topics.rulesTopic(), ctTopics.rulesTopic())) {
        for (ProducerRecord<String, byte[]> rule : rules(rulesTopic)) {
          SecureCluster.send(admin, rule);
        }
      }
    }
    app =
        SecureCluster.startReady(
            SecureCluster.instanceConfig(
                tmp.resolve("state"),
                APP_ID,
                login(security, AclPlan.APP_USER),
                Map.of(SluiceConfig.REPLY_TOPIC_PREFIXES, TENANT_PREFIX)));
    this.ctApp =
        SecureCluster.startReady(
            SecureCluster.instanceConfig(
                tmp.resolve("state-ct"), CT_APP_ID, login(security, CT_APP_USER), ctSettings));
    awaitRules(app, 4);
    awaitRules(this.ctApp, 4);
  }

  @AfterAll
  void stop() {
    for (SluiceInstance i : Arrays.asList(app, ctApp)) {
      if (i != null) {
        i.close(Duration.ofSeconds(20));
      }
    }
    if (superAdmin != null) {
      superAdmin.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  private static List<ProducerRecord<String, byte[]>> rules(String topic) {
    return List.of(
        new ProducerRecord<>(
            topic, "login", SecureCluster.ruleJson("login", "login:*", 3, 60, "FIXED_WINDOW")),
        // Long windows with no fixed boundaries (sliding log): the outcome cannot depend on
        // when the test runs. "reset" and "past" count over 10 minutes, "lock" over 2 s.
        new ProducerRecord<>(
            topic, "reset", SecureCluster.ruleJson("reset", "reset:*", 1, 600, "SLIDING_WINDOW")),
        new ProducerRecord<>(
            topic, "past", SecureCluster.ruleJson("past", "past:*", 1, 600, "SLIDING_WINDOW")),
        new ProducerRecord<>(
            topic, "lock", SecureCluster.ruleJson("lock", "lock:*", 1, 2, "SLIDING_WINDOW")));
  }

  private static void awaitRules(SluiceInstance instance, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (instance.rulesLoaded() < count || !instance.readiness().ready()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("rules not loaded: " + instance.readiness());
      }
      Thread.sleep(100);
    }
  }

  // ---------------------------------------------------------------- authentication

  @Test
  void shouldRefuseConnectionsThatDoNotAuthenticate() {
    Map<String, String> plaintext = Map.of("bootstrap.servers", kafka.bootstrapServers());
    Admin unauthenticated = SecureCluster.admin(withShortTimeouts(plaintext));
    try {
      // The listener speaks SASL only: a client that does not start a SASL handshake is
      // disconnected on its first request and never gets an answer.
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> unauthenticated.listTopics().names().get(20, TimeUnit.SECONDS));
      assertInstanceOf(org.apache.kafka.common.errors.TimeoutException.class, e.getCause());
    } finally {
      unauthenticated.close(Duration.ofMillis(500));
    }

    Map<String, String> wrongPassword = new LinkedHashMap<>(login(security, AclPlan.APP_USER));
    wrongPassword.put("sasl.jaas.config", Scram.jaasConfig(AclPlan.APP_USER, "not-the-password"));
    assertLoginRefused(wrongPassword, SaslAuthenticationException.class);

    Map<String, String> unknownUser = new LinkedHashMap<>(login(security, AclPlan.APP_USER));
    unknownUser.put("sasl.jaas.config", Scram.jaasConfig("mallory", "x"));
    assertLoginRefused(unknownUser, SaslAuthenticationException.class);

    Map<String, String> plain = new LinkedHashMap<>(login(security, AclPlan.APP_USER));
    plain.put("sasl.mechanism", "PLAIN");
    plain.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"sluice-broker\" password=\"guess\";");
    assertLoginRefused(plain, UnsupportedSaslMechanismException.class);
  }

  private static Map<String, String> withShortTimeouts(Map<String, String> login) {
    Map<String, String> m = new HashMap<>(login);
    m.put("default.api.timeout.ms", "3000");
    m.put("request.timeout.ms", "2000");
    return m;
  }

  private static void assertLoginRefused(
      Map<String, String> login, Class<? extends Exception> expected) {
    Admin admin = SecureCluster.admin(withShortTimeouts(login));
    try {
      ExecutionException e =
          assertThrows(
              ExecutionException.class, () -> admin.listTopics().names().get(20, TimeUnit.SECONDS));
      assertInstanceOf(expected, e.getCause(), String.valueOf(e.getCause()));
    } finally {
      admin.close(Duration.ofMillis(500));
    }
  }

  // ---------------------------------------------------------------- rules are the admin's

  @Test
  void clientPrincipalShouldNotPublishOrDeleteRules() throws Exception {
    Map<String, String> admin = login(security, AclPlan.ADMIN_USER);
    List<String> before = describe(SecureCluster.readAll(admin, topics.rulesTopic()));
    Map<String, String> client = login(security, AclPlan.CLIENT_USER);

    try (KafkaProducer<String, byte[]> producer = SecureCluster.producer(client)) {
      byte[] evil = SecureCluster.ruleJson("login", "login:*", 1_000_000, 1, "FIXED_WINDOW");
      for (ProducerRecord<String, byte[]> attempt :
          List.of(
              new ProducerRecord<>(topics.rulesTopic(), "login", evil),
              new ProducerRecord<String, byte[]>(topics.rulesTopic(), "login", null),
              new ProducerRecord<>(topics.rulesAppliedTopic(), "login", evil))) {
        ExecutionException e =
            assertThrows(ExecutionException.class, () -> SecureCluster.send(producer, attempt));
        assertInstanceOf(TopicAuthorizationException.class, e.getCause(), attempt.topic());
      }
    }
    try (Admin clientAdmin = SecureCluster.admin(client)) {
      TopicPartition rules0 = new TopicPartition(topics.rulesTopic(), 0);
      ExecutionException purge =
          assertThrows(
              ExecutionException.class,
              () ->
                  clientAdmin
                      .deleteRecords(Map.of(rules0, RecordsToDelete.beforeOffset(1_000)))
                      .all()
                      .get());
      assertInstanceOf(TopicAuthorizationException.class, purge.getCause());
      ExecutionException drop =
          assertThrows(
              ExecutionException.class,
              () -> clientAdmin.deleteTopics(List.of(topics.rulesTopic())).all().get());
      assertInstanceOf(TopicAuthorizationException.class, drop.getCause());
    }
    // Nor can it read them (it does not use LOCAL_FALLBACK), so it cannot learn the limits.
    try (KafkaConsumer<String, byte[]> consumer = SecureCluster.consumer(client)) {
      consumer.assign(List.of(new TopicPartition(topics.rulesTopic(), 0)));
      assertThrows(TopicAuthorizationException.class, () -> consumer.poll(Duration.ofSeconds(5)));
    }
    // The CLI with the client's config fails on the broker's refusal (SluiceMain prints it).
    Path clientFile = configFiles.get(AclPlan.CLIENT_USER);
    assertThrows(
        TopicAuthorizationException.class,
        () ->
            RulesCommand.run(
                List.of("delete", "login", "--config", clientFile.toString()), quietIo(Map.of())));

    assertEquals(before, describe(SecureCluster.readAll(admin, topics.rulesTopic())));
    assertEquals(4.0, app.rulesLoaded());
  }

  private static List<String> describe(List<ConsumerRecord<String, byte[]>> records) {
    return records.stream()
        .map(
            r ->
                r.offset()
                    + ":"
                    + r.key()
                    + "="
                    + (r.value() == null ? "null" : new String(r.value(), StandardCharsets.UTF_8)))
        .toList();
  }

  // ---------------------------------------------------------------- least privilege, working

  @Test
  void appShouldRunAndAnswerWithExactlyTheDocumentedAcls() throws Exception {
    // The broker holds the plan and nothing else; the app's share is the documented one (for
    // the default topics and application id, plus the tenant prefix this deployment allows).
    Set<AclBinding> onBroker =
        new HashSet<>(superAdmin.describeAcls(AclBindingFilter.ANY).values().get());
    assertEquals(new HashSet<>(plan.bindings()), onBroker);
    AclPlan documented =
        AclPlan.standard(
            SecureCluster.sluiceConfig(Map.of(SluiceConfig.REPLY_TOPIC_PREFIXES, TENANT_PREFIX)),
            "sluice");
    String appPrincipal = AclPlan.principal(AclPlan.APP_USER);
    assertEquals(
        documented.bindings().stream()
            .filter(b -> b.entry().principal().equals(appPrincipal))
            .collect(Collectors.toSet()),
        onBroker.stream()
            .filter(b -> b.entry().principal().equals(appPrincipal))
            .collect(Collectors.toSet()));
    assertEquals("RUNNING", app.readiness().state());

    // A decision-client logged in as sluice-client gets the service's answer.
    try (DecisionClient client =
        DecisionClient.create(clientConfig(AclPlan.CLIENT_USER, topics.decisionsTopic(), null))) {
      ClientDecision d = client.decide("login:alice", Map.of(), 1);
      assertEquals(DecisionSource.SERVICE, d.source(), d.toString());
      assertEquals("login", d.ruleId());
      assertTrue(d.allowed());
    }

    // The CLI, with --config files and with SLUICE_* variables only.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Io io =
        new Io(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            Map.of());
    assertEquals(
        0,
        CheckCommand.run(
            List.of(
                "--key",
                "login:bob",
                "--json",
                "--config",
                configFiles.get(AclPlan.CLIENT_USER).toString()),
            io));
    assertTrue(
        out.toString(StandardCharsets.UTF_8).contains("\"source\":\"SERVICE\""),
        out.toString(StandardCharsets.UTF_8));
    out.reset();
    assertEquals(
        0,
        RulesCommand.run(
            List.of("list", "--config", configFiles.get(AclPlan.ADMIN_USER).toString()), io));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("4 rule(s)"), out.toString());
    out.reset();
    Map<String, String> env = new HashMap<>();
    login(security, AclPlan.ADMIN_USER)
        .forEach((k, v) -> env.put("SLUICE_" + k.toUpperCase(Locale.ROOT).replace('.', '_'), v));
    assertEquals(0, RulesCommand.run(List.of("list"), new Io(io.out(), io.err(), env)));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("4 rule(s)"), out.toString());

    // Least privilege: the app itself cannot rewrite the rules it reads.
    try (KafkaProducer<String, byte[]> producer =
        SecureCluster.producer(login(security, AclPlan.APP_USER))) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () ->
                  SecureCluster.send(
                      producer, new ProducerRecord<>(topics.rulesTopic(), "login", new byte[0])));
      assertInstanceOf(TopicAuthorizationException.class, e.getCause());
    }
  }

  private DecisionClientConfig clientConfig(String user, String replyTopic, String group) {
    DecisionClientConfig.Builder b =
        DecisionClientConfig.builder(kafka.bootstrapServers())
            .replyTopic(replyTopic)
            .timeout(Duration.ofSeconds(10))
            .startupTimeout(Duration.ofSeconds(20));
    if (group == null) {
      b.replyPartitions(0);
    } else {
      b.replyGroupId(group);
    }
    login(security, user)
        .forEach(
            (k, v) -> {
              if (!k.equals("bootstrap.servers")) {
                b.kafkaProperty(k, v);
              }
            });
    return b.build();
  }

  @Test
  void aclsCommandShouldApplyThePlanOfAConfig() throws Exception {
    Path file = tmp.resolve("acls-apply.properties");
    Map<String, String> settings = new LinkedHashMap<>(kafka.superUserSettings());
    settings.put("bootstrap.servers", kafka.bootstrapServers());
    settings.put("application.id", "billing-limiter");
    settings.put("sluice.topic.requests", "billing.requests");
    java.util.Properties p = new java.util.Properties();
    p.putAll(settings);
    try (var out = java.nio.file.Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(out, null);
    }
    AclPlan expected =
        AclPlan.standard(
            SecureCluster.sluiceConfig(Map.of("sluice.topic.requests", "billing.requests")),
            "billing-limiter");
    try {
      assertEquals(
          0, AclsCommand.run(List.of("--apply", "--config", file.toString()), quietIo(Map.of())));
      Set<AclBinding> onBroker =
          new HashSet<>(superAdmin.describeAcls(AclBindingFilter.ANY).values().get());
      assertTrue(onBroker.containsAll(expected.bindings()), "not applied: " + expected);
    } finally {
      // Leave the broker holding exactly the class's plan again.
      Set<AclBinding> extra = new HashSet<>(expected.bindings());
      extra.removeAll(plan.bindings());
      superAdmin.deleteAcls(extra.stream().map(AclBinding::toFilter).toList()).all().get();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!new HashSet<>(superAdmin.describeAcls(AclBindingFilter.ANY).values().get())
          .equals(new HashSet<>(plan.bindings()))) {
        assertTrue(System.nanoTime() < deadline, "extra ACLs not removed");
        Thread.sleep(50);
      }
    }
  }

  // ---------------------------------------------------------------- tenants

  @Test
  void tenantShouldNotReadAnotherTenantsDecisions() throws Exception {
    try (DecisionClient a =
        DecisionClient.create(clientConfig(TENANT_A, A_REPLIES, TENANT_A + ".replies"))) {
      ClientDecision d = a.decide("login:tenant-a-user", Map.of(), 1);
      assertEquals(DecisionSource.SERVICE, d.source(), d.toString());
    }

    Map<String, String> b = login(security, TENANT_B);
    try (KafkaConsumer<String, byte[]> spy = SecureCluster.consumer(b)) {
      spy.assign(List.of(new TopicPartition(A_REPLIES, 0)));
      spy.seekToBeginning(List.of(new TopicPartition(A_REPLIES, 0)));
      assertThrows(TopicAuthorizationException.class, () -> spy.poll(Duration.ofSeconds(5)));
    }
    // Nor the shared decisions topic, which tenants do not use.
    try (KafkaConsumer<String, byte[]> spy = SecureCluster.consumer(b)) {
      spy.assign(List.of(new TopicPartition(topics.decisionsTopic(), 0)));
      assertThrows(TopicAuthorizationException.class, () -> spy.poll(Duration.ofSeconds(5)));
    }
    DecisionClientConfig bOnA =
        DecisionClientConfig.builder(kafka.bootstrapServers())
            .replyTopic(A_REPLIES)
            .replyPartitions(0)
            .startupTimeout(Duration.ofSeconds(3))
            .kafkaProperties(withoutBootstrap(b))
            .build();
    assertThrows(DecisionClientException.class, () -> DecisionClient.create(bOnA).close());

    // Tenant B's own setup works: the refusals above are isolation, not misconfiguration.
    try (DecisionClient own =
        DecisionClient.create(clientConfig(TENANT_B, B_REPLIES, TENANT_B + ".replies"))) {
      assertEquals(DecisionSource.SERVICE, own.decide("login:tenant-b-user", Map.of(), 1).source());
    }
  }

  // ---------------------------------------------------------------- reply topic not writable

  /**
   * Issue 17 item 1, the authorisation case: a reply topic under an allowed prefix that exists but
   * that the service's principal may not write (an explicit DENY on it) is answered like an absent
   * one: {@code INVALID_REQUEST} naming replyTopic on the decisions topic, at once, and the stream
   * thread keeps running. Kafka Streams 4.4 would stop the thread on the send's authorisation error
   * without asking any handler, so this is the instance's reply-topic check at work.
   */
  @Test
  void shouldAnswerARequestForAReplyTopicTheServiceMayNotWriteOnTheDecisionsTopic()
      throws Exception {
    String forbidden = TENANT_PREFIX + "forbidden.replies";
    superAdmin.createTopics(List.of(new NewTopic(forbidden, 1, (short) 1))).all().get();
    AclBinding deny =
        new AclBinding(
            new ResourcePattern(ResourceType.TOPIC, forbidden, PatternType.LITERAL),
            new AccessControlEntry(
                AclPlan.principal(AclPlan.APP_USER),
                "*",
                AclOperation.WRITE,
                AclPermissionType.DENY));
    superAdmin.createAcls(List.of(deny)).all().get();
    Map<String, String> client = login(security, AclPlan.CLIENT_USER);
    try (KafkaProducer<String, byte[]> producer = SecureCluster.producer(client);
        DecisionReader reader = new DecisionReader(client, topics.decisionsTopic())) {
      Decision d = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      // The first requests may find the topic not yet seen; then it is known and not writable.
      while (System.nanoTime() < deadline) {
        String id = UUID.randomUUID().toString();
        String json =
            "{\"id\":\"" + id + "\",\"key\":\"login:x\",\"replyTopic\":\"" + forbidden + "\"}";
        SecureCluster.send(
            producer,
            new ProducerRecord<>(
                topics.requestsTopic(), "login:x", json.getBytes(StandardCharsets.UTF_8)));
        d = reader.await(id);
        if (String.valueOf(d.getMessage()).contains("WRITE")) {
          break;
        }
        Thread.sleep(200);
      }
      assertEquals(DecisionReason.INVALID_REQUEST, d.getReason());
      assertEquals(
          "replyTopic: the service may not write to it (no WRITE permission) (got \""
              + forbidden
              + "\")",
          String.valueOf(d.getMessage()));
      assertEquals(KafkaStreams.State.RUNNING, app.streams().state());
    } finally {
      superAdmin.deleteAcls(List.of(deny.toFilter())).all().get();
      superAdmin.deleteTopics(List.of(forbidden)).all().get();
    }
  }

  private static Map<String, String> withoutBootstrap(Map<String, String> login) {
    Map<String, String> m = new LinkedHashMap<>(login);
    m.remove("bootstrap.servers");
    return m;
  }

  // ---------------------------------------------------------------- trusted time

  /** One request with a chosen record timestamp (null: the producer's clock), and its answer. */
  private record Answer(Decision decision, long sentMs, long answeredMs) {
    boolean allowed() {
      return decision.getAllowed();
    }

    long time() {
      return decision.getTimestampMs();
    }

    /** The decision's time is the broker's clock at append: between send and answer. */
    boolean onBrokerClock() {
      return time() >= sentMs - 1000 && time() <= answeredMs + 1000;
    }
  }

  private Answer ask(
      KafkaProducer<String, byte[]> producer,
      DecisionReader reader,
      String topic,
      String key,
      Long timestamp)
      throws Exception {
    String id = UUID.randomUUID().toString();
    long sent = System.currentTimeMillis();
    SecureCluster.send(
        producer,
        new ProducerRecord<>(topic, null, timestamp, key, SecureCluster.requestJson(id, key)));
    Decision d = reader.await(id);
    return new Answer(d, sent, System.currentTimeMillis());
  }

  @Test
  void forgedClientTimestampsShouldNotResetExtendOrShiftAnyWindow() throws Exception {
    Map<String, String> client = login(security, AclPlan.CLIENT_USER);
    try (Admin asApp = SecureCluster.admin(login(security, AclPlan.APP_USER))) {
      assertTrue(
          TopicsCreator.timestampType(asApp, topics.requestsTopic()).isLogAppendTime(),
          "TopicsCreator must create the requests topic with LogAppendTime");
    }
    String requests = topics.requestsTopic();
    try (KafkaProducer<String, byte[]> producer = SecureCluster.producer(client);
        DecisionReader reader = new DecisionReader(client, topics.decisionsTopic())) {
      long now = System.currentTimeMillis();

      // Reset: a full window stays full whatever time the client claims.
      Answer first = ask(producer, reader, requests, "reset:lat", null);
      Answer second = ask(producer, reader, requests, "reset:lat", null);
      Answer future = ask(producer, reader, requests, "reset:lat", now + TEN_YEARS_MS);
      Answer nextWindow =
          ask(producer, reader, requests, "reset:lat", now + TimeUnit.MINUTES.toMillis(11));
      assertTrue(first.allowed());
      assertFalse(second.allowed());
      for (Answer forged : List.of(future, nextWindow)) {
        assertFalse(forged.allowed(), forged.decision().toString());
        assertEquals(DecisionReason.RATE_LIMITED, forged.decision().getReason());
        assertTrue(forged.onBrokerClock(), forged.toString());
        // The window still ends 10 minutes after the first request, on the broker's clock.
        assertTrue(
            forged.time() + forged.decision().getRetryAfterMs() <= first.time() + 600_000,
            forged.toString());
      }

      // Extend / lock: a far-future request does not drag the counter's clock forward.
      Answer farFuture = ask(producer, reader, requests, "lock:lat", now + TEN_YEARS_MS);
      assertTrue(farFuture.allowed());
      assertTrue(farFuture.onBrokerClock(), farFuture.toString());
      Thread.sleep(2_500);
      Answer later = ask(producer, reader, requests, "lock:lat", null);
      assertTrue(later.allowed(), "the 2 s window passed on the broker's clock: " + later);
      assertTrue(later.onBrokerClock(), later.toString());

      // Shift back: a far-past request is charged now, not in a window long gone.
      Answer farPast = ask(producer, reader, requests, "past:lat", now - TEN_YEARS_MS);
      Answer after = ask(producer, reader, requests, "past:lat", null);
      assertTrue(farPast.allowed());
      assertTrue(farPast.onBrokerClock(), farPast.toString());
      assertFalse(after.allowed(), "the far-past request spent the permit: " + after);
    }
  }

  /**
   * The failure mode LogAppendTime prevents, on a CreateTime requests topic: the client's timestamp
   * is the counter's time. Kafka 4's default {@code message.timestamp.after.max.ms} (1 hour)
   * refuses the 10-year forgery, but an hour ahead is plenty: it opens a fresh window past a full
   * one, and locks a key for everyone until real time catches up.
   */
  @Test
  void forgedClientTimestampsShouldResetAndLockWindowsOnCreateTime() throws Exception {
    Map<String, String> client = login(security, AclPlan.CLIENT_USER);
    String requests = ctTopics.requestsTopic();
    try (KafkaProducer<String, byte[]> producer = SecureCluster.producer(client);
        DecisionReader reader = new DecisionReader(client, ctTopics.decisionsTopic())) {
      long now = System.currentTimeMillis();

      ExecutionException refused =
          assertThrows(
              ExecutionException.class,
              () -> ask(producer, reader, requests, "reset:ct", now + TEN_YEARS_MS));
      assertInstanceOf(InvalidTimestampException.class, refused.getCause());

      assertTrue(ask(producer, reader, requests, "reset:ct", null).allowed());
      assertFalse(ask(producer, reader, requests, "reset:ct", null).allowed());
      long elevenMinutes = now + TimeUnit.MINUTES.toMillis(11);
      Answer bypass = ask(producer, reader, requests, "reset:ct", elevenMinutes);
      assertTrue(bypass.allowed(), "a forged time opened a fresh window: " + bypass);
      assertEquals(elevenMinutes, bypass.time());

      long fiftyMinutes = now + TimeUnit.MINUTES.toMillis(50);
      Answer forged = ask(producer, reader, requests, "lock:ct", fiftyMinutes);
      assertTrue(forged.allowed());
      Thread.sleep(2_500);
      Answer locked = ask(producer, reader, requests, "lock:ct", null);
      assertFalse(locked.allowed(), "the 2 s window passed, yet the key is locked: " + locked);
      assertEquals(fiftyMinutes, locked.time(), "the counter's clock stays 50 minutes ahead");

      Answer farPast = ask(producer, reader, requests, "past:ct", now - TEN_YEARS_MS);
      assertTrue(farPast.allowed());
      assertEquals(now - TEN_YEARS_MS, farPast.time());
      assertTrue(
          ask(producer, reader, requests, "past:ct", null).allowed(),
          "the far-past request spent a permit of a window long gone: a free permit");
    }
  }

  @Test
  void runShouldRefuseACreateTimeRequestsTopic() {
    Path ctConfig = configFiles.get(CT_APP_USER);
    CliException e =
        assertThrows(
            CliException.class,
            () -> RunCommand.run(List.of("--config", ctConfig.toString()), quietIo(Map.of())));
    assertTrue(
        e.getMessage().contains("ct.requests: message.timestamp.type is CreateTime"),
        e.getMessage());
    assertTrue(e.getMessage().contains("--allow-create-time"), e.getMessage());
  }

  private static Io quietIo(Map<String, String> env) {
    return new Io(
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        env);
  }
}
