package dev.sluice.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.Decision;
import dev.sluice.avro.DecisionReason;
import dev.sluice.avro.RateLimitRequest;
import dev.sluice.schema.AvroCodec;
import dev.sluice.schema.CodecException;
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
                null),
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
                "cost: must be 1 to 1000000000 (got 0)"),
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
                null));
    for (Decision d : samples) {
      byte[] bytes = AvroCodec.DECISION.encode(d);
      for (int round = 0; round < 3; round++) { // the buffered decoder is reused
        assertEquals(AvroCodec.DECISION.decode(bytes), decoder.decode(bytes));
        assertEquals(d, decoder.decode(bytes));
      }
    }
  }

  /** The decoded value, or the CodecException's message. */
  private static Object outcome(Supplier<Decision> decode) {
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
                null));
    byte[] truncated = Arrays.copyOf(good, good.length - 3);
    byte[] trailing = Arrays.copyOf(good, good.length + 1);
    byte[] otherSchema =
        AvroCodec.REQUEST.encode(new RateLimitRequest("id", "k", Map.of(), null, null, null));
    for (byte[] odd : List.of(truncated, trailing, otherSchema, "{}".getBytes(), new byte[0])) {
      Object fromCodec = outcome(() -> AvroCodec.DECISION.decode(odd));
      assertEquals(fromCodec, outcome(() -> decoder.decode(odd)));
    }
    assertTrue(outcome(() -> decoder.decode(truncated)).toString().startsWith("CodecException"));
    assertThrows(CodecException.class, () -> decoder.decode(null));
  }
}
