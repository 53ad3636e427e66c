package dev.sluice.topology;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Builds dead-letter records, one format for every stage (docs/DEAD_LETTERS.md): the original key
 * and value bytes, the original headers, then Kafka Streams' standard error headers and Sluice's
 * own.
 */
public final class DeadLetters {
  /** Kafka Streams' header: the exception class, or {@link #RULE_REJECTED} for a rejected rule. */
  public static final String EXCEPTION = "__streams.errors.exception";

  /** Kafka Streams' header: the error message (for rules, every reason). */
  public static final String MESSAGE = "__streams.errors.message";

  /** Kafka Streams' header: the stack trace (exceptions only). */
  public static final String STACKTRACE = "__streams.errors.stacktrace";

  /** Kafka Streams' header: the source topic. */
  public static final String TOPIC = "__streams.errors.topic";

  /** Kafka Streams' header: the source partition. */
  public static final String PARTITION = "__streams.errors.partition";

  /** Kafka Streams' header: the source offset. */
  public static final String OFFSET = "__streams.errors.offset";

  /** Sluice's header: where it failed, see {@link Stage}. */
  public static final String STAGE = "sluice.dlq.stage";

  /** Sluice's header: the rule id a rejection is about, when one is known. */
  public static final String RULE_ID = "sluice.dlq.rule.id";

  /** The {@link #EXCEPTION} value of a rule rejection (there is no exception). */
  public static final String RULE_REJECTED = "sluice.RuleRejected";

  /** Where a record failed. */
  public enum Stage {
    /** A rules-topic record the validator rejected. */
    RULE_VALIDATOR("rule-validator"),
    /** Bytes a source could not decode (e.g. a request that is neither Avro nor JSON). */
    DESERIALIZATION("deserialization"),
    /** An unexpected exception inside a processor. */
    PROCESSING("processing"),
    /**
     * A request whose reply topic cannot be written (absent, or not writable by the service); it
     * was answered with {@code INVALID_REQUEST} on the decisions topic.
     */
    REPLY_TOPIC("reply-topic");

    private final String header;

    Stage(String header) {
      this.header = header;
    }

    /** The {@link #STAGE} header value. */
    public String header() {
      return header;
    }
  }

  private DeadLetters() {}

  /** A dead letter for a rejected rule: every reason in {@link #MESSAGE}. */
  static ProducerRecord<byte[], byte[]> ruleRejected(
      String deadLetterTopic,
      byte[] key,
      byte[] value,
      Headers original,
      String ruleId,
      String reasons,
      String topic,
      int partition,
      long offset) {
    Headers h = copy(original);
    h.add(EXCEPTION, utf8(RULE_REJECTED));
    h.add(MESSAGE, utf8(reasons));
    addSource(h, topic, partition, offset);
    h.add(STAGE, utf8(Stage.RULE_VALIDATOR.header()));
    if (ruleId != null) {
      h.add(RULE_ID, utf8(ruleId));
    }
    return new ProducerRecord<>(deadLetterTopic, null, key, value, h);
  }

  /** A dead letter for an exception at {@code stage}. */
  static ProducerRecord<byte[], byte[]> failed(
      String deadLetterTopic,
      byte[] key,
      byte[] value,
      Headers original,
      Stage stage,
      Exception e,
      String topic,
      int partition,
      long offset) {
    Headers h = copy(original);
    h.add(EXCEPTION, utf8(e.getClass().getName()));
    h.add(MESSAGE, utf8(String.valueOf(e.getMessage())));
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    h.add(STACKTRACE, utf8(trace.toString()));
    addSource(h, topic, partition, offset);
    h.add(STAGE, utf8(stage.header()));
    return new ProducerRecord<>(deadLetterTopic, null, key, value, h);
  }

  /** The last value of header {@code name} as UTF-8 text, or null. */
  public static String header(Headers headers, String name) {
    Header h = headers.lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static Headers copy(Headers original) {
    RecordHeaders h = new RecordHeaders();
    if (original != null) {
      for (Header header : original) {
        h.add(header.key(), header.value());
      }
    }
    return h;
  }

  private static void addSource(Headers h, String topic, int partition, long offset) {
    h.add(TOPIC, utf8(topic));
    h.add(PARTITION, utf8(Integer.toString(partition)));
    h.add(OFFSET, utf8(Long.toString(offset)));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
