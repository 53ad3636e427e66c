package dev.sluice.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.Decision;
import dev.sluice.avro.DecisionReason;
import dev.sluice.avro.RateLimitRequest;
import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import dev.sluice.schema.AvroCodec;
import dev.sluice.schema.CodecException;
import dev.sluice.schema.DecisionCodec;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;
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
                1L,
                0),
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
                "cost: must be 0 to 1000000000 (got -1)",
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
                0L,
                Integer.MAX_VALUE),
            new Decision(
                "q",
                "k",
                true,
                DecisionReason.ALLOWED,
                "burst-and-daily",
                1_000_000_000L,
                0L,
                86_400_000L,
                0L,
                5L,
                false,
                null,
                1_000_000_000L,
                7));
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
                3L,
                0));
    // Body: 02 04 'i' 'd' | 02 02 'k' | allowed | reason | 02 02 'r' | longs... | shadow | message
    // | granted | limitIndex (one byte each here)
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
    odd.add(with(good, good.length - 3, (byte) 2)); // message: string branch, misaligned after
    odd.add(with(good, good.length - 1, (byte) 0x80)); // limitIndex varint runs past the end
    byte[] longInt = Arrays.copyOf(good, good.length + 4);
    for (int i = good.length - 1; i < longInt.length - 1; i++) {
      longInt[i] = (byte) 0x80; // limitIndex: a 6-byte varint, too long for an Avro int
    }
    odd.add(longInt);
    byte[] bigInt = Arrays.copyOf(good, good.length + 4);
    bigInt[good.length - 1] = (byte) 0xFF;
    bigInt[good.length] = (byte) 0xFF;
    bigInt[good.length + 1] = (byte) 0xFF;
    bigInt[good.length + 2] = (byte) 0xFF;
    bigInt[good.length + 3] = (byte) 0x0F; // limitIndex: 5 bytes, Integer.MIN_VALUE
    odd.add(bigInt);
    for (byte[] b : odd) {
      assertEquals(outcome(() -> codec(b)), outcome(() -> decoder.decode(b)), Arrays.toString(b));
    }
    // every truncation
    for (int len = 0; len < good.length; len++) {
      byte[] b = Arrays.copyOf(good, len);
      assertEquals(outcome(() -> codec(b)), outcome(() -> decoder.decode(b)), "length " + len);
    }
  }

  @Test
  void shouldReadGrantedAndLimitIndexDirectly() {
    Verdict v =
        new Verdict("q", "k", true, Reason.ALLOWED, "r", 100, 3, 500, 0, 42, 2, 9, false, null);
    byte[] bytes = DecisionCodec.encode(v);
    assertEquals(v, decoder.decode(bytes));
    assertEquals(42, ClientDecision.fromService(decoder.decode(bytes)).granted());
    assertEquals(2, ClientDecision.fromService(decoder.decode(bytes)).limitIndex());
  }

  @Test
  void shouldGiveMinusOneForGrantedAndLimitIndexOfADecisionFromAnOlderService() throws Exception {
    // Bytes exactly as a contract-version-1 service wrote them: the released v1 Decision schema.
    Schema v1 = AvroCodec.releasedSchema("v1", "Decision");
    GenericRecord d =
        new GenericRecordBuilder(v1)
            .set("requestId", "q")
            .set("key", "k")
            .set("allowed", true)
            .set("reason", new GenericData.EnumSymbol(v1.getField("reason").schema(), "ALLOWED"))
            .set("ruleId", "r")
            .set("limit", 10L)
            .set("remaining", 9L)
            .set("resetAfterMs", 1000L)
            .set("retryAfterMs", 0L)
            .set("timestampMs", 77L)
            .set("shadow", false)
            .build();
    ByteBuffer buf = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(d);
    byte[] bytes = new byte[buf.remaining()];
    buf.get(bytes);

    ClientDecision decision = ClientDecision.fromService(decoder.decode(bytes));
    assertEquals(
        new Verdict("q", "k", true, Reason.ALLOWED, "r", 10, 9, 1000, 0, -1, -1, 77, false, null),
        decision.verdict());
    assertEquals(-1, decision.granted());
    assertEquals(-1, decision.limitIndex());
  }

  private static byte[] with(byte[] bytes, int at, byte value) {
    byte[] copy = bytes.clone();
    copy[at] = value;
    return copy;
  }
}
