package dev.sluice.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.sluice.avro.RateLimitRequest;
import dev.sluice.schema.AvroCodec;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RequestEncoderTest {

  private static byte[] viaCodec(
      String id,
      String key,
      Map<String, String> md,
      long cost,
      long maxCost,
      int partition,
      String topic) {
    return AvroCodec.REQUEST.encode(
        new RateLimitRequest(
            id,
            key,
            md,
            cost == 1 ? null : cost,
            partition,
            topic,
            maxCost == cost ? null : maxCost));
  }

  @Test
  void shouldWriteExactlyTheCodecsBytes() {
    Random random = new Random(42);
    long[] costs = {0, 1, 2, 63, 64, 8191, 8192, 1_000_000_000L};
    int[] partitions = {0, 1, 63, 64, 1000, Integer.MAX_VALUE};
    for (int round = 0; round < 2000; round++) {
      String id = ascii(random, 1 + random.nextInt(128));
      String key = ascii(random, 1 + random.nextInt(512));
      Map<String, String> md = new LinkedHashMap<>();
      int entries = random.nextInt(4) == 0 ? random.nextInt(65) : 0;
      for (int i = 0; i < entries; i++) {
        md.put(ascii(random, random.nextInt(40)), ascii(random, random.nextInt(200)));
      }
      long cost = costs[random.nextInt(costs.length)];
      long maxCost =
          cost == 0 || random.nextBoolean()
              ? cost
              : Math.max(cost, costs[random.nextInt(costs.length)]);
      int partition = partitions[random.nextInt(partitions.length)];
      String topic = random.nextBoolean() ? null : ascii(random, 1 + random.nextInt(60));
      byte[] expected = viaCodec(id, key, md, cost, maxCost, partition, topic);
      byte[] direct = RequestEncoder.encode(id, key, md, cost, maxCost, partition, topic);
      assertArrayEquals(expected, direct, "round " + round);
      RateLimitRequest decoded = AvroCodec.REQUEST.decode(direct);
      assertEquals(AvroCodec.REQUEST.decode(expected), decoded);
      assertEquals(maxCost == cost ? null : maxCost, decoded.getMaxCost());
      if (maxCost == cost) {
        assertArrayEquals(direct, RequestEncoder.encode(id, key, md, cost, partition, topic));
      }
    }
  }

  @Test
  void shouldWriteMaxCostOnlyWhenItDiffersFromCost() {
    RateLimitRequest partial =
        AvroCodec.REQUEST.decode(RequestEncoder.encode("q", "k", Map.of(), 2, 50, 0, null));
    assertEquals(2L, partial.getCost());
    assertEquals(50L, partial.getMaxCost());
    RateLimitRequest checkOnly =
        AvroCodec.REQUEST.decode(RequestEncoder.encode("q", "k", Map.of(), 0, 0, 0, null));
    assertEquals(0L, checkOnly.getCost());
    assertNull(checkOnly.getMaxCost(), "maxCost equal to cost is the default, sent as null");
  }

  @Test
  void shouldLeaveNonAsciiStringsToTheCodec() {
    assertNull(RequestEncoder.encode("ü", "k", Map.of(), 1, 0, null));
    assertNull(RequestEncoder.encode("id", "k€", Map.of(), 1, 0, null));
    assertNull(RequestEncoder.encode("id", "k", Map.of("a", "\uD800"), 1, 0, null));
    assertNull(RequestEncoder.encode("id", "k", Map.of(), 1, 0, "tópic"));
    Map<String, String> withNull = new HashMap<>();
    withNull.put("a", null);
    assertNull(RequestEncoder.encode("id", "k", withNull, 1, 0, null));
  }

  private static String ascii(Random random, int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append((char) random.nextInt(0x80));
    }
    return sb.toString();
  }
}
