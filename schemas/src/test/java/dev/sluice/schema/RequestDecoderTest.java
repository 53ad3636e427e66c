package dev.sluice.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.RateLimitRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

/**
 * {@link RequestCodec#decode} (the direct reader first) against {@link
 * RequestCodec#decodeWithAvro}: for valid values the same {@link DecodedRequest}, metadata
 * iteration order included, read by the direct reader; for anything else (corrupt, truncated,
 * shapes Avro's writer never makes) the same request or the same exception and message.
 */
class RequestDecoderTest {

  /** What a decode made of a value: the request and its metadata order, or the exception. */
  private static String outcome(Supplier<DecodedRequest> decode) {
    try {
      DecodedRequest r = decode.get();
      return "decoded " + r + " in order " + new ArrayList<>(r.metadata().entrySet());
    } catch (RuntimeException e) {
      return e.getClass().getName() + ": " + e.getMessage();
    }
  }

  /** Asserts both paths agree on {@code value}; returns whether the direct reader decoded it. */
  private static boolean assertSameOutcome(byte[] value) {
    String expected = outcome(() -> RequestCodec.decodeWithAvro(value));
    assertEquals(
        expected, outcome(() -> RequestCodec.decode(value)), () -> "for " + Arrays.toString(value));
    DecodedRequest direct = RequestDecoder.decode(value);
    if (direct != null) {
      assertEquals(expected, outcome(() -> direct));
    }
    return direct != null;
  }

  /** Asserts the direct reader decodes {@code value} and agrees with Avro. */
  private static void assertDecodedDirectly(byte[] value) {
    DecodedRequest direct = RequestDecoder.decode(value);
    assertNotNull(direct, () -> "the direct reader declined " + Arrays.toString(value));
    DecodedRequest avro = RequestCodec.decodeWithAvro(value);
    assertEquals(avro, direct);
    assertEquals(
        new ArrayList<>(avro.metadata().entrySet()), new ArrayList<>(direct.metadata().entrySet()));
    assertEquals(avro, RequestCodec.decode(value));
  }

  @Property(tries = 3000)
  void shouldDecodeEveryValidRequestDirectlyAndEqually(@ForAll("requests") RateLimitRequest r) {
    assertDecodedDirectly(AvroCodec.REQUEST.encode(r));
  }

  @Property(tries = 500)
  void shouldDecodeBackToTheSameRequestWhenEveryStringIsWellFormed(
      @ForAll("wellFormedRequests") RateLimitRequest r) {
    byte[] value = AvroCodec.REQUEST.encode(r);
    assertDecodedDirectly(value);
    assertEquals(RequestCodec.fromAvro(r), RequestCodec.decode(value));
  }

  @Property(tries = 300)
  void shouldAgreeOnEveryTruncationAndOnTrailingBytes(
      @ForAll("compactRequests") RateLimitRequest r) {
    byte[] value = AvroCodec.REQUEST.encode(r);
    for (int len = 0; len < value.length; len++) {
      assertSameOutcome(Arrays.copyOf(value, len));
    }
    assertSameOutcome(Arrays.copyOf(value, value.length + 1));
    byte[] junk = Arrays.copyOf(value, value.length + 3);
    junk[value.length] = 2;
    junk[value.length + 1] = (byte) 0xFF;
    assertSameOutcome(junk);
  }

  @Property(tries = 500)
  void shouldAgreeOnRandomlyCorruptedBytes(
      @ForAll("compactRequests") RateLimitRequest r,
      @ForAll long seed,
      @ForAll @IntRange(max = 4) int n) {
    byte[] value = AvroCodec.REQUEST.encode(r);
    Random random = new Random(seed);
    for (int round = 0; round < 20; round++) {
      byte[] bad = value.clone();
      for (int k = 0; k <= n; k++) {
        int at = random.nextInt(bad.length);
        bad[at] =
            switch (random.nextInt(4)) {
              case 0 -> (byte) (bad[at] ^ (1 << random.nextInt(8)));
              case 1 -> (byte) 0xFF;
              case 2 -> (byte) 0x80;
              default -> (byte) random.nextInt(256);
            };
      }
      assertSameOutcome(bad);
    }
  }

