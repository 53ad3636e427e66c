package dev.sluice.client.testing;

import dev.sluice.avro.Decision;
import dev.sluice.avro.DecisionReason;
import dev.sluice.schema.AvroCodec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The echo responder's wire shortcuts: it reads the few request fields it needs straight from the
 * Avro binary and writes its always-the-same allowed decision from a template, so that the stand-in
 * service costs the benchmark far less CPU than the client it measures. The client itself always
 * goes through {@link AvroCodec}; {@code EchoWireTest} pins these shortcuts to the codec's bytes.
 */
final class EchoWire {
  /** The fields of a request the echo needs. */
  record Request(String id, String key, Integer replyPartition, String replyTopic) {}

  private static final int HEADER = 10; // C3 01 + 8-byte schema fingerprint
  private static final byte[] DECISION_HEADER;

  /**
   * allowed=true, reason=ALLOWED, ruleId="echo", limit=1000, remaining=999, reset=1000, retry=0.
   */
  private static final byte[] DECISION_MIDDLE;

  /** shadow=false, message=null, granted=1, limitIndex=0. */
  private static final byte[] DECISION_TAIL = {0, 0, 2, 0};

  static {
    byte[] sample =
        AvroCodec.DECISION.encode(
            new Decision(
                null,
                null,
                true,
                DecisionReason.ALLOWED,
                "echo",
                1000L,
                999L,
                1000L,
                0L,
                0L,
                false,
                null,
                1L,
                0));
    DECISION_HEADER = Arrays.copyOf(sample, HEADER);
    // Body of the sample: null(0) null(0) | middle | timestamp 0 (0) | tail
    DECISION_MIDDLE =
        Arrays.copyOfRange(sample, HEADER + 2, sample.length - 1 - DECISION_TAIL.length);
  }

  private EchoWire() {}

  /** Reads id, key, replyPartition and replyTopic from a single-object RateLimitRequest. */
  static Request readRequest(byte[] b) {
    int[] pos = {HEADER};
    String id = readString(b, pos);
    String key = readString(b, pos);
    long count;
    while ((count = readLong(b, pos)) != 0) {
      if (count < 0) {
        count = -count;
        readLong(b, pos); // block size in bytes
      }
      for (long i = 0; i < count; i++) {
        readString(b, pos);
        readString(b, pos);
      }
    }
    if (readLong(b, pos) == 1) {
      readLong(b, pos); // cost
    }
    Integer partition = readLong(b, pos) == 1 ? (int) readLong(b, pos) : null;
    String topic = readLong(b, pos) == 1 ? readString(b, pos) : null;
    return new Request(id, key, partition, topic);
  }

  /** The echo's allowed decision for this request, as single-object Avro bytes. */
  static byte[] decision(String requestId, String key, long timestampMs) {
    byte[] id = requestId.getBytes(StandardCharsets.UTF_8);
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] out =
        new byte
            [DECISION_HEADER.length
                + 22
                + id.length
                + k.length
                + DECISION_MIDDLE.length
                + DECISION_TAIL.length];
    int p = copy(DECISION_HEADER, out, 0);
    out[p++] = 2; // union branch 1: string
    p = writeLong(out, p, id.length);
    p = copy(id, out, p);
    out[p++] = 2;
    p = writeLong(out, p, k.length);
    p = copy(k, out, p);
    p = copy(DECISION_MIDDLE, out, p);
    p = writeLong(out, p, timestampMs);
    p = copy(DECISION_TAIL, out, p);
    return Arrays.copyOf(out, p);
  }

  private static int copy(byte[] from, byte[] to, int at) {
    System.arraycopy(from, 0, to, at, from.length);
    return at + from.length;
  }

  private static String readString(byte[] b, int[] pos) {
    int len = (int) readLong(b, pos);
    String s = new String(b, pos[0], len, StandardCharsets.UTF_8);
    pos[0] += len;
    return s;
  }

  private static long readLong(byte[] b, int[] pos) {
    long raw = 0;
    int shift = 0;
    int p = pos[0];
    while (true) {
      int x = b[p++];
      raw |= (long) (x & 0x7F) << shift;
      if ((x & 0x80) == 0) {
        break;
      }
      shift += 7;
    }
    pos[0] = p;
    return (raw >>> 1) ^ -(raw & 1); // zigzag
  }

  private static int writeLong(byte[] out, int p, long v) {
    long z = (v << 1) ^ (v >> 63);
    while ((z & ~0x7FL) != 0) {
      out[p++] = (byte) ((z & 0x7F) | 0x80);
      z >>>= 7;
    }
    out[p++] = (byte) z;
    return p;
  }
}
