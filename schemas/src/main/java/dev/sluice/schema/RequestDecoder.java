package dev.sluice.schema;

import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificData;

/**
 * Reads a {@code RateLimitRequest} single-object value straight from its bytes into a {@link
 * DecodedRequest} equal to what {@link RequestCodec#decodeWithAvro} makes of it, or answers null
 * when it is not sure, and the caller then takes the Avro path (so every error, message and
 * exception stays the codec's). Stateless: each value gets its own {@link AvroBinary.Reader}.
 *
 * <p>Why not just {@link AvroCodec#REQUEST}: the codec checks the body's bounds ({@link
 * AvroBounds}), then Avro reads it byte by byte through an {@code InputStream} and a resolving
 * decoder into a generated record, which is then copied into a {@code DecodedRequest}: about a
 * tenth of the stream thread's work at top rate. A request is seven fields of a fixed schema.
 *
 * <p>What it reads, and what sends it back to the codec (null):
 *
 * <ul>
 *   <li>the 10-byte header must be exactly the current schema's or release v1's, which is the
 *       current one without its last field, {@code maxCost} (the form {@link AvroCodec} writes a
 *       request without {@code maxCost} in); any other header, and anything of 10 bytes or less,
 *       goes to the codec;
 *   <li>strings: a zig-zag varint length, then that many bytes turned into a {@code String} by
 *       {@code new String(bytes, off, len, UTF_8)}, the very call Avro's {@code Utf8.toString}
 *       makes, so invalid UTF-8 becomes the same replacement characters on both paths. A negative
 *       length or one past the end goes to the codec;
 *   <li>longs: up to 10 varint bytes, as Avro's {@code BinaryDecoder.readLong} reads them; ints
 *       (union indexes, {@code replyPartition}): up to 5 bytes in 32-bit arithmetic, as {@code
 *       readInt} does. A varint that runs past the end or is longer goes to the codec;
 *   <li>unions: branch 0 (null) or 1; any other index goes to the codec;
 *   <li>the metadata map: blocks of positive counts into a {@link HashMap} of default capacity,
 *       filled in wire order, exactly as Avro's reader does, so that after {@link DecodedRequest}'s
 *       copy even the iteration order is the same (and a repeated key keeps its last value on both
 *       paths). A negative count (a block with a byte size, which Java writers never produce) or
 *       more than {@value #MAX_ENTRIES} entries in all goes to the codec: SPEC 2 allows 64, and
 *       Avro's own collection limits are then nowhere near;
 *   <li>the body must end exactly at the end of the value: trailing bytes go to the codec.
 * </ul>
 *
 * <p>Only while Avro decodes this way: when any of its {@code org.apache.avro.limits.*} system
 * properties is set (read once, when this class loads), it may refuse strings or maps this reader
 * would accept; with its fast reader off or custom coders on, it fills the map differently. Either
 * way every value then goes to the codec ({@link #enabled}). {@code RequestDecoderTest} pins the
 * equivalence, corrupt inputs included.
 */
final class RequestDecoder {
  /** Marker and fingerprint of the current {@code RateLimitRequest} schema. */
  private static final byte[] HEADER = AvroCodec.REQUEST.header();

  /**
   * Marker and fingerprint of release v1's {@code RateLimitRequest}: the current fields but the
   * last, {@code maxCost}. Requests without {@code maxCost} are written so ({@link AvroCodec}), and
   * so are every v1 client's.
   */
  private static final byte[] V1_HEADER = AvroCodec.REQUEST.header("v1");

  /** Most metadata entries read here; beyond, the codec decides. */
  static final int MAX_ENTRIES = 4096;

  /** False when Avro's decoding limits were configured: only Avro then knows what it accepts. */
  private static final boolean DEFAULT_LIMITS =
      System.getProperty("org.apache.avro.limits.string.maxLength") == null
          && System.getProperty("org.apache.avro.limits.collectionItems.maxLength") == null
          && System.getProperty("org.apache.avro.limits.collectionItems.maxAllocation") == null
          && System.getProperty("org.apache.avro.limits.bytes.maxLength") == null;

  /** The model {@link AvroCodec} decodes with. */
  private static final SpecificData MODEL = SpecificData.get();

  private RequestDecoder() {}

  /** The request in {@code value}, or null when the codec must decide. */
  static DecodedRequest decode(byte[] value) {
    if (!enabled()) {
      return null;
    }
    boolean current = AvroBinary.hasHeader(value, HEADER);
    if (!current && !AvroBinary.hasHeader(value, V1_HEADER)) {
      return null;
    }
    try {
      return read(new AvroBinary.Reader(value, HEADER.length), current);
    } catch (AvroBinary.Unexpected e) {
      return null;
    }
  }

  /**
   * True while Avro decodes the way this reader copies: default limits and Avro 1.12's default
   * reader, its "fast reader" ({@code FastReaderBuilder}) with the generated classes' custom coders
   * off. The resolving reader and the generated {@code customDecode} size the metadata map
   * differently, so its iteration order could differ.
   */
  static boolean enabled() {
    return DEFAULT_LIMITS && MODEL.isFastReaderEnabled() && !MODEL.useCustomCoders();
  }

  private static DecodedRequest read(AvroBinary.Reader in, boolean current)
      throws AvroBinary.Unexpected {
    // Field order of RateLimitRequest.avsc; release v1's ends before maxCost.
    String id = in.readString();
    String key = in.readString();
    Map<String, String> metadata = metadata(in);
    Long cost = in.readNonNullBranch() ? in.readLong() : null;
    Integer replyPartition = in.readNonNullBranch() ? in.readInt() : null;
    String replyTopic = in.readNonNullBranch() ? in.readString() : null;
    Long maxCost = current && in.readNonNullBranch() ? in.readLong() : null;
    if (!in.atEnd()) {
      throw AvroBinary.Unexpected.INSTANCE;
    }
    return new DecodedRequest(
        id, key, metadata, cost, maxCost, replyTopic, replyPartition, null, null);
  }

  private static Map<String, String> metadata(AvroBinary.Reader in) throws AvroBinary.Unexpected {
    long count = in.readLong();
    if (count == 0) {
      return Map.of();
    }
    if (count < 0 || count > MAX_ENTRIES) {
      throw AvroBinary.Unexpected.INSTANCE;
    }
    // The map Avro's fast reader fills (FastReaderBuilder.MapReader): default capacity.
    Map<String, String> map = new HashMap<>();
    long total = 0;
    while (count != 0) {
      total += count;
      if (count < 0 || total > MAX_ENTRIES) {
        throw AvroBinary.Unexpected.INSTANCE;
      }
      for (long i = 0; i < count; i++) {
        String k = in.readString();
        map.put(k, in.readString());
      }
      count = in.readLong();
    }
    return map;
  }
}
