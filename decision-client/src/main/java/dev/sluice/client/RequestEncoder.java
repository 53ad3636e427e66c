package dev.sluice.client;

import dev.sluice.schema.AvroBinary;
import dev.sluice.schema.AvroCodec;
import java.util.Map;

/**
 * Writes a request's single-object bytes straight from the check's fields. Stateless and
 * thread-safe.
 *
 * <p>Why not just {@link AvroCodec#REQUEST}: building the generated record and running Avro's
 * generic writer through a thread-local stream, then copying its buffer twice, was about a third of
 * the caller's CPU per check. A request is seven fields of a fixed schema; this sizes the output
 * exactly, allocates that one array and fills it. It handles the normal case only, every string
 * ASCII and no null in the metadata, and returns null for anything else so the codec writes it
 * (non-ASCII strings go through Avro's own UTF-8 handling, unpaired surrogates included). {@code
 * RequestEncoderTest} pins the bytes to the codec's.
 */
final class RequestEncoder {
  /** Marker and fingerprint of the current {@code RateLimitRequest} schema. */
  private static final byte[] HEADER = AvroCodec.REQUEST.header();

  /**
   * Marker and fingerprint of release v1's {@code RateLimitRequest}, the current fields without the
   * last, {@code maxCost}: the codec writes a request without {@code maxCost} in that form, so that
   * a service of release v1 can read it during a rolling upgrade.
   */
  private static final byte[] V1_HEADER = AvroCodec.REQUEST.header("v1");

  private RequestEncoder() {}

  /**
   * {@link #encode(String, String, Map, long, long, int, String)} with {@code maxCost} equal to
   * cost.
   */
  static byte[] encode(
      String id,
      String key,
      Map<String, String> metadata,
      long cost,
      int replyPartition,
      String replyTopic) {
    return encode(id, key, metadata, cost, cost, replyPartition, replyTopic);
  }

  /**
   * The single-object bytes of {@code RateLimitRequest(id, key, metadata, cost == 1 ? null : cost,
   * replyPartition, replyTopic, maxCost == cost ? null : maxCost)} (null being the default of
   * each), as the codec writes them: in release v1's form when {@code maxCost} is null. Null when a
   * string is not ASCII or the metadata holds a null.
   */
  static byte[] encode(
      String id,
      String key,
      Map<String, String> metadata,
      long cost,
      long maxCost,
      int replyPartition,
      String replyTopic) {
    boolean v1 = maxCost == cost;
    byte[] header = v1 ? V1_HEADER : HEADER;
    int size = header.length;
    int n = stringSize(id);
    int k = stringSize(key);
    if (n < 0 || k < 0) {
      return null;
    }
    size += n + k;
    if (!metadata.isEmpty()) {
      size += AvroBinary.longSize(metadata.size());
      for (Map.Entry<String, String> e : metadata.entrySet()) {
        int a = stringSize(e.getKey());
        int b = stringSize(e.getValue());
        if (a < 0 || b < 0) {
          return null;
        }
        size += a + b;
      }
    }
    size += 1; // end of map
    size += cost == 1 ? 1 : 1 + AvroBinary.longSize(cost);
    size += 1 + AvroBinary.longSize(replyPartition);
    if (replyTopic == null) {
      size += 1;
    } else {
      int t = stringSize(replyTopic);
      if (t < 0) {
        return null;
      }
      size += 1 + t;
    }
    size += v1 ? 0 : 1 + AvroBinary.longSize(maxCost);

    byte[] out = new byte[size];
    System.arraycopy(header, 0, out, 0, header.length);
    int pos = header.length;
    pos = AvroBinary.putAscii(out, pos, id);
    pos = AvroBinary.putAscii(out, pos, key);
    if (!metadata.isEmpty()) {
      // One block holding every entry, in the map's iteration order: what Avro's writer does.
      pos = AvroBinary.putLong(out, pos, metadata.size());
      for (Map.Entry<String, String> e : metadata.entrySet()) {
        pos = AvroBinary.putAscii(out, pos, e.getKey());
        pos = AvroBinary.putAscii(out, pos, e.getValue());
      }
    }
    out[pos++] = 0;
    if (cost == 1) {
      out[pos++] = 0; // union branch 0: null
    } else {
      out[pos++] = 2; // union branch 1 (zig-zag)
      pos = AvroBinary.putLong(out, pos, cost);
    }
    out[pos++] = 2;
    pos = AvroBinary.putLong(out, pos, replyPartition);
    if (replyTopic == null) {
      out[pos++] = 0;
    } else {
      out[pos++] = 2;
      pos = AvroBinary.putAscii(out, pos, replyTopic);
    }
    if (!v1) {
      out[pos++] = 2; // maxCost: union branch 1
      pos = AvroBinary.putLong(out, pos, maxCost);
    }
    if (pos != size) {
      throw new IllegalStateException("request encoder sized " + size + " bytes, wrote " + pos);
    }
    return out;
  }

  /** Bytes of an Avro string when {@code s} is ASCII; -1 otherwise (or when null). */
  private static int stringSize(String s) {
    if (s == null || !AvroBinary.isAscii(s)) {
      return -1;
    }
    return AvroBinary.longSize(s.length()) + s.length();
  }
}
