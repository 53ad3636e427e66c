package dev.sluice.topology;

import dev.sluice.avro.Decision;
import dev.sluice.avro.RateLimitRequest;
import dev.sluice.avro.Rule;
import dev.sluice.core.Verdict;
import dev.sluice.core.rule.RuleValidation;
import dev.sluice.schema.AvroCodec;
import dev.sluice.schema.CodecException;
import dev.sluice.schema.DecisionCodec;
import dev.sluice.schema.DecodedRequest;
import dev.sluice.schema.RequestCodec;
import dev.sluice.schema.RuleCodec;
import dev.sluice.schema.registry.SchemaRegistryClient;
import dev.sluice.schema.registry.SchemaRegistryException;
import dev.sluice.schema.registry.WireFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How the topology reads request and rule values and writes decisions: Avro single-object encoding
 * and JSON always; the schema-registry wire format ({@code 00}, schema id, body) too when a
 * registry client is given, in which case decisions are written in it under each reply topic's
 * {@code <topic>-value} subject ({@link WireFormat}). The internal rules-applied topic always stays
 * single-object: only Sluice reads it.
 *
 * <p>Failures: bytes that are no known encoding, corrupt, or refer to a schema id the registry does
 * not know throw {@link CodecException} (or a non-retriable {@link SchemaRegistryException}) and
 * the record is dead-lettered; a registry that cannot answer right now throws a retriable {@link
 * SchemaRegistryException}, which the dead-letter handlers refuse to dead-letter: the stream thread
 * fails instead and the record is read again after the restart.
 *
 * <p>Bound: one decision format per reply topic, at most {@value #MAX_REPLY_TOPICS} (least recently
 * used dropped; a dropped one is rebuilt from the client's own bounded caches, so no extra registry
 * call).
 */
public final class RecordFormats {
  /** Reads single-object and JSON, writes single-object; no registry. */
  public static final RecordFormats EMBEDDED = new RecordFormats(Optional.empty(), "", "");

  static final int MAX_REPLY_TOPICS = 256;

  private final Optional<SchemaRegistryClient> client;
  private final WireFormat<RateLimitRequest> requests;
  private final WireFormat<Rule> rules;
  private final Map<String, WireFormat<Decision>> decisions =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, WireFormat<Decision>> eldest) {
          return size() > MAX_REPLY_TOPICS;
        }
      };

  private RecordFormats(
      Optional<SchemaRegistryClient> client, String requestsTopic, String rulesTopic) {
    this.client = client;
    this.requests = WireFormat.forTopicValues(AvroCodec.REQUEST, client, requestsTopic);
    this.rules = WireFormat.forTopicValues(AvroCodec.RULE, client, rulesTopic);
  }

  /**
   * Formats for {@code config}'s topics using {@code client} for the registry format, or the
   * embedded default when it is empty. Build the client once per process and share it.
   */
  public static RecordFormats of(SluiceConfig config, Optional<SchemaRegistryClient> client) {
    return client.isEmpty()
        ? EMBEDDED
        : new RecordFormats(client, config.requestsTopic(), config.rulesTopic());
  }

  /** True when decisions are written in the registry format. */
  public boolean usesRegistry() {
    return client.isPresent();
  }

  /** A requests-topic value; see the class comment for failures. */
  DecodedRequest decodeRequest(byte[] value) {
    if (WireFormat.sniff(value) == WireFormat.Encoding.REGISTRY) {
      return RequestCodec.fromAvro(requests.decode(value));
    }
    return RequestCodec.decode(value);
  }

  /** A rules-topic value, validated; see the class comment for failures. */
  RuleValidation decodeRule(byte[] value) {
    if (WireFormat.sniff(value) == WireFormat.Encoding.REGISTRY) {
      return RuleCodec.validate(rules.decode(value));
    }
    return RuleCodec.decodeAndValidate(value);
  }

  /** A decision for {@code topic}. */
  byte[] encodeDecision(String topic, Verdict verdict) {
    if (client.isEmpty()) {
      return DecisionCodec.encode(verdict);
    }
    WireFormat<Decision> format;
    synchronized (decisions) {
      format =
          decisions.computeIfAbsent(
              topic, t -> WireFormat.forTopicValues(AvroCodec.DECISION, client, t));
    }
    return format.encode(DecisionCodec.toAvro(verdict));
  }

  /** True when {@code e} says the registry cannot answer now: retry, never dead-letter. */
  static boolean registryUnavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SchemaRegistryException r && r.isRetriable()) {
        return true;
      }
    }
    return false;
  }
}
