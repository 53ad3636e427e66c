package dev.sluice.client.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.avro.Decision;
import dev.sluice.avro.DecisionReason;
import dev.sluice.avro.RateLimitRequest;
import dev.sluice.schema.AvroCodec;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EchoWireTest {

  @Test
  void shouldReadTheFieldsTheCodecWrote() {
    Map<String, String> md = new LinkedHashMap<>();
    md.put("tenant", "acme");
    md.put("route", "/api/ünïcode");
    for (RateLimitRequest r :
        new RateLimitRequest[] {
          new RateLimitRequest("id-1", "user:1", md, 123456789L, 7, "client-it.x", 200000000L),
          new RateLimitRequest("id-2", "k", Map.of(), null, null, null, null),
          new RateLimitRequest("i".repeat(128), "k".repeat(512), Map.of(), 1L, 1000, null, null)
        }) {
      EchoWire.Request read = EchoWire.readRequest(AvroCodec.REQUEST.encode(r));
      assertEquals(r.getId(), read.id());
      assertEquals(r.getKey(), read.key());
      assertEquals(r.getReplyPartition(), read.replyPartition());
      assertEquals(r.getReplyTopic(), read.replyTopic());
    }
  }

  @Test
  void shouldWriteExactlyTheBytesTheCodecWould() {
    for (long ts : new long[] {0, 1, 1_700_000_000_123L, -5}) {
      byte[] expected =
          AvroCodec.DECISION.encode(
              new Decision(
                  "req-é",
                  "user:1",
                  true,
                  DecisionReason.ALLOWED,
                  "echo",
                  1000L,
                  999L,
                  1000L,
                  0L,
                  ts,
                  false,
                  null,
                  1L,
                  0));
      assertArrayEquals(expected, EchoWire.decision("req-é", "user:1", ts), "timestamp " + ts);
    }
  }
}
