package dev.sluice.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.avro.RateLimitRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestCodecTest {
  private static DecodedRequest json(String s) {
    return RequestCodec.decode(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void shouldReadAJsonRequestIgnoringTimestampAndUnknownFields() {
    DecodedRequest r =
        json(
            "  {\"id\":\"q\",\"key\":\"k\",\"metadata\":{\"a\":\"b\"},\"cost\":3,\"maxCost\":5,"
                + "\"timestampMs\":99,\"extra\":true,\"replyTopic\":\"t\",\"replyPartition\":2}");
    assertEquals(new DecodedRequest("q", "k", Map.of("a", "b"), 3L, 5L, "t", 2, null, null), r);
  }

  @Test
  void shouldReportTheFirstWrongTypeInFieldOrder() {
    DecodedRequest r = json("{\"id\":\"q\",\"key\":1,\"cost\":\"x\"}");
    assertEquals("key", r.typeErrorField());
    assertEquals("key: must be a string (got 1)", r.typeError());
    assertNull(r.key());
    assertEquals("metadata", json("{\"metadata\":{\"a\":2}}").typeErrorField());
    assertEquals("cost", json("{\"cost\":2.0}").typeErrorField());
    assertEquals("cost", json("{\"cost\":123456789012345678901234567890}").typeErrorField());
    assertEquals("replyPartition", json("{\"replyPartition\":4294967296}").typeErrorField());
    assertNull(json("{\"id\":null,\"cost\":null,\"metadata\":null}").typeError());
  }

  @Test
  void shouldReadMaxCostAndReportItsWrongTypeByName() {
    assertEquals(0L, json("{\"cost\":0,\"maxCost\":0}").maxCost());
    assertNull(json("{\"cost\":2}").maxCost());
    assertNull(json("{\"maxCost\":null}").maxCost());
    assertNull(json("{\"maxCost\":null}").typeError());
    assertEquals(
        "maxCost: must be an integer (got \"5\")", json("{\"maxCost\":\"5\"}").typeError());
    assertEquals("maxCost: must be an integer (got 2.5)", json("{\"maxCost\":2.5}").typeError());
    DecodedRequest huge = json("{\"cost\":1,\"maxCost\":99999999999999999999}");
    assertEquals("maxCost", huge.typeErrorField());
    assertNull(huge.maxCost());
    assertEquals(1L, huge.cost());
    // cost comes before maxCost in SPEC 2's order, so its error is the one reported.
    assertEquals("cost", json("{\"cost\":true,\"maxCost\":true}").typeErrorField());
    assertEquals("maxCost", json("{\"maxCost\":true,\"replyPartition\":\"x\"}").typeErrorField());
  }

  @Test
  void shouldShowAWholeDecimalAsWrittenInATypeError() {
    // SPEC 2: the message names the field; "(got 2)" for a cost of 2.0 would contradict it.
    assertEquals("cost: must be an integer (got 2.0)", json("{\"cost\":2.0}").typeError());
  }

  @Test
  void shouldDecodeAvroRequests() {
    RateLimitRequest a = RateLimitRequest.newBuilder().setId("q").setKey("k").build();
    assertEquals(
        new DecodedRequest("q", "k", Map.of(), null, null, null, null, null, null),
        RequestCodec.decode(AvroCodec.REQUEST.encode(a)));
    RateLimitRequest b =
        RateLimitRequest.newBuilder().setId("q").setKey("k").setCost(2L).setMaxCost(8L).build();
    assertEquals(
        new DecodedRequest("q", "k", Map.of(), 2L, 8L, null, null, null, null),
        RequestCodec.decode(AvroCodec.REQUEST.encode(b)));
    assertEquals(
        RequestCodec.decode(AvroCodec.REQUEST.encode(b)),
        RequestCodec.decodeWithAvro(AvroCodec.REQUEST.encode(b)));
  }

  @Test
  void shouldRefuseBytesThatAreNeitherForm() {
    for (String bad : new String[] {"", "[1]", "42", "{\"id\":1", "{} {}", "{\"a\":1,\"a\":2}"}) {
      assertThrows(CodecException.class, () -> json(bad), bad);
    }
    assertThrows(CodecException.class, () -> RequestCodec.decode(null));
  }
}
