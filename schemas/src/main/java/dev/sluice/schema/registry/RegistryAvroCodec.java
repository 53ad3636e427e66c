package dev.sluice.schema.registry;

import dev.sluice.schema.AvroBounds;
import dev.sluice.schema.AvroCodec;
import dev.sluice.schema.CodecException;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * The Confluent schema-registry wire format for one generated record type: byte 0 is the magic
 * {@code 0x00}, bytes 1-4 the writer schema's registry id (big-endian), then the Avro binary body.
 * Thread-safe; Kafka-free.
 *
 * <p>Encoding writes with the generated class's schema, registered (or looked up, see {@link
 * SchemaRegistryConfig#autoRegister()}) under {@link #subject()}. Decoding fetches the writer
 * schema by id and resolves it to the generated class's schema with Avro schema resolution, so
 * records from an older or newer compatible writer decode: fields the reader lacks are skipped,
 * fields the writer lacks take their defaults.
 *
 * <p>Errors: bytes that can never decode (wrong magic byte, truncated, trailing bytes, an id the
 * registry does not know, a writer schema that cannot resolve to this type) throw {@link
 * CodecException}, so the record belongs on the dead-letter topic. A registry that is unreachable
 * throws {@link SchemaRegistryException} instead: the record is fine, try again later.
 *
 * <p>Bounds: the writer id of this codec's own schema is remembered for {@link
 * SchemaRegistryConfig#cacheExpiry()}; resolved readers are kept per writer id in a cache of {@link
 * SchemaRegistryConfig#cacheCapacity()} entries with the same expiry (rebuilding one is cheap; the
 * schemas themselves are cached by the client).
 *
 * @param <T> the generated record type
 */
public final class RegistryAvroCodec<T extends SpecificRecord> {
  /** The first byte of every registry-encoded record. */
  public static final byte MAGIC = 0x00;

  /** Magic byte plus the 4-byte schema id. */
  public static final int HEADER_BYTES = 5;

  private record WriterId(int id, long fetchedAtNanos) {}

  private record Reader<T>(Schema writer, SpecificDatumReader<T> reader) {}

  private final AvroCodec<T> codec;
  private final SchemaRegistryClient client;
  private final String subject;
  private final Schema schema;
  private final SpecificDatumWriter<T> writer;
  private final long expiryNanos;
  private final BoundedCache<Integer, Reader<T>> readers;
  private volatile WriterId writerId;

  /**
   * A codec for {@code codec}'s record type under {@code subject} (see {@link TopicNameStrategy}).
   * Makes no registry call until first used.
   *
   * @param codec the embedded codec of the record type, whose schema is the writer and reader
   *     schema; not null
   * @param client the registry client; its cache settings also bound this codec's caches; not null
   * @param subject the subject to register or look up the writer schema under; not null
   * @throws NullPointerException when an argument is null
   */
  public RegistryAvroCodec(AvroCodec<T> codec, SchemaRegistryClient client, String subject) {
    // Holding an AvroCodec also guarantees its static block has trusted dev.sluice.avro classes.
    this.codec = Objects.requireNonNull(codec, "codec");
    this.client = Objects.requireNonNull(client, "client");
    this.subject = Objects.requireNonNull(subject, "subject");
    this.schema = codec.schema();
    this.writer = new SpecificDatumWriter<>(schema, SpecificData.get());
    this.expiryNanos = client.config().cacheExpiry().toNanos();
    this.readers =
        new BoundedCache<>(client.config().cacheCapacity(), expiryNanos, client::nanoTime);
  }

  /**
   * The subject the writer schema is registered under.
   *
   * @return the subject given at construction
   */
  public String subject() {
    return subject;
  }

  /**
   * The embedded (single-object) codec of the same record type.
   *
   * @return the codec given at construction; its schema is this codec's reader schema
   */
  public AvroCodec<T> embedded() {
    return codec;
  }

