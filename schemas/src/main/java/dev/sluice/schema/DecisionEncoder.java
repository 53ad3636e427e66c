package dev.sluice.schema;

import dev.sluice.avro.DecisionReason;
import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import java.nio.charset.StandardCharsets;

/**
 * Writes a verdict's {@code Decision} single-object bytes straight from its fields, byte for byte
 * what {@link DecisionCodec#encodeWithAvro} writes. Stateless and thread-safe.
 *
 * <p>Why not just {@link AvroCodec#DECISION}: building the generated record, then running Avro's
 * generic writer (a schema walk, a union resolution per nullable field) through a buffered stream
 * and copying the result out, was about a tenth of the stream thread's work at top rate. A decision
 * is fourteen fields of a fixed schema; this sizes the output exactly, allocates that one array and
 * fills it:
 *
 * <ul>
 *   <li>the 10-byte header of the current schema ({@link AvroCodec#header()});
 *   <li>{@code ["null","string"]} unions as branch index 0, or 1 then the string; a union index,
 *       like the enum index of {@code reason}, is a zig-zag varint (so branch 1 is the byte 2);
 *   <li>strings as their UTF-8 byte length (zig-zag varint) then the bytes. ASCII strings are
 *       copied char by char; any other string goes through {@link String#getBytes} with UTF-8,
 *       which is what Avro's {@code BinaryEncoder.writeString} does too, so unpaired surrogates
 *       come out as {@code ?} exactly as there;
 *   <li>booleans as one byte 0 or 1; longs and ints ({@code limitIndex}) as zig-zag varints.
 * </ul>
 *
 * <p>It returns null for what it cannot do exactly (a core reason with no {@link DecisionReason}
 * counterpart, an output past the largest Java array), and the caller then takes the Avro path, so
 * its exception stays Avro's. {@code DecisionEncoderTest} pins the bytes to the Avro path's.
 */
final class DecisionEncoder {
  /** Marker and fingerprint of the current {@code Decision} schema. */
  private static final byte[] HEADER = AvroCodec.DECISION.header();

  /** The {@code DecisionReason} index of each core reason by ordinal; -1 when it has none. */
  private static final int[] REASON_INDEX = reasonIndexes();

  /** Largest output this writes; anything bigger is left to Avro (which then fails its own way). */
  private static final long MAX_SIZE = Integer.MAX_VALUE - 16;

  private DecisionEncoder() {}

  /** The single-object bytes of {@code v}, or null when only the Avro path can say. */
  static byte[] encode(Verdict v) {
    int reason = REASON_INDEX[v.reason().ordinal()];
    if (reason < 0) {
      return null;
    }
    String requestId = v.requestId();
    String key = v.key();
    String ruleId = v.ruleId();
    String message = v.message();
    // UTF-8 bytes of the non-ASCII strings only; null for ASCII (written char by char) or null.
    byte[] requestIdUtf8 = nonAsciiUtf8(requestId);
    byte[] keyUtf8 = nonAsciiUtf8(key);
    byte[] ruleIdUtf8 = nonAsciiUtf8(ruleId);
    byte[] messageUtf8 = nonAsciiUtf8(message);

    long size =
        HEADER.length
            + nullableStringSize(requestId, requestIdUtf8)
            + nullableStringSize(key, keyUtf8)
            + 1 // allowed
            + AvroBinary.longSize(reason)
            + nullableStringSize(ruleId, ruleIdUtf8)
            + AvroBinary.longSize(v.limit())
            + AvroBinary.longSize(v.remaining())
            + AvroBinary.longSize(v.resetAfterMs())
            + AvroBinary.longSize(v.retryAfterMs())
            + AvroBinary.longSize(v.timestampMs())
            + 1 // shadow
            + nullableStringSize(message, messageUtf8)
            + AvroBinary.longSize(v.granted())
            + AvroBinary.longSize(v.limitIndex());
    if (size > MAX_SIZE) {
      return null;
    }

    byte[] out = new byte[(int) size];
    System.arraycopy(HEADER, 0, out, 0, HEADER.length);
    int pos = HEADER.length;
    pos = putNullableString(out, pos, requestId, requestIdUtf8);
    pos = putNullableString(out, pos, key, keyUtf8);
    out[pos++] = (byte) (v.allowed() ? 1 : 0);
    pos = AvroBinary.putLong(out, pos, reason);
    pos = putNullableString(out, pos, ruleId, ruleIdUtf8);
    pos = AvroBinary.putLong(out, pos, v.limit());
    pos = AvroBinary.putLong(out, pos, v.remaining());
    pos = AvroBinary.putLong(out, pos, v.resetAfterMs());
    pos = AvroBinary.putLong(out, pos, v.retryAfterMs());
    pos = AvroBinary.putLong(out, pos, v.timestampMs());
    out[pos++] = (byte) (v.shadow() ? 1 : 0);
    pos = putNullableString(out, pos, message, messageUtf8);
    pos = AvroBinary.putLong(out, pos, v.granted());
    // An Avro int is the same zig-zag varint as a long (at most 5 bytes for a 32-bit value).
    pos = AvroBinary.putLong(out, pos, v.limitIndex());
    if (pos != size) {
      throw new IllegalStateException("decision encoder sized " + size + " bytes, wrote " + pos);
    }
    return out;
  }

  private static int[] reasonIndexes() {
    Reason[] reasons = Reason.values();
    int[] index = new int[reasons.length];
    for (Reason r : reasons) {
      int i = -1;
      for (DecisionReason d : DecisionReason.values()) {
        if (d.name().equals(r.name())) {
          // Avro writes an enum as the index of its symbol: the generated enum's ordinal.
          i = d.ordinal();
        }
      }
      index[r.ordinal()] = i;
    }
    return index;
  }

  /** The UTF-8 bytes of {@code s} when it has a non-ASCII char; null when ASCII or null. */
  private static byte[] nonAsciiUtf8(String s) {
    return s == null || AvroBinary.isAscii(s) ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  /** Bytes of a {@code ["null","string"]} union holding {@code s}. */
  private static long nullableStringSize(String s, byte[] utf8) {
    if (s == null) {
      return 1;
    }
    int len = utf8 == null ? s.length() : utf8.length;
    return 1L + AvroBinary.longSize(len) + len;
  }

  private static int putNullableString(byte[] out, int pos, String s, byte[] utf8) {
    if (s == null) {
      out[pos++] = 0; // branch 0: null
      return pos;
    }
    out[pos++] = 2; // branch 1 (zig-zag)
    if (utf8 != null) {
      pos = AvroBinary.putLong(out, pos, utf8.length);
      System.arraycopy(utf8, 0, out, pos, utf8.length);
      return pos + utf8.length;
    }
    return AvroBinary.putAscii(out, pos, s);
  }
}
