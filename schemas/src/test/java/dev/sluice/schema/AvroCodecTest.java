package dev.sluice.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.avro.RateLimitRequest;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AvroCodecTest {
  @Test
  void shouldRoundTripRequest() {
    RateLimitRequest r =
        RateLimitRequest.newBuilder().setId("r1").setKey("user:1").setMetadata(Map.of("a", "b")).setCost(3L).build();
    byte[] bytes = AvroCodec.REQUEST.encode(r);
    assertEquals(r, AvroCodec.REQUEST.decode(bytes));
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
    byte[] wrongFingerprint = AvroCodec.RULE.encode(
        dev.sluice.avro.Rule.newBuilder().setId("a").setKey("k").setLimit(1).setWindowSeconds(1).build());
    assertThrows(CodecException.class, () -> AvroCodec.REQUEST.decode(wrongFingerprint));
  }
}
