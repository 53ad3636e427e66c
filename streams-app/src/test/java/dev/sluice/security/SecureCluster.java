package dev.sluice.security;

import dev.sluice.app.AclPlan;
import dev.sluice.app.AppConfig;
import dev.sluice.app.EmbeddedKafka;
import dev.sluice.app.LocalSecurity;
import dev.sluice.app.SluiceInstance;
import dev.sluice.avro.Decision;
import dev.sluice.schema.AvroCodec;
import dev.sluice.topology.SluiceConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Plain Kafka clients logged in as one of the test's principals, and the Sluice pieces the security
 * tests start on the secured embedded broker.
 */
final class SecureCluster {
  private SecureCluster() {}

  /** Settings of an instance with {@code applicationId}, logged in with {@code login}. */
  static AppConfig instanceConfig(
      Path stateDir, String applicationId, Map<String, String> login, Map<String, String> more) {
    Map<String, String> o = new LinkedHashMap<>(login);
    o.put("application.id", applicationId);
    o.put("state.dir", stateDir.toString());
    o.put("replication.factor", "1");
    o.put("num.standby.replicas", "0");
    o.put("application.server", "localhost:1");
    o.putAll(more);
    return AppConfig.forInstance(null, Map.of(), o);
  }

  /** Starts an instance and waits until it is ready (RUNNING, rules topic consumed). */
  static SluiceInstance startReady(AppConfig config) throws InterruptedException {
    SluiceInstance instance = SluiceInstance.start(config, 0);
    if (!instance.awaitReady(Duration.ofSeconds(90))) {
      instance.close(Duration.ofSeconds(10));
      throw new AssertionError(
          "instance " + config.applicationId() + " not ready: " + instance.readiness());
    }
    return instance;
  }

  static Admin admin(Map<String, String> login) {
    Map<String, Object> p = new HashMap<>(login);
    p.put("default.api.timeout.ms", 10_000);
    p.put("request.timeout.ms", 5_000);
    return Admin.create(p);
  }

  static KafkaProducer<String, byte[]> producer(Map<String, String> login) {
    Map<String, Object> p = new HashMap<>(login);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  static KafkaConsumer<String, byte[]> consumer(Map<String, String> login) {
    Map<String, Object> p = new HashMap<>(login);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /** Sends one record and waits for the broker's answer. */
  static RecordMetadata send(
      KafkaProducer<String, byte[]> producer, ProducerRecord<String, byte[]> r)
      throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
    return producer.send(r).get(20, TimeUnit.SECONDS);
  }

  /** A rule as the JSON the rules topic accepts. */
  static byte[] ruleJson(String id, String key, long limit, long windowSeconds, String algorithm) {
    return ("{\"id\":\""
            + id
            + "\",\"key\":\""
            + key
            + "\",\"limit\":"
            + limit
            + ",\"windowSeconds\":"
            + windowSeconds
            + ",\"algorithm\":\""
            + algorithm
            + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** A request as JSON, its decision sent to partition 0 of the reply topic. */
  static byte[] requestJson(String id, String key) {
    return ("{\"id\":\"" + id + "\",\"key\":\"" + key + "\",\"replyPartition\":0}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Every record of a topic's partitions from the start to the current end: key -> values. */
  static List<ConsumerRecord<String, byte[]>> readAll(Map<String, String> login, String topic) {
    try (KafkaConsumer<String, byte[]> c = consumer(login)) {
      List<TopicPartition> tps =
          c.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps);
      List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + topic + " to its end");
        }
        c.poll(Duration.ofMillis(100)).forEach(out::add);
      }
      return out;
    }
  }

  /**
   * Reads decisions from partition 0 of a reply topic, from its end at creation on, as a client
   * principal would; {@link #await} returns the decision of one request id.
   */
  static final class DecisionReader implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, Decision> seen = new HashMap<>();

    DecisionReader(Map<String, String> login, String topic) {
      consumer = consumer(login);
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToEnd(List.of(tp));
      consumer.position(tp);
    }

    Decision await(String requestId) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!seen.containsKey(requestId)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("no decision for request " + requestId + " within 30 s");
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          Decision d = AvroCodec.DECISION.decode(r.value());
          seen.put(String.valueOf(d.getRequestId()), d);
        }
      }
      return seen.get(requestId);
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  /** The broker's super user, as an admin client, for setting topics and ACLs up. */
  static Admin superAdmin(EmbeddedKafka kafka) {
    Map<String, String> login = new LinkedHashMap<>(kafka.superUserSettings());
    login.put("bootstrap.servers", kafka.bootstrapServers());
    return admin(login);
  }

  /** Properties for {@link SluiceConfig#fromProperties}. */
  static SluiceConfig sluiceConfig(Map<String, String> values) {
    Properties p = new Properties();
    p.putAll(values);
    return SluiceConfig.fromProperties(p);
  }

  /** Users the tests log in as, besides the three standard ones. */
  static List<String> users(String... more) {
    List<String> users =
        new ArrayList<>(List.of(AclPlan.APP_USER, AclPlan.ADMIN_USER, AclPlan.CLIENT_USER));
    users.addAll(List.of(more));
    return users;
  }

  /** A shorthand for {@link LocalSecurity#clientSettings}. */
  static Map<String, String> login(LocalSecurity security, String user) {
    return security.clientSettings(user);
  }
}
