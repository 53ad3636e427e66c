package dev.sluice.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.app.AppConfig;
import dev.sluice.client.DecisionClientConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka security settings (SASL_SSL with SCRAM, mTLS) given to Sluice reach every Kafka client it
 * creates, unchanged: the app's Kafka Streams clients (main, restore and global consumers,
 * producer, admin), the admin commands' plain clients, and the decision-client. What the clients
 * then do with them against a real secured broker is {@link SecureClusterIntegrationTest}'s part.
 */
class SecuritySettingsPassThroughTest {
  /** SASL_SSL with SCRAM and a trust store, plus an mTLS key store. */
  static final Map<String, String> SECURITY = securitySettings();

  @TempDir Path tmp;

  private static Map<String, String> securitySettings() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("security.protocol", "SASL_SSL");
    s.put("sasl.mechanism", "SCRAM-SHA-512");
    s.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"sluice-app\" password=\"p=a:s s#w!o\\\\rd\";");
    s.put("ssl.truststore.location", "/etc/sluice/truststore.p12");
    s.put("ssl.truststore.password", "trust-secret");
    s.put("ssl.truststore.type", "PKCS12");
    s.put("ssl.keystore.location", "/etc/sluice/sluice-app.p12");
    s.put("ssl.keystore.password", "key-store-secret");
    s.put("ssl.key.password", "key-secret");
    s.put("ssl.endpoint.identification.algorithm", "https");
    return s;
  }

  private Path propertiesFile(Map<String, String> settings) throws IOException {
    Properties p = new Properties();
    p.putAll(settings);
    Path file = tmp.resolve("sluice.properties");
    try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(out, null);
    }
    return file;
  }

  private static void assertCarries(Map<String, ?> clientConfig, String which) {
    SECURITY.forEach(
        (k, v) -> assertEquals(v, String.valueOf(clientConfig.get(k)), which + ": " + k));
  }

  @Test
  void appShouldPassFileSecuritySettingsToEveryKafkaStreamsClient() throws IOException {
    Map<String, String> file = new LinkedHashMap<>(SECURITY);
    file.put("bootstrap.servers", "broker:9093");
    AppConfig config = AppConfig.forInstance(propertiesFile(file), Map.of(), Map.of());
    StreamsConfig streams = new StreamsConfig(config.streamsProperties());

    assertCarries(streams.getMainConsumerConfigs("sluice", "c", 0), "main consumer");
    assertCarries(streams.getRestoreConsumerConfigs("c"), "restore consumer");
    assertCarries(streams.getGlobalConsumerConfigs("c"), "global consumer");
    assertCarries(streams.getProducerConfigs("c"), "producer");
    assertCarries(streams.getAdminConfigs("c"), "admin");
    // The instance's own admin client (readiness) and the admin commands' clients.
    assertCarries(config.clientProperties(AdminClientConfig.configNames()), "plain admin");
    assertCarries(config.clientProperties(ProducerConfig.configNames()), "plain producer");
    assertCarries(config.clientProperties(ConsumerConfig.configNames()), "plain consumer");
  }

  @Test
  void environmentShouldOverrideFileSecuritySettings() throws IOException {
    Map<String, String> file = new LinkedHashMap<>();
    file.put("bootstrap.servers", "broker:9093");
    file.put("security.protocol", "PLAINTEXT");
    file.put("sasl.jaas.config", "stale");
    Map<String, String> env = new LinkedHashMap<>();
    SECURITY.forEach(
        (k, v) -> env.put("SLUICE_" + k.toUpperCase(Locale.ROOT).replace('.', '_'), v));
    AppConfig config = AppConfig.forInstance(propertiesFile(file), env, Map.of());

    assertCarries(new StreamsConfig(config.streamsProperties()).getProducerConfigs("c"), "env");
    assertCarries(config.clientProperties(ConsumerConfig.configNames()), "env consumer");
  }

  @Test
  void cliConfigFileShouldCarrySecuritySettingsToItsClients() throws IOException {
    Map<String, String> file = new LinkedHashMap<>(SECURITY);
    file.put("bootstrap.servers", "broker:9093");
    // What `sluice rules|check --config FILE` loads (ClientOptions): no Streams defaults.
    AppConfig config = AppConfig.forClient(propertiesFile(file), Map.of(), Map.of());
    assertCarries(config.clientProperties(AdminClientConfig.configNames()), "admin");
    assertCarries(config.clientProperties(ProducerConfig.configNames()), "producer");
    assertCarries(config.clientProperties(ConsumerConfig.configNames()), "consumer");
    assertFalse(
        config.sluice().toString().contains("secret"),
        "configs print keys, never values: " + config.sluice());
  }

  @Test
  void decisionClientShouldTakeSecuritySettingsAsKafkaProperties() {
    Map<String, String> props = new LinkedHashMap<>(SECURITY);
    props.put("bootstrap.servers", "broker:9093");
    props.put("sluice.topic.decisions", "sluice.decisions.tenant-a.replies");
    DecisionClientConfig config = DecisionClientConfig.fromProperties(props);

    assertCarries(config.kafkaProperties(), "decision-client");
    assertTrue(
        SECURITY.keySet().stream().noneMatch(DecisionClientConfig.RESERVED_KAFKA_KEYS::contains),
        "no security setting is one the client owns");
    assertFalse(config.toString().contains("secret"), "secrets in toString: " + config);
  }
}
