package dev.sluice.topology;

import dev.sluice.core.Verdict;
import dev.sluice.core.limit.Limiter;
import dev.sluice.core.request.RequestValidator;
import dev.sluice.core.rule.LimitRule;
import dev.sluice.schema.DecodedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Turns each request into exactly one decision, forwarded at once (no DSL cache in between).
 *
 * <p>Design note. Time is the record timestamp. The request is checked against SPEC 2 and the
 * routing rules; the first broken constraint, in the order id, key (including "equals the record
 * key"), metadata, cost, maxCost, timestampMs, replyTopic, replyPartition, becomes an
 * INVALID_REQUEST decision that charges nothing. A valid request is matched against the global
 * {@link RuleStore}; the applied rule is evaluated by the pure {@link Limiter} against its counters
 * in {@code sluice-counters}, one per limit of the rule (all in this task: they share the request
 * key), and the new counters are written back, a denied first request included; a cost-0 check
 * writes nothing. The store is RocksDB, changelogged, behind a hash-based write-back layer ({@link
 * WriteBackStore}): the layer is written to RocksDB and the changelog at every commit, before the
 * input offsets (and under exactly-once the transaction holding the decisions) commit, so a
 * restarted or moved task sees every charge whose request it will not process again. The layer only
 * coalesces a hot key's writes between commits; it delays no decision, which this processor
 * forwards itself.
 *
 * <p>Reply topics. A request may name a reply topic (under an allowed prefix) that does not exist
 * or that the service may not write. Sending there would block the stream thread in the producer
 * until {@code max.block.ms} (and, under exactly-once, past the transaction timeout, so the same
 * record would block again after the abort). So before routing, {@link ReplyTopics} is asked,
 * without blocking, whether the topic is writable; when it is not, the request is answered like any
 * request with a bad {@code replyTopic} ({@code INVALID_REQUEST} on the decisions topic, nothing
 * charged) and then handed to the dead-letter handler with the reason. If the topic vanishes after
 * it was last looked up and the producer has no metadata for it, the producer's metadata wait
 * (bounded by {@code max.block.ms}, which {@code AppConfig} keeps below the transaction timeout)
 * fails the send; nothing was sent for the request yet, so it is answered and dead-lettered the
 * same way (its charge stands). A send that fails later is {@link DeadLetterProductionHandler}'s.
 *
 * <p>Store bound and expiry: one counter per (rule, limit index, key, wildcard values) in use. A
 * wall-clock punctuator sweeps the store incrementally, at most {@code
 * sluice.counters.expiry.batch.size} entries per run, resuming after the last key it saw (the
 * cursor lives in memory: after a restart the sweep starts over, which only delays expiry). It
 * deletes a counter once its {@link Limiter#idleAfterMs} plus the grace is behind the task's stream
 * time; the delete writes a tombstone to the changelog, so the changelog shrinks too. Counters of
 * deleted rules and of old generations go the same way.
 */
final class LimiterProcessor implements Processor<String, DecodedRequest, String, RoutedDecision> {
  private final SluiceConfig config;
  private final DecisionMetrics metrics;
  private ProcessorContext<String, RoutedDecision> context;
  private KeyValueStore<Bytes, byte[]> counters;
  private RuleStore rules;
  private Sensor invalid;
  private Sensor expired;
  private ReplyTopics replyTopics = ReplyTopics.ANY;

  /** Where the next expiry sweep resumes (exclusive); null: from the start. */
  private Bytes cursor;

  LimiterProcessor(SluiceConfig config, DecisionMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, RoutedDecision> context) {
    this.context = context;
    this.counters = context.getStateStore(RateLimiterTopology.COUNTERS_STORE);
    this.rules = context.getStateStore(RateLimiterTopology.RULES_STORE);
    this.invalid = Sensors.rateTotal(context, "requests-invalid");
    this.expired = Sensors.rateTotal(context, "counters-expired");
    this.replyTopics = ReplyTopics.fromConfigs(context.appConfigs());
    if (config.expiryIntervalMs() > 0) {
      context.schedule(
          Duration.ofMillis(config.expiryIntervalMs()),
          PunctuationType.WALL_CLOCK_TIME,
          now -> expireIdleCounters());
    }
  }

  @Override
  public void process(Record<String, DecodedRequest> record) {
    DecodedRequest request = record.value();
    long t = record.timestamp();
    String timestampError =
        DeadLetters.header(record.headers(), RateLimiterTopology.INVALID_TIMESTAMP_HEADER);
    String error = firstError(request, record.key(), t, timestampError, config);
    String topic =
        request.replyTopic() != null && config.replyTopicAllowed(request.replyTopic())
            ? request.replyTopic()
            : config.decisionsTopic();
    Integer partition =
        request.replyPartition() != null && request.replyPartition() >= 0
            ? request.replyPartition()
            : null;
    String unwritable = unwritableReplyTopic(topic);
    if (unwritable != null) {
      topic = config.decisionsTopic();
      if (error == null || error.startsWith("replyPartition:")) {
        error = unwritable;
      }
    }
    long echoed = timestampError == null ? t : parseOr(timestampError, -1L);
    Verdict verdict;
    if (error != null) {
      invalid.record();
      verdict = Verdict.invalidRequest(request.id(), request.key(), echoed, error);
    } else {
      verdict = decide(request, t);
    }
    try {
      send(record, verdict, topic, partition);
    } catch (org.apache.kafka.common.errors.TimeoutException | StreamsException e) {
      if (topic.equals(config.decisionsTopic()) || !replyTopicLookupFailed(e, topic)) {
        throw e;
      }
      // The topic was writable when last looked up (deleted or its permission revoked since):
      // the producer could not get its metadata within max.block.ms. Nothing was sent for this
      // request yet, so answer it like any unwritable reply topic. It has been charged, though.
      replyTopics.writeFailed(topic, e);
      unwritable = "replyTopic: could not be written (" + e.getMessage() + ")";
      invalid.record();
      send(
          record,
          Verdict.invalidRequest(request.id(), request.key(), echoed, unwritable),
          config.decisionsTopic(),
          partition);
    }
    if (unwritable != null) {
      // Answered above; the dead-letter handler now records the raw request with the reason.
      throw new ReplyTopicUnavailableException(unwritable, null);
    }
  }

  private void send(
      Record<String, DecodedRequest> record, Verdict verdict, String topic, Integer partition) {
    Headers none = new RecordHeaders();
    context.forward(
        new Record<>(
            record.key(), new RoutedDecision(verdict, topic, partition), record.timestamp(), none));
    // Kafka Streams' cached wall clock (the mock clock under TopologyTestDriver), read after the
    // forward so the sink's send is included.
    metrics.decided(
        verdict.reason(), verdict.ruleId(), context.currentSystemTimeMs() - record.timestamp());
  }

  /**
   * The INVALID_REQUEST message for a reply topic this instance cannot write now ({@link
   * ReplyTopics}, asked without blocking), or null when it can (and for the decisions topic, which
   * the instance needs anyway).
   */
  private String unwritableReplyTopic(String topic) {
    if (topic.equals(config.decisionsTopic())) {
      return null;
    }
    String why = replyTopics.unavailable(topic);
    return why == null ? null : "replyTopic: " + why + " (got " + quoted(topic) + ")";
  }

  /**
   * True when {@code e}, thrown by the decisions sink, says the producer could not learn {@code
   * topic}'s partitions: a metadata timeout (absent topic), or Kafka Streams' wrapping of a
   * metadata error such as a missing permission. Other failures (e.g. an earlier send's fatal
   * error, surfacing here) are not the request's and must stop the thread as before.
   */
  static boolean replyTopicLookupFailed(RuntimeException e, String topic) {
    if (e instanceof org.apache.kafka.common.errors.TimeoutException) {
      return true;
    }
    String m = e.getMessage();
    return m != null
        && (m.startsWith("Could not determine the number of partitions for topic '" + topic + "'")
            || m.startsWith("Could not get partition information for topic " + topic + " "));
  }

  private Verdict decide(DecodedRequest request, long t) {
    LimitRule rule = rules.match(request.key(), request.metadata());
    if (rule == null) {
      return Verdict.noMatchingRule(request.id(), request.key(), t);
    }
    byte[][] raw = Limiter.counterKeys(rule, request.key(), request.metadata());
    int n = raw.length;
    Bytes[] keys = new Bytes[n];
    byte[][] stored = new byte[n][];
    for (int i = 0; i < n; i++) {
      keys[i] = Bytes.wrap(raw[i]);
      stored[i] = counters.get(keys[i]);
    }
    long cost = RequestValidator.effectiveCost(request.cost());
    Limiter.Evaluation evaluation =
        Limiter.evaluate(
            rule,
            stored,
            request.id(),
            request.key(),
            cost,
            RequestValidator.effectiveMaxCost(request.cost(), request.maxCost()),
            t);
    // Null for a cost-0 check, which changes no counter (SPEC 4).
    if (evaluation.counters() != null) {
      for (int i = 0; i < n; i++) {
        counters.put(keys[i], evaluation.counters()[i]);
      }
    }
    return evaluation.verdict();
  }

  /**
   * The message of the first constraint the request breaks, or null when it is valid.
   *
   * @param timestampError the raw {@code timestampMs} text a simulate run could not carry as a
   *     record timestamp ({@link RateLimiterTopology#INVALID_TIMESTAMP_HEADER}), or null
   */
  static String firstError(
      DecodedRequest r, String recordKey, long t, String timestampError, SluiceConfig config) {
    Candidate first = new Candidate();
    if (r.typeError() != null) {
      first.offer(position(r.typeErrorField()), r.typeError());
    }
    String check =
        RequestValidator.check(
            r.id(), r.key(), r.metadata(), r.cost(), r.maxCost(), timestampError == null ? t : 0L);
    if (check != null) {
      int colon = check.indexOf(':');
      first.offer(position(colon < 0 ? check : check.substring(0, colon)), check);
    }
    if (r.key() != null && !r.key().equals(recordKey)) {
      first.offer(
          KEY_MATCHES_RECORD,
          "key: must equal the record key (got "
              + quoted(r.key())
              + ", record key "
              + quoted(recordKey)
              + ")");
    }
    if (timestampError != null) {
      first.offer(
          position("timestampMs"),
          timestampError.isEmpty()
              ? "timestampMs: is required, an integer 0 to " + RequestValidator.MAX_TIME_MS
              : "timestampMs: must be an integer 0 to "
                  + RequestValidator.MAX_TIME_MS
                  + " (got "
                  + timestampError
                  + ")");
    }
    if (r.replyTopic() != null && !config.replyTopicAllowed(r.replyTopic())) {
      first.offer(
          position("replyTopic"),
          "replyTopic: must be "
              + quoted(config.decisionsTopic())
              + (config.replyTopicPrefixes().isEmpty()
                  ? ""
                  : " or start with one of " + config.replyTopicPrefixes())
              + " (got "
              + quoted(r.replyTopic())
              + ")");
    }
    if (r.replyPartition() != null && r.replyPartition() < 0) {
      first.offer(
          position("replyPartition"),
          "replyPartition: must be 0 or more (got " + r.replyPartition() + ")");
    }
    return first.message;
  }

  private static final int KEY_MATCHES_RECORD = 15;

  private static int position(String field) {
    if (field.startsWith("metadata")) {
      return 20;
    }
    return switch (field) {
      case "id" -> 0;
      case "key" -> 10;
      case "cost" -> 30;
      case "maxCost" -> 35;
      case "timestampMs" -> 40;
      case "replyTopic" -> 50;
      case "replyPartition" -> 60;
      default -> 70;
    };
  }

  /** Keeps the earliest offered error; on a tie the first offered wins. */
  private static final class Candidate {
    int position = Integer.MAX_VALUE;
    String message;

    void offer(int at, String text) {
      if (at < position) {
        position = at;
        message = text;
      }
    }
  }

  private static String quoted(String s) {
    return s == null ? "null" : "\"" + s + "\"";
  }

  private static long parseOr(String s, long fallback) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  /** One incremental sweep; see the class comment. */
  void expireIdleCounters() {
    long streamTime = context.currentStreamTimeMs();
    if (streamTime < 0) {
      return;
    }
    List<Bytes> idle = new ArrayList<>();
    Bytes last = null;
    boolean more;
    int seen = 0;
    try (KeyValueIterator<Bytes, byte[]> it =
        cursor == null ? counters.all() : counters.range(cursor, null)) {
      while (it.hasNext() && seen < config.expiryBatchSize()) {
        KeyValue<Bytes, byte[]> entry = it.next();
        if (entry.key.equals(cursor)) {
          continue;
        }
        seen++;
        last = entry.key;
        long idleAfter = Limiter.idleAfterMs(entry.value);
        if (idleAfter <= streamTime - config.expiryGraceMs()) {
          idle.add(entry.key);
        }
      }
      more = it.hasNext();
    }
    cursor = more ? last : null;
    for (Bytes key : idle) {
      counters.delete(key);
    }
    expired.record(idle.size());
  }
}
