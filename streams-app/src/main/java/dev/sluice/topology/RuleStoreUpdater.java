package dev.sluice.topology;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** The global processor: hands each rules-applied record to the {@link RuleStore}. */
final class RuleStoreUpdater implements Processor<String, byte[], Void, Void> {
  private final String storeName;
  private final DecisionMetrics metrics;
  private RuleStore store;

  RuleStoreUpdater(String storeName, DecisionMetrics metrics) {
    this.storeName = storeName;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    store = context.getStateStore(storeName);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    store.apply(record.key(), record.value());
    if (record.value() == null) {
      // Every instance runs this global processor, so each drops its own per-rule metrics.
      metrics.ruleRemoved(record.key());
    }
  }
}
