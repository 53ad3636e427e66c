package dev.sluice.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.Decision;
import dev.sluice.avro.DecisionReason;
import dev.sluice.avro.RateLimitRequest;
import dev.sluice.core.Verdict;
import dev.sluice.schema.AvroCodec;
import dev.sluice.schema.CodecException;
import dev.sluice.schema.DecisionCodec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class DecisionDecoderTest {
  private final DecisionDecoder decoder = new DecisionDecoder();

  @Test
  void shouldDecodeExactlyAsTheCodecDoes() {
    List<Decision> samples =
        List.of(
            new Decision(
                "id-1",
                "user:1",
                true,
                DecisionReason.ALLOWED,
                "r1",
                100L,
                99L,
                1000L,
                0L,
                1_700_000_000_000L,
                false,
                null,
                -1L,
                -1),
            new Decision(
                null,
                null,
                false,
                DecisionReason.INVALID_REQUEST,
                null,
                -1L,
                -1L,
                -1L,
                -1L,
                0L,
                false,
                "cost: must be 1 to 1000000000 (got 0)",
                -1L,
                -1),
            new Decision(
                "ü-ñ-€",
                "k".repeat(512),
                true,
                DecisionReason.RATE_LIMITED,
                "shadowy",
                0L,
                0L,
                Long.MAX_VALUE,
                -1L,
                1L << 53,
                true,
                null,
                -1L,
                -1));
    for (Decision d : samples) {
      byte[] bytes = AvroCodec.DECISION.encode(d);
      for (int round = 0; round < 3; round++) { // the buffered decoder is reused
        assertEquals(codec(bytes), decoder.decode(bytes));
        assertEquals(DecisionCodec.fromAvro(d), decoder.decode(bytes));
      }
    }
  }

  /** What the codec path makes of {@code bytes}. */
  private static Verdict codec(byte[] bytes) {
    return DecisionCodec.fromAvro(AvroCodec.DECISION.decode(bytes));
  }

  /** The decoded value, or the CodecException's message. */
  private static Object outcome(Supplier<Verdict> decode) {
    try {
      return decode.get();
    } catch (CodecException e) {
      return "CodecException: " + e.getMessage();
    }
  }

  @Test
  void shouldLeaveEverythingElseToTheCodec() {
    byte[] good =
        AvroCodec.DECISION.encode(
            new Decision(
                "id",
                "k",
                true,
                DecisionReason.ALLOWED,
                null,
                -1L,
                -1L,
                -1L,
                -1L,
                0L,
                false,
                null,
                -1L,
                -1));
    byte[] truncated = Arrays.copyOf(good, good.length - 3);
    byte[] trailing = Arrays.copyOf(good, good.length + 1);
    byte[] otherSchema =
        AvroCodec.REQUEST.encode(new RateLimitRequest("id", "k", Map.of(), null, null, null, null));
    for (byte[] odd : List.of(truncated, trailing, otherSchema, "{}".getBytes(), new byte[0])) {
      Object fromCodec = outcome(() -> codec(odd));
      assertEquals(fromCodec, outcome(() -> decoder.decode(odd)));
    }
    assertTrue(outcome(() -> decoder.decode(truncated)).toString().startsWith("CodecException"));
    assertThrows(CodecException.class, () -> decoder.decode(null));
  }

  @Test
  void shouldAgreeWithTheCodecOnOddBodies() {
    byte[] good =
        AvroCodec.DECISION.encode(
            new Decision(
                "id",
                "k",
                true,
                DecisionReason.ALLOWED,
                "r",
                5L,
                4L,
                1000L,
                0L,
                1L,
                false,
                null,
                -1L,
                -1));
    // Body: 02 04 'i' 'd' | 02 02 'k' | allowed | reason | 02 02 'r' | longs... | shadow | message
    int allowedAt = 10 + 4 + 3;
    int reasonAt = allowedAt + 1;
    int ruleIdAt = reasonAt + 1;
    List<byte[]> odd = new java.util.ArrayList<>();
    odd.add(with(good, allowedAt, (byte) 2)); // a boolean byte Avro reads as false
    odd.add(with(good, reasonAt, (byte) 8)); // enum index 4 of 4
    odd.add(with(good, reasonAt, (byte) 6)); // INVALID_REQUEST
    odd.add(with(good, ruleIdAt, (byte) 4)); // union branch 2 of 2
    odd.add(with(good, 10, (byte) 0)); // null id; the rest misaligned
    odd.add(with(good, 11, (byte) 0x7F)); // id length far past the end
    odd.add(with(good, good.length - 1, (byte) 2)); // message: string branch, nothing follows
    for (byte[] b : odd) {
      assertEquals(outcome(() -> codec(b)), outcome(() -> decoder.decode(b)), Arrays.toString(b));
    }
    // every truncation
    for (int len = 0; len < good.length; len++) {
      byte[] b = Arrays.copyOf(good, len);
      assertEquals(outcome(() -> codec(b)), outcome(() -> decoder.decode(b)), "length " + len);
    }
  }

  private static byte[] with(byte[] bytes, int at, byte value) {
    byte[] copy = bytes.clone();
    copy[at] = value;
    return copy;
  }
}
