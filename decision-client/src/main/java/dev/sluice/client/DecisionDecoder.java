package dev.sluice.client;

import dev.sluice.avro.DecisionReason;
import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import dev.sluice.schema.AvroCodec;
import dev.sluice.schema.DecisionCodec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes reply values on the reply thread. Stateless apart from its read position, so one instance
 * per thread (not thread-safe).
 *
 * <p>Why not just {@link AvroCodec#DECISION} and {@link DecisionCodec#fromAvro}: the codec's
 * decoder reads the body byte by byte through an {@code InputStream}, fills a generated record
 * (boxing every long) that is then copied into a {@link Verdict}; that was about half of the reply
 * thread's work. When a value carries exactly the single-object header of the current {@code
 * Decision} schema (the normal case), this reads the twelve fields straight from the array into the
 * {@code Verdict}: strings as Avro decodes them (UTF-8), the rest as primitives. Anything it does
 * not expect (another schema fingerprint, a bad marker, a union or enum index out of range, a
 * boolean byte other than 0 or 1, a length past the end, trailing bytes) goes to the codec, so
 * errors and schema handling stay the codec's. {@code DecisionDecoderTest} pins the equivalence.
 */
final class DecisionDecoder {
  /**
   * Marker and fingerprint of the current {@code Decision} schema (the codec's class also sets up
   * Avro's trust of the generated classes, which the fallback decode needs).
   */
  private static final byte[] HEADER = AvroCodec.DECISION.header();

  /** {@code DecisionReason} symbols by index, as core reasons. */
  private static final Reason[] REASONS =
      Arrays.stream(DecisionReason.values())
          .map(r -> Reason.valueOf(r.name()))
          .toArray(Reason[]::new);

  private byte[] buf;
  private int pos;
  private int end;

  /**
   * Decodes one reply value.
   *
   * @throws dev.sluice.schema.CodecException when the bytes are not a decodable {@code Decision}
   */
  Verdict decode(byte[] value) {
    if (value != null && value.length > HEADER.length && hasCurrentHeader(value)) {
      Verdict v = fastDecode(value);
      if (v != null) {
        return v;
      }
    }
    return DecisionCodec.fromAvro(AvroCodec.DECISION.decode(value));
  }

  /** The body read directly, or null for anything unexpected. */
  private Verdict fastDecode(byte[] value) {
    buf = value;
    pos = HEADER.length;
    end = value.length;
    try {
      String requestId = nullableString();
      String key = nullableString();
      int allowed = bool();
      long reason = varLong();
      String ruleId = nullableString();
      long limit = varLong();
      long remaining = varLong();
      long resetAfterMs = varLong();
      long retryAfterMs = varLong();
      long timestampMs = varLong();
      int shadow = bool();
      String message = nullableString();
      if (pos != end || allowed < 0 || shadow < 0 || reason < 0 || reason >= REASONS.length) {
        return null;
      }
      return new Verdict(
          requestId,
          key,
          allowed == 1,
          REASONS[(int) reason],
          ruleId,
          limit,
          remaining,
          resetAfterMs,
          retryAfterMs,
          timestampMs,
          shadow == 1,
          message);
    } catch (Malformed e) {
      return null;
    } finally {
      buf = null;
    }
  }

  /** Thrown (preallocated, no stack) when the body is not what the fast path expects. */
  private static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;
    static final Malformed INSTANCE = new Malformed();

    private Malformed() {
      super(null, null, false, false);
    }
  }

  /** A {@code ["null","string"]} union. */
  private String nullableString() throws Malformed {
    long branch = varLong();
    if (branch == 0) {
      return null;
    }
    if (branch != 1) {
      throw Malformed.INSTANCE;
    }
    long len = varLong();
    if (len < 0 || len > end - pos) {
      throw Malformed.INSTANCE;
    }
    String s = new String(buf, pos, (int) len, StandardCharsets.UTF_8);
    pos += (int) len;
    return s;
  }

  /** 0 or 1; -1 for any other byte (Avro itself would read those as false). */
  private int bool() throws Malformed {
    if (pos >= end) {
      throw Malformed.INSTANCE;
    }
    int b = buf[pos++];
    return b == 0 || b == 1 ? b : -1;
  }

  /** A zig-zag varint of at most 10 bytes. */
  private long varLong() throws Malformed {
    long z = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (pos >= end) {
        throw Malformed.INSTANCE;
      }
      int b = buf[pos++] & 0xFF;
      z |= (long) (b & 0x7F) << shift;
      if (b < 0x80) {
        return (z >>> 1) ^ -(z & 1);
      }
    }
    throw Malformed.INSTANCE;
  }

  private static boolean hasCurrentHeader(byte[] value) {
    for (int i = 0; i < HEADER.length; i++) {
      if (value[i] != HEADER[i]) {
        return false;
      }
    }
    return true;
  }
}