  @Property(tries = 2000)
  void shouldAgreeOnHandWrittenBodies(@ForAll("bodies") byte[] value) {
    assertSameOutcome(value);
  }

  @Test
  void shouldDecodeHandWrittenShapesAvroAlsoAcceptsDirectly() {
    Map<String, String> md = new LinkedHashMap<>();
    for (int i = 0; i < 40; i++) {
      md.put("k" + i, "v" + i);
    }
    List<Map.Entry<String, String>> entries = new ArrayList<>(md.entrySet());
    // Several blocks, as a streaming writer may split a map.
    Body blocks = new Body().string("q", 0).string("k", 0);
    blocks.varint(10, 0);
    entries.subList(0, 10).forEach(e -> blocks.string(e.getKey(), 0).string(e.getValue(), 0));
    blocks.varint(30, 0);
    entries.subList(10, 40).forEach(e -> blocks.string(e.getKey(), 0).string(e.getValue(), 0));
    blocks.varint(0, 0).varint(1, 0).varint(7, 0).varint(1, 0).varint(3, 0).varint(0, 0);
    blocks.varint(1, 0).varint(9, 0); // maxCost 9
    assertDecodedDirectly(blocks.bytes());
    assertEquals(md, RequestCodec.decode(blocks.bytes()).metadata());

    // A repeated key: the last value wins on both paths.
    Body repeated = new Body().string("q", 0).string("k", 0).varint(3, 0);
    repeated.string("a", 0).string("1", 0).string("b", 0).string("2", 0);
    repeated.string("a", 0).string("3", 0).varint(0, 0).varint(0, 0).varint(0, 0).varint(0, 0);
    repeated.varint(0, 0);
    assertDecodedDirectly(repeated.bytes());
    assertEquals(Map.of("a", "3", "b", "2"), RequestCodec.decode(repeated.bytes()).metadata());

    // Over-long varints that Avro still reads: 10 bytes for a long, 5 for an int.
    Body padded = new Body().string("q", 9).string("k", 9).varint(0, 9);
    padded.varint(1, 4).varint(Long.MIN_VALUE, 0).varint(1, 4).varint(-5, 4).varint(0, 4);
    padded.varint(1, 4).varint(Long.MAX_VALUE, 0);
    assertDecodedDirectly(padded.bytes());
    assertEquals(Long.MAX_VALUE, RequestCodec.decode(padded.bytes()).maxCost());
    assertEquals(Long.MIN_VALUE, RequestCodec.decode(padded.bytes()).cost());
    assertEquals(-5, RequestCodec.decode(padded.bytes()).replyPartition());
  }

