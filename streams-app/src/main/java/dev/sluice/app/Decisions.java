package dev.sluice.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.client.ClientDecision;
import dev.sluice.client.DecisionClient;
import dev.sluice.client.DecisionClientConfig;
import dev.sluice.client.FailurePolicy;
import dev.sluice.schema.registry.SchemaRegistryConfig;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/** The decision-client as the CLI uses it, and decisions rendered for people and for JSON. */
final class Decisions {
  private Decisions() {}

  /**
   * A client for the instance's topics. It reads replies from partition 0 of the decisions topic by
   * assignment, not through the applications' reply group, so a CLI check never triggers a
   * rebalance of real clients.
   */
  static DecisionClient client(AppConfig config, Duration timeout) {
    Set<String> names = new HashSet<>(ProducerConfig.configNames());
    names.addAll(ConsumerConfig.configNames());
    DecisionClientConfig.Builder builder =
        DecisionClientConfig.builder(config.bootstrapServers())
            .requestsTopic(config.sluice().requestsTopic())
            .replyTopic(config.sluice().decisionsTopic())
            .rulesTopic(config.sluice().rulesTopic())
            .failurePolicy(FailurePolicy.FAIL_OPEN)
            .timeout(timeout)
            .startupTimeout(KafkaAccess.TIMEOUT)
            .replyPartitions(0)
            .schemaRegistry(
                SchemaRegistryConfig.fromProperties(config.sluice().delegated()).orElse(null));
    config
        .clientProperties(names)
        .forEach(
            (k, v) -> {
              if (!DecisionClientConfig.RESERVED_KAFKA_KEYS.contains(k)) {
                builder.kafkaProperty(k, String.valueOf(v));
              }
            });
    try {
      return DecisionClient.create(builder.build());
    } catch (RuntimeException e) {
      throw new CliException("cannot start the decision client: " + e.getMessage(), e);
    }
  }

  /** Every SPEC 6 field plus where the decision came from, {@code null} written explicitly. */
  static ObjectNode toJson(ClientDecision d) {
    ObjectNode n = RuleJson.MAPPER.createObjectNode();
    n.put("requestId", d.requestId());
    n.put("key", d.key());
    n.put("allowed", d.allowed());
    n.put("reason", d.reason().name());
    n.put("ruleId", d.ruleId());
    n.put("limit", d.limit());
    n.put("remaining", d.remaining());
    n.put("resetAfterMs", d.resetAfterMs());
    n.put("retryAfterMs", d.retryAfterMs());
    n.put("limitIndex", d.limitIndex());
    n.put("granted", d.granted());
    n.put("timestampMs", d.timestampMs());
    n.put("shadow", d.shadow());
    n.put("message", d.message());
    n.put("source", d.source().name());
    n.put("cause", d.cause().name());
    return n;
  }

  /** {@code 1.5 s}, {@code 250 ms}, {@code -} for 0 and {@code never} for -1. */
  static String duration(long ms) {
    if (ms < 0) {
      return "never";
    }
    if (ms == 0) {
      return "-";
    }
    if (ms < 1000) {
      return ms + " ms";
    }
    return String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
  }

  /** {@code 2/3}, or {@code -} when no rule applied. */
  static String remaining(ClientDecision d) {
    return d.limit() < 0 ? "-" : d.remaining() + "/" + d.limit();
  }
}
