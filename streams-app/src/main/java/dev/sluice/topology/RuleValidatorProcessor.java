package dev.sluice.topology;

import dev.sluice.core.rule.LimitRule;
import dev.sluice.core.rule.RuleValidation;
import dev.sluice.schema.AvroCodec;
import dev.sluice.schema.CodecException;
import dev.sluice.schema.RuleCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates each rules-topic record once (it runs in the rules topic's tasks, so exactly one
 * instance sees each version) and assigns its counter generation (SPEC 4).
 *
 * <ul>
 *   <li>valid upsert: per limit index, the generation is kept when the previous valid version had a
 *       limit at that index with the same algorithm and window, else it is this record's offset;
 *       forwarded as an Avro {@code AppliedRule};
 *   <li>tombstone: the id is forgotten (a later re-create gets a new, larger offset) and a
 *       tombstone is forwarded;
 *   <li>anything else (undecodable, invalid, id different from the key, no key): rejected. Not
 *       forwarded, so the previous valid version stays everywhere; counted, logged at WARN and
 *       written to the dead-letter topic with every reason.
 * </ul>
 *
 * <p>Store {@code sluice-rule-generations}: rule id to {@link RuleGeneration}, one entry per live
 * valid rule, removed by the rule's delete (bounded by the number of live rules).
 */
final class RuleValidatorProcessor implements Processor<byte[], byte[], byte[], byte[]> {
  private static final Logger LOG = LoggerFactory.getLogger(RuleValidatorProcessor.class);

  private final SluiceConfig config;
  private final DecisionMetrics metrics;
  private final RecordFormats formats;
  private ProcessorContext<byte[], byte[]> context;
  private KeyValueStore<String, String> generations;
  private Sensor applied;
  private Sensor deleted;
  private Sensor rejected;

  RuleValidatorProcessor(SluiceConfig config, DecisionMetrics metrics, RecordFormats formats) {
    this.config = config;
    this.metrics = metrics;
    this.formats = formats;
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
    this.generations = context.getStateStore(RateLimiterTopology.RULE_GENERATIONS_STORE);
    this.applied = Sensors.rateTotal(context, "rules-applied");
    this.deleted = Sensors.rateTotal(context, "rules-deleted");
    this.rejected = Sensors.rateTotal(context, "rules-rejected");
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    String id = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    if (record.value() == null) {
      if (id == null) {
        reject(record, null, "key: a delete (tombstone) needs the rule id as record key");
        return;
      }
      generations.delete(id);
      context.forward(
          new Record<byte[], byte[]>(record.key(), null, record.timestamp()),
          RateLimiterTopology.RULES_APPLIED_SINK);
      deleted.record();
      return;
    }
    RuleValidation validation;
    try {
      validation = formats.decodeRule(record.value());
    } catch (CodecException e) {
      reject(record, id, "value: " + e.getMessage());
      return;
    }
    List<String> reasons = new ArrayList<>();
    if (!validation.isValid()) {
      reasons.add(validation.errorMessage());
    }
    if (id == null) {
      reasons.add("key: the record key must be the rule id (got no key)");
    } else if (validation.id() != null && !validation.id().equals(id)) {
      reasons.add("id: must equal the record key \"" + id + "\" (got \"" + validation.id() + "\")");
    }
    if (!reasons.isEmpty()) {
      reject(record, id != null ? id : validation.id(), String.join("; ", reasons));
      return;
    }
    RecordMetadata source = context.recordMetadata().orElseThrow();
    LimitRule rule = validation.rule();
    String stored = generations.get(id);
    RuleGeneration generation =
        RuleGeneration.next(
            stored == null ? null : RuleGeneration.decode(stored), rule, source.offset());
    generations.put(id, generation.encode());
    byte[] out =
        AvroCodec.APPLIED_RULE.encode(
            RuleCodec.toApplied(
                rule.withGenerations(generation.generations()),
                source.partition(),
                source.offset()));
    context.forward(
        new Record<>(record.key(), out, record.timestamp()),
        RateLimiterTopology.RULES_APPLIED_SINK);
    applied.record();
  }

  private void reject(Record<byte[], byte[]> record, String ruleId, String reasons) {
    RecordMetadata source = context.recordMetadata().orElseThrow();
    rejected.record();
    LOG.warn(
        "Rule {} rejected ({}-{}@{}), previous version kept: {}",
        ruleId,
        source.topic(),
        source.partition(),
        source.offset(),
        reasons);
    ProducerRecord<byte[], byte[]> dead =
        DeadLetters.ruleRejected(
            config.deadLettersTopic(),
            record.key(),
            record.value(),
            record.headers(),
            ruleId,
            reasons,
            source.topic(),
            source.partition(),
            source.offset());
    context.forward(
        new Record<>(dead.key(), dead.value(), record.timestamp(), dead.headers()),
        RateLimiterTopology.RULE_DEAD_LETTER_SINK);
    metrics.deadLettered(DeadLetters.Stage.RULE_VALIDATOR);
  }
}
