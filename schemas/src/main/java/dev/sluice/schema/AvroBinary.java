package dev.sluice.schema;

/**
 * The pieces of Avro's binary encoding that Sluice's direct writers share: zig-zag varints and
 * ASCII strings, written into a caller-sized array. The service's decision encoder and the client's
 * request encoder use them; both are checked byte for byte against Avro's own writer.
 */
public final class AvroBinary {
  private AvroBinary() {}

  /**
   * The size of a long (or int) in Avro's binary encoding.
   *
   * @param v any value
   * @return the bytes of its zig-zag varint, 1 to 10
   */
  public static int longSize(long v) {
    long z = (v << 1) ^ (v >> 63);
    int n = 1;
    while ((z & ~0x7FL) != 0) {
      z >>>= 7;
      n++;
    }
    return n;
  }

  /**
   * Writes a long (or int) as Avro does: a zig-zag varint.
   *
   * @param out the array, with at least {@link #longSize(long)} bytes free at {@code pos}
   * @param pos where to write
   * @param v the value
   * @return the position after the written bytes
   */
  public static int putLong(byte[] out, int pos, long v) {
    long z = (v << 1) ^ (v >> 63);
    while ((z & ~0x7FL) != 0) {
      out[pos++] = (byte) ((z & 0x7F) | 0x80);
      z >>>= 7;
    }
    out[pos++] = (byte) z;
    return pos;
  }

  /**
   * Writes an Avro string whose characters are all below 0x80 (its UTF-8 bytes are its chars): the
   * length as a varint, then the bytes. The caller has checked that it is ASCII.
   *
   * @param out the array, with the length's varint plus {@code s.length()} bytes free at {@code
   *     pos}
   * @param pos where to write
   * @param s an ASCII string
   * @return the position after the written bytes
   */
  public static int putAscii(byte[] out, int pos, String s) {
    int len = s.length();
    pos = putLong(out, pos, len);
    for (int i = 0; i < len; i++) {
      out[pos++] = (byte) s.charAt(i);
    }
    return pos;
  }
}