  @Test
  void shouldDecodeInvalidUtf8AsAvroDoes() {
    // Avro turns bytes into a String with new String(.., UTF_8): replacement chars, no error.
    byte[][] invalid = {
      {(byte) 0xFF},
      {(byte) 0x80, 'a'},
      {(byte) 0xC0, (byte) 0xAF},
      {(byte) 0xE2, (byte) 0x82},
      {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
      {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
      {'o', 'k', (byte) 0xF0, (byte) 0x9F, (byte) 0x98}
    };
    for (byte[] s : invalid) {
      Body b = new Body().bytes(s).bytes(s).varint(1, 0).bytes(s).bytes(s).varint(0, 0);
      b.varint(0, 0).varint(0, 0).varint(1, 0).bytes(s).varint(0, 0);
      assertDecodedDirectly(b.bytes());
      assertTrue(RequestCodec.decode(b.bytes()).id().contains("\uFFFD"));
    }
  }

  @Test
  void shouldReadLargeMapsInAvrosOrder() {
    // Around HashMap resize thresholds and up to the reader's cap: the order must still match.
    for (int n : new int[] {12, 13, 767, 768, 769, 1025, 3000, RequestDecoder.MAX_ENTRIES}) {
      Map<String, String> md = new HashMap<>();
      for (int i = 0; i < n; i++) {
        md.put("key-" + (i * 7919L % 100_003), "v" + i);
      }
      assertDecodedDirectly(
          AvroCodec.REQUEST.encode(new RateLimitRequest("q", "k", md, 1L, 0, "", null)));
    }
  }

  @Test
  void shouldLeaveVarintsWithBitsBeyondTheirWidthToAvro() {
    // Found by shouldAgreeOnRandomlyCorruptedBytes: a union index whose 5-byte varint carries bit
    // 32 reads as 0 in 32-bit arithmetic, while the codec's bounds check sees 2^31 and refuses it.
    byte[] value = {
      -61, 1, -106, 33, -70, 11, -56, -120, -85, -75, 0, 0, 0, -128, -128, -128, -128, 16, 0, 2, 0
    };
    assertNull(RequestDecoder.decode(value));
    assertSameOutcome(value);
  }

  @Test
  void shouldLeaveTheRestToAvro() {
    Map<String, String> md = new HashMap<>();
    for (int i = 0; i <= RequestDecoder.MAX_ENTRIES; i++) {
      md.put("k" + i, "v");
    }
    byte[] huge =
        AvroCodec.REQUEST.encode(new RateLimitRequest("q", "k", md, null, null, null, null));
    assertNull(RequestDecoder.decode(huge));
    assertEquals(md, RequestCodec.decode(huge).metadata());

    byte[] valid =
        AvroCodec.REQUEST.encode(
            new RateLimitRequest("q", "k", Map.of("a", "b"), 2L, 1, "t", null));
    byte[] otherFingerprint = valid.clone();
    otherFingerprint[5] ^= 1;
    assertNull(RequestDecoder.decode(otherFingerprint));
    assertSameOutcome(otherFingerprint);
    assertNull(RequestDecoder.decode(Arrays.copyOf(valid, 10)));
    assertNull(RequestDecoder.decode(null));

    // A block with a byte size (negative count): legal Avro, left to Avro.
    Body sized = new Body().string("q", 0).string("k", 0).varint(-1, 0).varint(4, 0);
    sized.string("a", 0).string("b", 0).varint(0, 0).varint(0, 0).varint(0, 0).varint(0, 0);
    sized.varint(0, 0);
    assertNull(RequestDecoder.decode(sized.bytes()));
    assertEquals(Map.of("a", "b"), RequestCodec.decode(sized.bytes()).metadata());

    // A 6-byte int and an 11-byte long: Avro refuses them, and so the message must be Avro's.
    Body longInt = new Body().string("q", 0).string("k", 0).varint(0, 0).varint(0, 0);
    longInt.varint(1, 5).varint(3, 0).varint(0, 0).varint(0, 0);
    assertNull(RequestDecoder.decode(longInt.bytes()));
    assertSameOutcome(longInt.bytes());
    Body longLong = new Body().string("q", 0).string("k", 0).varint(0, 0).varint(1, 0);
    longLong.varint(3, 10).varint(0, 0).varint(0, 0).varint(0, 0);
    assertNull(RequestDecoder.decode(longLong.bytes()));
    assertSameOutcome(longLong.bytes());

    // Avro configured to fill the map another way: everything goes to Avro.
    assertTrue(RequestDecoder.enabled());
    SpecificData.get().setCustomCoders(true);
    try {
      assertNull(RequestDecoder.decode(valid));
      assertEquals(Map.of("a", "b"), RequestCodec.decode(valid).metadata());
    } finally {
      SpecificData.get().setCustomCoders(false);
    }
    SpecificData.get().setFastReaderEnabled(false);
    try {
      assertNull(RequestDecoder.decode(valid));
      assertEquals(Map.of("a", "b"), RequestCodec.decode(valid).metadata());
    } finally {
      SpecificData.get().setFastReaderEnabled(true);
    }
    assertNotNull(RequestDecoder.decode(valid));

    // JSON still goes to the JSON reader.
    assertEquals(
        new DecodedRequest("q", "k", Map.of(), null, null, null, null, null, null),
        RequestCodec.decode("{\"id\":\"q\",\"key\":\"k\"}".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void shouldReadReleaseV1sFormAsTheCurrentFieldsWithoutMaxCost() {
    // What RequestDecoder assumes of release v1's schema: the current one minus its last field.
    List<org.apache.avro.Schema.Field> current = RateLimitRequest.getClassSchema().getFields();
    List<org.apache.avro.Schema.Field> v1 =
        AvroCodec.releasedSchema("v1", "RateLimitRequest").getFields();
    assertEquals(current.size() - 1, v1.size());
    assertEquals("maxCost", current.get(current.size() - 1).name());
    for (int i = 0; i < v1.size(); i++) {
      assertEquals(current.get(i).name(), v1.get(i).name());
      assertEquals(
          org.apache.avro.SchemaNormalization.toParsingForm(current.get(i).schema()),
          org.apache.avro.SchemaNormalization.toParsingForm(v1.get(i).schema()));
    }
    // A v1 body read directly, and a v1 body with a maxCost tacked on: trailing bytes for v1.
    RateLimitRequest r = new RateLimitRequest("q", "k", Map.of("a", "b"), 2L, 3, "t", null);
    byte[] v1Bytes = AvroCodec.REQUEST.encode(r);
    assertTrue(
        Arrays.equals(AvroCodec.REQUEST.header("v1"), Arrays.copyOf(v1Bytes, 10)),
        "a request without maxCost is written in v1's form");
    assertDecodedDirectly(v1Bytes);
    assertNull(RequestCodec.decode(v1Bytes).maxCost());
    byte[] tacked = Arrays.copyOf(v1Bytes, v1Bytes.length + 2);
    tacked[v1Bytes.length] = 2;
    tacked[v1Bytes.length + 1] = 4;
    assertNull(RequestDecoder.decode(tacked));
    assertSameOutcome(tacked);
  }

  /** A request body written by hand, after the current header, for shapes Avro never writes. */
  static final class Body {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Body() {
      out.writeBytes(AvroCodec.REQUEST.header());
    }

    /** The zig-zag varint of {@code v} followed by {@code pad} redundant groups (0x80.., 0x00). */
    Body varint(long v, int pad) {
      long z = (v << 1) ^ (v >> 63);
      List<Integer> groups = new ArrayList<>();
      do {
        groups.add((int) (z & 0x7F));
        z >>>= 7;
      } while (z != 0);
      for (int i = 0; i < pad; i++) {
        groups.add(0);
      }
      for (int i = 0; i < groups.size(); i++) {
        out.write(groups.get(i) | (i < groups.size() - 1 ? 0x80 : 0));
      }
      return this;
    }

    Body string(String s, int pad) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      varint(b.length, pad);
      out.writeBytes(b);
      return this;
    }

    /** Length-prefixed raw bytes (a string whose bytes need not be UTF-8). */
    Body bytes(byte[] b) {
      varint(b.length, 0);
      out.writeBytes(b);
      return this;
    }

    Body raw(int b) {
      out.write(b);
      return this;
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  /** Any request: long strings, unpaired surrogates (written as '?'), maps past SPEC's 64. */
  @Provide
  Arbitrary<RateLimitRequest> requests() {
    return requests(DecisionEncoderTest.strings(), shortStrings(), 100);
  }

  /** Requests whose strings survive the round trip unchanged. */
  @Provide
  Arbitrary<RateLimitRequest> wellFormedRequests() {
    return requests(
        DecisionEncoderTest.wellFormedStrings(),
        Arbitraries.oneOf(
            Arbitraries.strings().ascii().ofMaxLength(12),
            DecisionEncoderTest.supplementaryStrings(3)),
        70);
  }

  /** Small requests, for tests that try every truncation of them. */
  @Provide
  Arbitrary<RateLimitRequest> compactRequests() {
    return requests(shortStrings(), shortStrings(), 5);
  }

  /** Strings of at most 12 chars: ASCII, 2-4 byte UTF-8 and unpaired surrogates. */
  private static Arbitrary<String> shortStrings() {
    return Arbitraries.strings()
        .ascii()
        .withChars('\u00e9', '\u4e2d', '\uD800', '\uDC00')
        .ofMaxLength(12);
  }

  private static Arbitrary<RateLimitRequest> requests(
      Arbitrary<String> strings, Arbitrary<String> metadataStrings, int maxEntries) {
    Arbitrary<Map<String, String>> metadata =
        Arbitraries.oneOf(
            Arbitraries.just(Map.of()),
            Arbitraries.maps(metadataStrings, metadataStrings).ofMaxSize(maxEntries));
    Arbitrary<Long> cost = DecisionEncoderTest.longs().injectNull(0.3);
    Arbitrary<Integer> partition =
        Arbitraries.oneOf(
                Arbitraries.integers(),
                Arbitraries.integers().between(-70, 70),
                Arbitraries.of(Integer.MIN_VALUE, Integer.MAX_VALUE))
            .injectNull(0.3);
    return Combinators.combine(
            strings, strings, metadata, cost, partition, strings.injectNull(0.3), cost)
        .as(RateLimitRequest::new);
  }

  /**
   * Bodies written field by field with random detours: redundant varint bytes, maps split into
   * blocks (some with byte sizes), union indexes out of range, lengths past the end, trailing
   * bytes. Most decode, many do not; both paths must agree either way.
   */
  @Provide
  Arbitrary<byte[]> bodies() {
    return Arbitraries.longs().map(RequestDecoderTest::randomBody);
  }

  private static byte[] randomBody(long seed) {
    Random rnd = new Random(seed);
    Body b = new Body();
    b.string(randomString(rnd), pad(rnd)).string(randomString(rnd), pad(rnd));
    int blocks = rnd.nextInt(4);
    for (int i = 0; i < blocks; i++) {
      int n = rnd.nextInt(5);
      boolean sized = rnd.nextInt(6) == 0;
      Body entries = new Body();
      for (int e = 0; e < n; e++) {
        entries.string(rnd.nextBoolean() ? "a" : randomString(rnd), pad(rnd));
        entries.string(randomString(rnd), pad(rnd));
      }
      byte[] all = entries.bytes();
      byte[] payload = Arrays.copyOfRange(all, 10, all.length);
      if (sized) {
        b.varint(-n, pad(rnd)).varint(payload.length, 0);
      } else {
        b.varint(n, pad(rnd));
      }
      for (byte x : payload) {
        b.raw(x & 0xFF);
      }
    }
    b.varint(0, pad(rnd));
    union(b, rnd, () -> b.varint(rnd.nextLong() >> rnd.nextInt(64), pad(rnd)));
    union(b, rnd, () -> b.varint(rnd.nextInt() >> rnd.nextInt(32), rnd.nextInt(8) == 0 ? 5 : 0));
    union(b, rnd, () -> b.string(randomString(rnd), pad(rnd)));
    switch (rnd.nextInt(12)) {
      case 0 -> b.raw(rnd.nextInt(256));
      case 1 -> b.varint(rnd.nextInt(100), 0);
      default -> {}
    }
    byte[] value = b.bytes();
    if (rnd.nextInt(5) == 0) {
      value[10 + rnd.nextInt(value.length - 10)] = (byte) rnd.nextInt(256);
    }
    return value;
  }

  /** A {@code ["null", X]} union: mostly branch 0 or 1, sometimes an index out of range. */
  private static void union(Body b, Random rnd, Runnable value) {
    int r = rnd.nextInt(10);
    int branch = r < 4 ? 0 : r < 9 ? 1 : rnd.nextInt(7) - 3;
    b.varint(branch, rnd.nextInt(10) == 0 ? rnd.nextInt(6) : 0);
    if (branch == 1) {
      value.run();
    }
  }

  private static int pad(Random rnd) {
    return rnd.nextInt(15) == 0 ? rnd.nextInt(11) : 0;
  }

  private static String randomString(Random rnd) {
    return switch (rnd.nextInt(5)) {
      case 0 -> "";
      case 1 -> "\u00e9\uD83D\uDE00" + rnd.nextInt(100);
      default -> Long.toString(rnd.nextLong(), 36);
    };
  }
}
