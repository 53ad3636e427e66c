package dev.sluice.schema.registry;

import dev.sluice.schema.AvroCodec;
import dev.sluice.schema.CodecException;
import java.util.Objects;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * Chooses the Avro encoding a Sluice process writes for one record type on one topic, and reads
 * whichever of them a record carries. Thread-safe; Kafka-free.
 *
 * <p>Writing: with no registry configured ({@value SchemaRegistryConfig#URL} unset) records are
 * written in the embedded default, Avro single-object encoding ({@link AvroCodec}: marker {@code C3
 * 01}, 8-byte schema fingerprint, body), which needs no service. With a registry they are written
 * in the registry wire format ({@link RegistryAvroCodec}: {@code 00}, 4-byte schema id, body) under
 * the topic's value subject.
 *
 * <p>Reading: the first byte says which encoding a record uses ({@link #sniff}), so a topic can be
 * migrated from one to the other while old records are still being read. JSON values (first
 * non-blank byte <code>'&#123;'</code>) are not Avro: sniff first and hand them to the JSON codec;
 * {@link #decode} refuses them.
 *
 * <p>A Kafka adapter is a few lines: {@code serialize(topic, v) -> v == null ? null :
 * format.encode(v)}, and {@code deserialize(topic, b) -> b == null ? null : (sniff(b) == JSON ?
 * json.decode(b) : format.decode(b))}.
 *
 * @param <T> the generated record type
 */
public final class WireFormat<T extends SpecificRecord> {

  /** An encoding, as told by a record's first bytes. */
  public enum Encoding {
    /** Avro single-object encoding: {@code C3 01}, fingerprint, body. The embedded default. */
    SINGLE_OBJECT,
    /** Confluent schema-registry wire format: {@code 00}, schema id, body. */
    REGISTRY,
    /**
     * A JSON object (first non-blank byte <code>'&#123;'</code>); decoding it is the caller's job.
     */
    JSON,
    /** None of the above (empty, null, or another first byte). */
    UNKNOWN
  }

  private final AvroCodec<T> embedded;
  private final RegistryAvroCodec<T> registry;

  private WireFormat(AvroCodec<T> embedded, RegistryAvroCodec<T> registry) {
    this.embedded = Objects.requireNonNull(embedded, "embedded");
    this.registry = registry;
  }

  /**
   * Writes single-object encoding and reads only that (registry-encoded records then fail with a
   * {@link CodecException} that says to configure the registry).
   *
   * @param <T> the generated record type
   * @param codec the single-object codec of the record type; not null
   * @return a format that never calls a registry
   */
  public static <T extends SpecificRecord> WireFormat<T> embedded(AvroCodec<T> codec) {
    return new WireFormat<>(codec, null);
  }

  /**
   * Writes the registry wire format and reads both it and single-object encoding.
   *
   * @param <T> the generated record type
   * @param codec the registry codec of the record type; not null
   * @return a format that writes through the registry
   */
  public static <T extends SpecificRecord> WireFormat<T> registry(RegistryAvroCodec<T> codec) {
    return new WireFormat<>(codec.embedded(), codec);
  }

  /**
   * The format for values of {@code topic}: registry wire format under {@code <topic>-value} when a
   * client is given, else the embedded default. Build the client once per process with {@link
   * SchemaRegistryClient#fromProperties} and share it.
   *
   * @param <T> the generated record type
   * @param codec the single-object codec of the record type; not null
   * @param client the process's registry client, or empty for none
   * @param topic the topic the values go to; not blank when a client is given
   * @return the format; no registry call is made yet
   * @throws IllegalArgumentException when a client is given and {@code topic} is blank
   */
  public static <T extends SpecificRecord> WireFormat<T> forTopicValues(
      AvroCodec<T> codec, Optional<SchemaRegistryClient> client, String topic) {
    return client
        .map(
            c -> registry(new RegistryAvroCodec<>(codec, c, TopicNameStrategy.valueSubject(topic))))
        .orElseGet(() -> embedded(codec));
  }

  /**
   * The encoding {@link #encode} writes.
   *
   * @return {@link Encoding#REGISTRY} or {@link Encoding#SINGLE_OBJECT}
   */
  public Encoding writes() {
    return registry == null ? Encoding.SINGLE_OBJECT : Encoding.REGISTRY;
  }

  /**
   * Encodes {@code value} in the {@link #writes() chosen} encoding.
   *
   * @param value the record; not null
   * @return the encoded bytes, a fresh array
   * @throws SchemaRegistryException when writing the registry format and the writer schema's id
   *     cannot be had
   */
  public byte[] encode(T value) {
    return registry == null ? embedded.encode(value) : registry.encode(value);
  }

  /**
   * Decodes a record in either Avro encoding, told apart by its first byte.
   *
   * @param bytes the record value
   * @return the decoded record
   * @throws CodecException when the bytes are JSON (not this method's job), of no known encoding,
   *     registry-encoded while no registry is configured, or cannot be decoded
   * @throws SchemaRegistryException when the registry is needed and cannot answer right now (the
   *     record is not at fault: do not dead-letter it)
   */
  public T decode(byte[] bytes) {
    Encoding enc = sniff(bytes);
    switch (enc) {
      case SINGLE_OBJECT:
        return embedded.decode(bytes);
      case REGISTRY:
        if (registry == null) {
          throw new CodecException(
              "record is in the schema-registry wire format (schema id "
                  + RegistryAvroCodec.schemaId(bytes)
                  + ") but no schema registry is configured:"
                  + " set "
                  + SchemaRegistryConfig.URL);
        }
        return registry.decode(bytes);
      case JSON:
        throw new CodecException(
            "record is JSON, not Avro: sniff it with WireFormat.sniff and use the JSON codec");
      default:
        throw new CodecException(
            "unrecognised encoding"
                + (bytes == null || bytes.length == 0
                    ? " (no bytes)"
                    : String.format(" (first byte 0x%02X)", bytes[0] & 0xFF))
                + ": expected C3 01 (Avro single-object), 00 (schema-registry wire format) or"
                + " '{' (JSON)");
    }
  }

  /**
   * Tells the encoding from the first bytes: {@code C3 01} single-object, {@code 00} registry,
   * <code>'&#123;'</code> after optional JSON whitespace JSON, anything else (or null / empty)
   * unknown. Never throws.
   *
   * @param bytes a record value, or null
   * @return the encoding the bytes claim; the body is not checked
   */
  public static Encoding sniff(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      return Encoding.UNKNOWN;
    }
    if (AvroCodec.looksLikeSingleObject(bytes)) {
      return Encoding.SINGLE_OBJECT;
    }
    if (bytes[0] == RegistryAvroCodec.MAGIC) {
      return Encoding.REGISTRY;
    }
    for (byte b : bytes) {
      if (b == '{') {
        return Encoding.JSON;
      }
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
        return Encoding.UNKNOWN;
      }
    }
    return Encoding.UNKNOWN;
  }
}
