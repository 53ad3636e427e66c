package dev.sluice.app;

import dev.sluice.avro.Rule;
import dev.sluice.core.rule.LimitRule;
import dev.sluice.core.rule.RuleValidation;
import dev.sluice.schema.AvroCodec;
import dev.sluice.schema.RuleCodec;
import dev.sluice.schema.registry.SchemaRegistryClient;
import dev.sluice.schema.registry.SchemaRegistryException;
import dev.sluice.schema.registry.WireFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Brings the rules topic to a desired set of valid rules by publishing only the differences: a rule
 * whose effective fields (defaults applied) equal the topic's current version is not sent again, so
 * an unchanged apply changes nothing, not even counters. The comparison covers every limit: each
 * {@code limits} entry's limit, window and effective algorithm, by index (an entry that names the
 * rule's algorithm equals one that inherits it). A rule rewritten in the other form (top-level
 * fields instead of one {@code limits} entry, or back) is published again, since it reads
 * differently on the topic; its counters survive all the same (SPEC 4: index 0 keeps its algorithm
 * and window).
 */
final class RulesApplier {
  private RulesApplier() {}

  /**
   * What an apply will do.
   *
   * @param toPublish rules to send (created or updated), by id
   * @param created ids new to the topic
   * @param updated ids whose version on the topic differs (or is invalid there)
   * @param unchanged ids already on the topic as desired
   * @param deleted ids to tombstone (only with prune)
   * @param kept ids on the topic but not desired, left alone (without prune)
   */
  record Plan(
      Map<String, LimitRule> toPublish,
      List<String> created,
      List<String> updated,
      List<String> unchanged,
      List<String> deleted,
      List<String> kept) {

    /** {@code created 1, updated 0, unchanged 4, deleted 0}. */
    String summary() {
      return "created "
          + created.size()
          + ", updated "
          + updated.size()
          + ", unchanged "
          + unchanged.size()
          + ", deleted "
          + deleted.size();
    }
  }

  /** Compares the desired rules with the topic's current state. Pure. */
  static Plan plan(
      Map<String, RuleValidation> current, Map<String, LimitRule> desired, boolean prune) {
    Map<String, LimitRule> toPublish = new LinkedHashMap<>();
    List<String> created = new ArrayList<>();
    List<String> updated = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();
    for (LimitRule rule : desired.values()) {
      RuleValidation now = current.get(rule.id());
      if (now == null) {
        created.add(rule.id());
        toPublish.put(rule.id(), rule);
      } else if (now.isValid() && now.rule().withGeneration(0).equals(rule.withGeneration(0))) {
        unchanged.add(rule.id());
      } else {
        updated.add(rule.id());
        toPublish.put(rule.id(), rule);
      }
    }
    List<String> extra =
        current.keySet().stream().filter(id -> !desired.containsKey(id)).sorted().toList();
    return new Plan(
        toPublish,
        created,
        updated,
        unchanged,
        prune ? extra : List.of(),
        prune ? List.of() : extra);
  }

  /**
   * Publishes the plan to {@code topic} (rules as Avro, key = id: in the schema-registry wire
   * format under {@code <topic>-value} when {@code sluice.schema.registry.url} is set, else
   * single-object; deletes as tombstones) and waits until every record is acknowledged.
   *
   * @throws CliException when any record fails, naming the broker's reasons
   */
  static void publish(AppConfig config, String topic, Plan plan) {
    WireFormat<Rule> format = rulesFormat(config, topic);
    Map<String, byte[]> encoded = new LinkedHashMap<>();
    try {
      plan.toPublish()
          .forEach((id, rule) -> encoded.put(id, format.encode(RuleCodec.toAvro(rule))));
    } catch (SchemaRegistryException e) {
      throw new CliException("cannot publish rules: " + e.getMessage(), e);
    }
    try (KafkaProducer<String, byte[]> producer = KafkaAccess.producer(config)) {
      List<Future<RecordMetadata>> sends = new ArrayList<>();
      encoded.forEach(
          (id, bytes) -> sends.add(producer.send(new ProducerRecord<>(topic, id, bytes))));
      plan.deleted().forEach(id -> sends.add(producer.send(new ProducerRecord<>(topic, id, null))));
      producer.flush();
      await(sends, topic);
    }
  }

  /**
   * The format rules on {@code topic} are written in and read with: the registry's when {@code
   * sluice.schema.registry.url} is set, else Avro single-object.
   */
  static WireFormat<Rule> rulesFormat(AppConfig config, String topic) {
    return WireFormat.forTopicValues(
        AvroCodec.RULE, SchemaRegistryClient.fromProperties(config.sluice().delegated()), topic);
  }

  static void await(List<Future<RecordMetadata>> sends, String topic) {
    Set<String> failures = new LinkedHashSet<>();
    for (Future<RecordMetadata> f : sends) {
      try {
        f.get();
      } catch (ExecutionException e) {
        failures.add(e.getCause().getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException("interrupted while publishing to " + topic, e);
      }
    }
    if (!failures.isEmpty()) {
      throw new CliException("publishing to " + topic + " failed: " + String.join("; ", failures));
    }
  }
}
