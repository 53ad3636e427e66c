package dev.sluice.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.RateLimitRequest;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AvroCodecTest {
  @Test
  void shouldRoundTripRequest() {
    RateLimitRequest r =
        RateLimitRequest.newBuilder()
            .setId("r1")
            .setKey("user:1")
            .setMetadata(Map.of("a", "b"))
            .setCost(3L)
            .build();
    byte[] bytes = AvroCodec.REQUEST.encode(r);
    assertEquals(r, AvroCodec.REQUEST.decode(bytes));
  }

  @Test
  void shouldStartEveryEncodingWithItsHeader() {
    byte[] bytes =
        AvroCodec.REQUEST.encode(
            RateLimitRequest.newBuilder().setId("r1").setKey("user:1").build());
    assertEquals(
        Arrays.toString(Arrays.copyOf(bytes, 10)), Arrays.toString(AvroCodec.REQUEST.header()));
    assertTrue(
        !Arrays.equals(AvroCodec.REQUEST.header(), AvroCodec.DECISION.header()),
        "each schema has its own fingerprint");
  }

  @Test
  void shouldRejectTruncatedBytesWithCodecException() {
    RateLimitRequest r = RateLimitRequest.newBuilder().setId("r1").setKey("user:1").build();
    byte[] bytes = AvroCodec.REQUEST.encode(r);
    byte[] cut = Arrays.copyOf(bytes, bytes.length - 3);
    assertThrows(CodecException.class, () -> AvroCodec.REQUEST.decode(cut));
  }

  @Test
  void shouldRejectForeignBytesWithCodecException() {
    assertThrows(CodecException.class, () -> AvroCodec.REQUEST.decode("{\"id\":1}".getBytes()));
    byte[] wrongFingerprint =
        AvroCodec.RULE.encode(
            dev.sluice.avro.Rule.newBuilder()
                .setId("a")
                .setKey("k")
                .setLimit(1)
                .setWindowSeconds(1)
                .build());
    assertThrows(CodecException.class, () -> AvroCodec.REQUEST.decode(wrongFingerprint));
  }

  @Test
  void shouldRefuseLengthPrefixesBeyondTheRecordWithoutAllocatingThem() {
    byte[] header =
        Arrays.copyOf(
            AvroCodec.REQUEST.encode(RateLimitRequest.newBuilder().setId("a").setKey("b").build()),
            10);
    // id claims a 1 GB string; then a map claiming 2^30 entries after valid id and key.
    byte[] hugeString = concat(header, zigZag(1L << 30), new byte[16]);
    byte[] hugeMap =
        concat(
            header,
            zigZag(1),
            "a".getBytes(),
            zigZag(1),
            "b".getBytes(),
            zigZag(1L << 30),
            new byte[16]);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    CodecException s =
        assertThrows(CodecException.class, () -> AvroCodec.REQUEST.decode(hugeString));
    CodecException m = assertThrows(CodecException.class, () -> AvroCodec.REQUEST.decode(hugeMap));
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertTrue(allocated < 16L << 20, "allocated " + allocated + " bytes for two 30-byte records");
    assertTrue(s.getMessage().contains("string length 1073741824"), s.getMessage());
    assertTrue(m.getMessage().contains("map block of 1073741824 items"), m.getMessage());
  }

  private static byte[] zigZag(long v) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    long n = (v << 1) ^ (v >> 63);
    while ((n & ~0x7FL) != 0) {
      out.write((int) ((n & 0x7F) | 0x80));
      n >>>= 7;
    }
    out.write((int) n);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
