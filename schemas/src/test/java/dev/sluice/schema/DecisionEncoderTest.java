package dev.sluice.schema;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@link DecisionCodec#encode} (the direct writer) against {@link DecisionCodec#encodeWithAvro}:
 * the same bytes for every verdict, and the direct writer really is the one that wrote them.
 */
class DecisionEncoderTest {

  /** Asserts the direct bytes equal Avro's; returns them. */
  private static byte[] assertSameBytes(Verdict v) {
    byte[] direct = DecisionEncoder.encode(v);
    assertNotNull(direct, "the direct writer declined " + v);
    byte[] avro = DecisionCodec.encodeWithAvro(v);
    assertArrayEquals(avro, direct, () -> "bytes differ for " + v);
    assertArrayEquals(avro, DecisionCodec.encode(v));
    return direct;
  }

  @Property(tries = 3000)
  void shouldWriteExactlyTheBytesAvroWrites(@ForAll("verdicts") Verdict v) {
    assertSameBytes(v);
  }

  @Property(tries = 500)
  void shouldDecodeBackToTheSameVerdictWhenEveryStringIsWellFormed(
      @ForAll("wellFormedVerdicts") Verdict v) {
    byte[] bytes = assertSameBytes(v);
    assertEquals(v, DecisionCodec.fromAvro(AvroCodec.DECISION.decode(bytes)));
  }

