package dev.sluice.topology;

import dev.sluice.avro.AppliedRule;
import dev.sluice.core.rule.LimitRule;
import dev.sluice.core.rule.RuleIndex;
import dev.sluice.schema.AvroCodec;
import dev.sluice.schema.CodecException;
import dev.sluice.schema.RuleCodec;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The global rule store: every applied rule of the rules-applied topic, held as a core {@link
 * RuleIndex} so that a request finds its rule without scanning.
 *
 * <p>Design note. Kafka Streams fills a global store two ways: while running, its global processor
 * ({@link RuleStoreUpdater}) calls {@link #apply}; at start-up it restores the store from the
 * topic, since KAFKA-7663 by reprocessing the records through that same processor, and otherwise
 * through the restore callback registered in {@link #init}, which also calls {@link #apply}. Either
 * way each record goes through one method that decodes the {@link AppliedRule} and updates the
 * index incrementally, so the index is right after any restart. The store is in memory and not
 * persistent, so it keeps no checkpoint and is rebuilt from the (compacted) topic's beginning on
 * every start.
 *
 * <p>Bound: one entry per live rule id (the compacted topic's key count); rules leave only by a
 * delete (tombstone), which is the point of rules. Threads: the global thread writes; stream
 * threads call {@link #match} concurrently, which {@link RuleIndex} allows without locks.
 */
public final class RuleStore implements StateStore {
  private static final Logger LOG = LoggerFactory.getLogger(RuleStore.class);

  private final String name;
  private final RuleIndex index = new RuleIndex();
  private volatile boolean open;

  RuleStore(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    context.register(
        root,
        (key, value) -> apply(key == null ? null : new String(key, StandardCharsets.UTF_8), value));
    open = true;
  }

  /**
   * Applies one rules-applied record: an {@link AppliedRule} upserts its rule, a null value removes
   * the id. A record that does not decode, or whose id differs from its key, removes the id too:
   * the topic then holds no usable version of it, so removing it is what every instance and every
   * restart will agree on.
   */
  public void apply(String id, byte[] appliedRule) {
    if (id == null) {
      LOG.error("Ignoring rules-applied record without a key");
      return;
    }
    if (appliedRule == null) {
      index.remove(id);
      return;
    }
    LimitRule rule;
    try {
      rule = RuleCodec.fromApplied(AvroCodec.APPLIED_RULE.decode(appliedRule));
    } catch (CodecException e) {
      LOG.error(
          "Unusable rules-applied record for rule {}; the rule is removed: {}", id, e.getMessage());
      index.remove(id);
      return;
    }
    if (!rule.id().equals(id)) {
      LOG.error(
          "rules-applied record keyed {} carries rule {}; the rule is removed", id, rule.id());
      index.remove(id);
      return;
    }
    index.upsert(rule);
  }

  /** The rule SPEC 3 applies to a request, or null. Safe from any thread. */
  public LimitRule match(String key, Map<String, String> metadata) {
    return index.match(key, metadata);
  }

  /** The rule with this id, or null. */
  public LimitRule get(String id) {
    return index.get(id);
  }

  /** Number of rules held. */
  public int size() {
    return index.size();
  }

  @Override
  public void close() {
    open = false;
  }

  @Override
  public boolean persistent() {
    return false;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  /** Builds the store; logging is always off (a global store's topic is its changelog). */
  static final class Builder implements StoreBuilder<RuleStore> {
    private final String name;

    Builder(String name) {
      this.name = name;
    }

    @Override
    public StoreBuilder<RuleStore> withCachingEnabled() {
      throw new UnsupportedOperationException("the rule store has no cache");
    }

    @Override
    public StoreBuilder<RuleStore> withCachingDisabled() {
      return this;
    }

    @Override
    public StoreBuilder<RuleStore> withLoggingEnabled(Map<String, String> config) {
      throw new UnsupportedOperationException("a global store cannot have a changelog");
    }

    @Override
    public StoreBuilder<RuleStore> withLoggingDisabled() {
      return this;
    }

    @Override
    public RuleStore build() {
      return new RuleStore(name);
    }

    @Override
    public Map<String, String> logConfig() {
      return Map.of();
    }

    @Override
    public boolean loggingEnabled() {
      return false;
    }

    @Override
    public String name() {
      return name;
    }
  }
}
