package dev.sluice.client;

import dev.sluice.avro.DecisionReason;
import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import dev.sluice.schema.AvroBinary;
import dev.sluice.schema.AvroCodec;
import dev.sluice.schema.DecisionCodec;
import java.util.Arrays;

/**
 * Decodes reply values on the reply thread. Stateless (each value gets its own {@link
 * AvroBinary.Reader}), so one instance may serve any thread.
 *
 * <p>Why not just {@link AvroCodec#DECISION} and {@link DecisionCodec#fromAvro}: the codec's
 * decoder reads the body byte by byte through an {@code InputStream}, fills a generated record
 * (boxing every long) that is then copied into a {@link Verdict}; that was about half of the reply
 * thread's work. When a value carries exactly the single-object header of the current {@code
 * Decision} schema (the normal case), this reads the fourteen fields straight from the array into
 * the {@code Verdict}: strings as Avro decodes them (UTF-8), the rest as primitives. Anything it
 * does not expect (another schema fingerprint, a bad marker, a union or enum index out of range, a
 * boolean byte other than 0 or 1, a length past the end, trailing bytes) goes to the codec, so
 * errors and schema handling stay the codec's. {@code DecisionDecoderTest} pins the equivalence.
 *
 * <p>A decision from a service older than contract version 2 carries an older header and goes to
 * the codec, which knows every released schema and gives it {@code granted} and {@code limitIndex}
 * -1.
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

  /**
   * Decodes one reply value.
   *
   * @throws dev.sluice.schema.CodecException when the bytes are not a decodable {@code Decision}
   */
  Verdict decode(byte[] value) {
    if (AvroBinary.hasHeader(value, HEADER)) {
      Verdict v = fastDecode(new AvroBinary.Reader(value, HEADER.length));
      if (v != null) {
        return v;
      }
    }
    return DecisionCodec.fromAvro(AvroCodec.DECISION.decode(value));
  }

  /** The body read directly, or null for anything unexpected. */
  private static Verdict fastDecode(AvroBinary.Reader in) {
    try {
      String requestId = nullableString(in);
      String key = nullableString(in);
      int allowed = in.readBoolean();
      long reason = in.readLong();
      String ruleId = nullableString(in);
      long limit = in.readLong();
      long remaining = in.readLong();
      long resetAfterMs = in.readLong();
      long retryAfterMs = in.readLong();
      long timestampMs = in.readLong();
      int shadow = in.readBoolean();
      String message = nullableString(in);
      long granted = in.readLong();
      int limitIndex = in.readInt();
      if (!in.atEnd() || allowed < 0 || shadow < 0 || reason < 0 || reason >= REASONS.length) {
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
          granted,
          limitIndex,
          timestampMs,
          shadow == 1,
          message);
    } catch (AvroBinary.Unexpected e) {
      return null;
    }
  }

  /** A {@code ["null","string"]} union. */
  private static String nullableString(AvroBinary.Reader in) throws AvroBinary.Unexpected {
    return in.readNonNullBranch() ? in.readString() : null;
  }
}