  @Test
  void shouldWriteEveryReasonAndTheExtremeLongsDirectly() {
    long[] extremes = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -65, -64, -1, 0, 63, 64, Long.MAX_VALUE};
    int[] indexes = {Integer.MIN_VALUE, -65, -64, -1, 0, 1, 7, 63, 64, Integer.MAX_VALUE};
    for (Reason reason : Reason.values()) {
      for (long x : extremes) {
        assertSameBytes(new Verdict("q", "k", true, reason, "r", x, x, x, x, x, 0, x, false, null));
        assertSameBytes(
            new Verdict(null, null, false, reason, null, x, -x, 0, x, -1, -1, -1, true, "m"));
      }
      for (int i : indexes) {
        assertSameBytes(new Verdict("q", "k", true, reason, "r", 1, 0, 1, 0, i, i, 1, false, null));
      }
    }
  }

  @Test
  void shouldEndWithGrantedThenLimitIndex() {
    // The last two fields of Decision.avsc, as zig-zag varints: granted 3 (6), limitIndex 2 (4).
    byte[] bytes =
        assertSameBytes(
            new Verdict("q", "k", true, Reason.ALLOWED, "r", 5, 2, 10, 0, 3, 2, 7, false, null));
    assertEquals(6, bytes[bytes.length - 2]);
    assertEquals(4, bytes[bytes.length - 1]);
    Verdict noRule = Verdict.noMatchingRule("q", "k", 7);
    byte[] none = assertSameBytes(noRule);
    assertEquals(1, none[none.length - 2]); // -1
    assertEquals(1, none[none.length - 1]); // -1
  }

  @Test
  void shouldWriteUnpairedSurrogatesAsAvroDoes() {
    // String.getBytes(UTF_8) turns an unpaired surrogate into '?': so must the direct writer.
    for (String s : List.of("\uD800", "a\uDC00b", "\uDBFF\uDBFF", "x\uD83D", "\uDE00\uD83D")) {
      assertSameBytes(new Verdict(s, s, true, Reason.ALLOWED, s, 1, 0, 1, 0, -1, -1, 1, false, s));
    }
  }

  @Test
  void shouldWriteLengthsThatNeedSeveralVarintBytes() {
    // 64 bytes is the first two-byte zig-zag length, 8192 the first three-byte one.
    for (int n : new int[] {63, 64, 65, 8191, 8192, 70_000}) {
      String ascii = "a".repeat(n);
      String twoByte = "\u00e9".repeat(n / 2 + 1);
      String fourByte = "\uD83D\uDE00".repeat(n / 4 + 1);
      assertSameBytes(
          new Verdict(
              ascii,
              twoByte,
              false,
              Reason.RATE_LIMITED,
              fourByte,
              1,
              2,
              3,
              4,
              -1,
              -1,
              5,
              true,
              ""));
    }
  }

  @Provide
  Arbitrary<Verdict> verdicts() {
    return verdicts(strings().injectNull(0.25));
  }

  @Provide
  Arbitrary<Verdict> wellFormedVerdicts() {
    return verdicts(wellFormedStrings().injectNull(0.25));
  }

  private static Arbitrary<Verdict> verdicts(Arbitrary<String> strings) {
    Arbitrary<Long> longs = longs();
    return Combinators.combine(
            Combinators.combine(
                    strings, strings, Arbitraries.of(true, false), Arbitraries.of(Reason.class))
                .as(Head::new),
            strings,
            Combinators.combine(longs, longs, longs, longs, longs, ints(), longs).as(Numbers::new),
            Arbitraries.of(true, false),
            strings)
        .as(
            (h, ruleId, n, shadow, message) ->
                new Verdict(
                    h.requestId,
                    h.key,
                    h.allowed,
                    h.reason,
                    ruleId,
                    n.limit,
                    n.remaining,
                    n.resetAfterMs,
                    n.retryAfterMs,
                    n.granted,
                    n.limitIndex,
                    n.timestampMs,
                    shadow,
                    message));
  }

  private record Head(String requestId, String key, boolean allowed, Reason reason) {}

  private record Numbers(
      long limit,
      long remaining,
      long resetAfterMs,
      long retryAfterMs,
      long granted,
      int limitIndex,
      long timestampMs) {}

  /** Ints over the whole range, near zero (limit indexes, -1), and at the varint length steps. */
  static Arbitrary<Integer> ints() {
    return Arbitraries.oneOf(
        Arbitraries.integers(),
        Arbitraries.integers().between(-2, 8),
        Arbitraries.integers()
            .between(0, 31)
            .flatMap(b -> Arbitraries.of(1 << b, (1 << b) - 1, -(1 << b), -(1 << b) - 1)),
        Arbitraries.of(Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1));
  }

  /** Longs over the whole range, near zero, and at the varint length steps. */
  static Arbitrary<Long> longs() {
    return Arbitraries.oneOf(
        Arbitraries.longs(),
        Arbitraries.longs().between(-300, 300),
        Arbitraries.integers()
            .between(0, 63)
            .flatMap(b -> Arbitraries.of(1L << b, (1L << b) - 1, -(1L << b), -(1L << b) - 1)),
        Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L));
  }

  /** Every kind of string, unpaired surrogates included. */
  static Arbitrary<String> strings() {
    return Arbitraries.oneOf(
        wellFormedStrings(),
        Arbitraries.strings().all().ofMaxLength(30),
        Arbitraries.strings()
            .withCharRange('a', 'c')
            .withCharRange('\uD800', '\uDFFF')
            .ofMaxLength(12));
  }

  /**
   * Empty, ASCII, 2-3 byte UTF-8, 4-byte UTF-8 (surrogate pairs), and long enough for 2-3 byte
   * lengths.
   */
  static Arbitrary<String> wellFormedStrings() {
    return Arbitraries.oneOf(
        Arbitraries.just(""),
        Arbitraries.strings().ascii().ofMaxLength(40),
        Arbitraries.strings().withCharRange('\u0080', '\uD7FF').ofMaxLength(20),
        supplementaryStrings(8),
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .withChars('\u00e9', '\u4e2d')
            .ofMinLength(60)
            .ofMaxLength(9000));
  }

  /** Up to {@code max} code points outside the BMP (4 UTF-8 bytes each). */
  static Arbitrary<String> supplementaryStrings(int max) {
    return Arbitraries.integers()
        .between(0x10000, 0x10FFFF)
        .list()
        .ofMaxSize(max)
        .map(cps -> cps.stream().map(Character::toString).collect(Collectors.joining()));
  }
}