  /**
   * Encodes {@code value} in the registry wire format. The writer schema's id is fetched on the
   * first call and again once it is older than the cache expiry; other calls make no registry call.
   *
   * @param value the record; not null
   * @return the 5-byte header and the Avro binary body, a fresh array
   * @throws SchemaRegistryException when the writer schema's id cannot be had (registry down on
   *     first use, schema incompatible, or not registered while auto-registration is off)
   */
  public byte[] encode(T value) {
    int id = writerId();
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    out.write(MAGIC);
    out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
    try {
      BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
      writer.write(value, enc);
      enc.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Decodes registry wire format bytes into the generated type. Asks the registry only for a writer
   * id not already cached.
   *
   * @param bytes the record value; not null
   * @return the decoded record, resolved to this codec's schema
   * @throws CodecException when the bytes can never decode: not starting with {@code 0x00}, shorter
   *     than the header, an id the registry does not know, a truncated or over-long body, or a
   *     writer schema that does not resolve to this type
   * @throws SchemaRegistryException when the writer schema cannot be fetched right now
   */
  public T decode(byte[] bytes) {
    int id = schemaId(bytes, schema.getName());
    Schema writerSchema;
    try {
      writerSchema = client.schemaById(id);
    } catch (SchemaRegistryException e) {
      if (e.kind() == SchemaRegistryException.Kind.NOT_FOUND) {
        throw new CodecException(
            "unknown schema id "
                + id
                + " in registry-encoded "
                + schema.getName()
                + ": the registry has no such schema ("
                + e.getMessage()
                + ")",
            e);
      }
      throw e;
    }
    String tooLong = AvroBounds.check(writerSchema, bytes, HEADER_BYTES, bytes.length);
    if (tooLong != null) {
      throw new CodecException(
          "truncated or corrupt registry-encoded "
              + schema.getName()
              + " (schema id "
              + id
              + "): "
              + tooLong);
    }
    SpecificDatumReader<T> reader = readerFor(id, writerSchema);
    BinaryDecoder dec =
        DecoderFactory.get().binaryDecoder(bytes, HEADER_BYTES, bytes.length - HEADER_BYTES, null);
    T value;
    try {
      value = reader.read(null, dec);
    } catch (EOFException e) {
      throw new CodecException(
          "truncated registry-encoded "
              + schema.getName()
              + " (schema id "
              + id
              + ", "
              + bytes.length
              + " bytes): the body ends early",
          e);
    } catch (AvroTypeException e) {
      throw new CodecException(
          "writer schema id "
              + id
              + " ("
              + writerSchema.getFullName()
              + ") cannot be read as "
              + schema.getFullName()
              + ": "
              + e.getMessage(),
          e);
    } catch (IOException | RuntimeException e) {
      throw new CodecException(
          "corrupt registry-encoded " + schema.getName() + " (schema id " + id + "): " + e, e);
    }
    try {
      if (!dec.isEnd()) {
        throw new CodecException(
            "registry-encoded "
                + schema.getName()
                + " (schema id "
                + id
                + ") has "
                + "bytes after the record: corrupt or not written with that schema");
      }
    } catch (IOException e) {
      throw new CodecException("corrupt registry-encoded " + schema.getName() + ": " + e, e);
    }
    return value;
  }

  /**
   * The schema id in the header of registry-encoded bytes. Reads the header only; no registry call.
   *
   * @param bytes the record value; null is refused as truncated
   * @return the writer schema's registry id
   * @throws CodecException when the bytes are shorter than the header or the magic byte is wrong
   */
  public static int schemaId(byte[] bytes) {
    return schemaId(bytes, "record");
  }

  private static int schemaId(byte[] bytes, String what) {
    if (bytes == null || bytes.length < HEADER_BYTES) {
      throw new CodecException(
          "truncated registry-encoded "
              + what
              + ": "
              + (bytes == null ? 0 : bytes.length)
              + " bytes, but the header alone (magic 0x00 and a 4-byte schema id) is "
              + HEADER_BYTES);
    }
    if (bytes[0] != MAGIC) {
      throw new CodecException(
          String.format(
              "wrong magic byte 0x%02X for registry-encoded %s: expected 0x00 (0xC3 starts Avro"
                  + " single-object encoding and '{' JSON; WireFormat.sniff tells them apart)",
              bytes[0] & 0xFF, what));
    }
    return ByteBuffer.wrap(bytes, 1, 4).getInt();
  }

  private int writerId() {
    WriterId w = writerId;
    long now = client.nanoTime();
    if (w != null && now - w.fetchedAtNanos() < expiryNanos) {
      return w.id();
    }
    int id = client.idFor(subject, schema);
    writerId = new WriterId(id, now);
    return id;
  }

  private SpecificDatumReader<T> readerFor(int id, Schema writerSchema) {
    Reader<T> r = readers.getFresh(id);
    // The client hands out one Schema instance per fetch: a new instance means a re-fetch.
    if (r == null || r.writer() != writerSchema) {
      r =
          new Reader<>(
              writerSchema, new SpecificDatumReader<>(writerSchema, schema, SpecificData.get()));
      readers.put(id, r);
    }
    return r.reader();
  }
}
