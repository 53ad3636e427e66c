package dev.sluice.schema;

import dev.sluice.avro.AppliedRule;
import dev.sluice.avro.Decision;
import dev.sluice.avro.RateLimitRequest;
import dev.sluice.avro.Rule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.SchemaParseException;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro single-object encoding (a 2-byte marker {@code C3 01}, the 8-byte schema fingerprint, then
 * the Avro binary body) for one generated record type. Thread-safe.
 *
 * <p>Reading: the current schema and every released version of the record ({@link #RELEASED},
 * snapshots kept as resources under {@code dev/sluice/schema/released/}), resolved to the current
 * schema by Avro's rules (new fields take their defaults): records written by an earlier release,
 * on a topic or in a store, still decode after an upgrade. A fingerprint of any other schema, a
 * newer one included, is refused: a release cannot know the schemas that come after it.
 *
 * <p>Writing: the current schema, except for the codecs of records that cross a rolling upgrade
 * ({@link #REQUEST}, {@link #RULE}, {@link #APPLIED_RULE}). They write a record with the oldest
 * released schema that holds it exactly ({@link ReleasedForm}: the fields added since at their
 * defaults, the fields made nullable since set), so that processes of that release, which know no
 * newer fingerprint, can still read it. A request without {@code maxCost}, a rule in the top-level
 * form and an applied rule without {@code limitGenerations} are written as release v1 wrote them; a
 * value that uses a newer field is written with the current schema. Decisions are always written
 * with the current schema: clients are upgraded before the service (docs/DEPLOYMENT.md).
 *
 * <p>Avro refuses to instantiate generated classes from packages it does not trust; creating any
 * codec adds {@code dev.sluice.avro} to the trusted set once, keeping Avro's defaults.
 *
 * @param <T> the generated record type
 */
public final class AvroCodec<T extends SpecificRecord> {
  /** The first byte of every single-object encoded record. */
  public static final byte MAGIC_0 = (byte) 0xC3;

  /** The second byte of every single-object encoded record. */
  public static final byte MAGIC_1 = (byte) 0x01;

  static {
    ClassSecurityValidator.ClassSecurityPredicate avroDefault = ClassSecurityValidator.getGlobal();
    ClassSecurityValidator.setGlobal(
        type -> type.getName().startsWith("dev.sluice.avro.") || avroDefault.isTrusted(type));
  }

  /**
   * The released schema snapshots this codec also reads, oldest first: the directory names under
   * {@code dev/sluice/schema/released/}. Add one when releasing a version whose schemas changed.
   */
  public static final List<String> RELEASED = List.of("v1");

  /** Rules, as operators publish them; written in the oldest released form that holds them. */
  public static final AvroCodec<Rule> RULE = new AvroCodec<>(Rule.getClassSchema(), true);

  /**
   * Validated rules with their counter generation (internal topic); written in the oldest released
   * form that holds them.
   */
  public static final AvroCodec<AppliedRule> APPLIED_RULE =
      new AvroCodec<>(AppliedRule.getClassSchema(), true);

  /** Requests; written in the oldest released form that holds them. */
  public static final AvroCodec<RateLimitRequest> REQUEST =
      new AvroCodec<>(RateLimitRequest.getClassSchema(), true);

  /** Decisions; always written with the current schema. */
  public static final AvroCodec<Decision> DECISION =
      new AvroCodec<>(Decision.getClassSchema(), false);

  /** A released version this codec writes values that fit its schema with, and its encoder. */
  private record OlderForm<T>(String version, ReleasedForm form, BinaryMessageEncoder<T> encoder) {}

  private final Schema schema;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;
  private final long fingerprint;

  /** Every schema this codec reads, by fingerprint: the current one and the released ones. */
  private final Map<Long, Schema> writers;

  /** Released schemas this codec writes with when a value fits them, oldest first; may be empty. */
  private final List<OlderForm<T>> olderForms;

  /** Released schemas of this record, by version (those that differ from the current one). */
  private final Map<String, Schema> released;

  private AvroCodec(Schema schema, boolean writesOlderForms) {
    this.schema = schema;
    this.fingerprint = SchemaNormalization.parsingFingerprint64(schema);
    this.encoder = new BinaryMessageEncoder<>(SpecificData.get(), schema);
    this.decoder = new BinaryMessageDecoder<>(SpecificData.get(), schema);
    Map<Long, Schema> known = new HashMap<>();
    known.put(fingerprint, schema);
    Map<String, Schema> byVersion = new HashMap<>();
    List<OlderForm<T>> forms = new ArrayList<>();
    for (String version : RELEASED) {
      Schema old = releasedSchema(version, schema.getName());
      if (old == null
          || known.putIfAbsent(SchemaNormalization.parsingFingerprint64(old), old) != null) {
        continue;
      }
      decoder.addSchema(old);
      byVersion.put(version, old);
      ReleasedForm form = writesOlderForms ? ReleasedForm.of(old, schema) : null;
      if (form != null) {
        forms.add(
            new OlderForm<>(version, form, new BinaryMessageEncoder<>(SpecificData.get(), old)));
      }
    }
    this.writers = Map.copyOf(known);
    this.released = Map.copyOf(byVersion);
    this.olderForms = List.copyOf(forms);
  }

  /**
   * The schema of record {@code name} as released in {@code version}, parsed after the named types
   * records refer to: what a producer, store or reader of that release used. For reading old data
   * and for compatibility tests.
   *
   * @param version a snapshot directory name, one of {@link #RELEASED}
   * @param name the record's simple name, e.g. {@code "RateLimitRequest"}
   * @return the released schema, or null when that release had no such record
   * @throws IllegalStateException when a snapshot resource cannot be read or parsed: the jar is
   *     broken, and no codec should start
   */
  public static Schema releasedSchema(String version, String name) {
    String dir = "released/" + version + "/";
    String text = resource(dir + name + ".avsc");
    if (text == null) {
      return null;
    }
    Schema.Parser parser = new Schema.Parser();
    try {
      // Referenced types first, each after those it refers to (a Rule names RateLimitAlgorithm).
      for (String dep : List.of("RateLimitAlgorithm", "DecisionReason", "Rule")) {
        String depText = dep.equals(name) ? null : resource(dir + dep + ".avsc");
        if (depText != null) {
          parser.parse(depText);
        }
      }
      return parser.parse(text);
    } catch (SchemaParseException e) {
      throw new IllegalStateException(
          "cannot parse released schema " + dir + name + ".avsc: " + e.getMessage(), e);
    }
  }

  private static String resource(String path) {
    try (InputStream in = AvroCodec.class.getResourceAsStream(path)) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot read released schema " + path + ": " + e, e);
    }
  }

  /**
   * The schema of this codec's record: the one it decodes every known writer schema into, and the
   * one it writes with unless a released form holds the value (see the class comment).
   *
   * @return the generated class's schema
   */
  public Schema schema() {
    return schema;
  }

  /**
   * The 10 bytes a value written with the current schema starts with: the marker {@code C3 01},
   * then the schema's fingerprint (CRC-64-AVRO, little-endian). A new array on each call; for code
   * that writes or recognises this codec's bytes without going through Avro (values written in a
   * released form start with {@link #header(String)} instead).
   *
   * @return a fresh 10-byte array
   */
  public byte[] header() {
    return header(fingerprint);
  }

  /**
   * The 10-byte header of a released version of this record's schema: what {@link #encode} writes
   * for a value that fits that version's form (see the class comment), and what code that writes or
   * reads this codec's bytes without Avro must recognise.
   *
   * @param version one of {@link #RELEASED}
   * @return a fresh 10-byte array, or null when that release had this record with the current
   *     schema or not at all
   */
  public byte[] header(String version) {
    Schema old = released.get(version);
    return old == null ? null : header(SchemaNormalization.parsingFingerprint64(old));
  }

  private static byte[] header(long fingerprint) {
    byte[] h = new byte[10];
    h[0] = MAGIC_0;
    h[1] = MAGIC_1;
    for (int i = 0; i < 8; i++) {
      h[2 + i] = (byte) (fingerprint >>> (8 * i));
    }
    return h;
  }

  /**
   * The released version whose schema {@link #encode} writes {@code value} with, or null for the
   * current schema.
   *
   * @param value the record; not null
   * @return a {@link #RELEASED} version, or null
   */
  public String writtenVersion(T value) {
    OlderForm<T> f = olderFormOf(value);
    return f == null ? null : f.version();
  }

  private OlderForm<T> olderFormOf(T value) {
    // Generated classes' custom coders write the current schema whatever the writer's: only the
    // schema-driven writer can write an older form.
    if (olderForms.isEmpty() || SpecificData.get().useCustomCoders()) {
      return null;
    }
    for (OlderForm<T> f : olderForms) {
      if (f.form().fits(value)) {
        return f;
      }
    }
    return null;
  }

  /**
   * Encodes {@code value}: the 10-byte header, then the body, with the current schema or, for the
   * codecs that do so, the oldest released schema that holds the value exactly (see the class
   * comment). Allocates the output array; no schema lookup.
   *
   * @param value the record; not null
   * @return the single-object encoding, a fresh array
   * @throws NullPointerException when a field the schema does not allow to be null is null (Avro's
   *     message names the field)
   */
  public byte[] encode(T value) {
    OlderForm<T> older = olderFormOf(value);
    try {
      ByteBuffer buf = (older == null ? encoder : older.encoder()).encode(value);
      byte[] out = new byte[buf.remaining()];
      buf.get(out);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Decodes single-object encoded bytes written with the current schema or a released one (then
   * resolved to the current schema, new fields taking their defaults). Before Avro reads the body,
   * every length and count prefix in it is checked against the bytes that follow, by the schema
   * that wrote them ({@link AvroBounds}, one pass, no allocation), so a small poison record cannot
   * make Avro allocate gigabytes. Bytes written with any other schema, a newer version of the same
   * record included, are refused without reading the body.
   *
   * @param bytes the record value; null is refused like any other non-Avro bytes
   * @return the decoded record, a new instance
   * @throws CodecException when the bytes are not single-object encoded, name an unknown schema, or
   *     are truncated or corrupt
   */
  public T decode(byte[] bytes) {
    if (bytes == null || bytes.length < 10 || bytes[0] != MAGIC_0 || bytes[1] != MAGIC_1) {
      throw new CodecException(
          "not Avro single-object encoded " + schema.getName() + " (expected marker C3 01)");
    }
    Schema writer = writers.get(fingerprintOf(bytes));
    if (writer != null) {
      String tooLong = AvroBounds.check(writer, bytes, 10, bytes.length);
      if (tooLong != null) {
        throw new CodecException(
            "truncated or corrupt " + schema.getName() + " record: " + tooLong);
      }
    }
    try {
      return decoder.decode(bytes);
    } catch (MissingSchemaException e) {
      throw new CodecException(
          "unknown schema fingerprint for " + schema.getName() + ": " + e.getMessage(), e);
    } catch (BadHeaderException e) {
      throw new CodecException(
          "bad single-object header for " + schema.getName() + ": " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      throw new CodecException("corrupt " + schema.getName() + " record: " + e, e);
    }
  }

  /** The fingerprint in a single-object header (little-endian, after the 2-byte marker). */
  private static long fingerprintOf(byte[] bytes) {
    long f = 0;
    for (int i = 0; i < 8; i++) {
      f |= (bytes[2 + i] & 0xFFL) << (8 * i);
    }
    return f;
  }

  /**
   * Tells the Avro form from JSON by its first two bytes, without checking the rest.
   *
   * @param bytes a record value, or null
   * @return true when {@code bytes} start with the single-object marker {@code C3 01}
   */
  public static boolean looksLikeSingleObject(byte[] bytes) {
    return bytes != null && bytes.length >= 2 && bytes[0] == MAGIC_0 && bytes[1] == MAGIC_1;
  }
}
