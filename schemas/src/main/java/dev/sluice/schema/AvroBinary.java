package dev.sluice.schema;

import java.nio.charset.StandardCharsets;

/**
 * The pieces of Avro's binary encoding that Sluice's direct readers and writers share: zig-zag
 * varints, strings and union indexes. The service's request decoder and decision encoder and the
 * client's request encoder and reply decoder use them; each is checked against Avro's own reader or
 * writer, and a reader gives up ({@link Unexpected}) on anything it is not sure about so that its
 * caller can hand the value to Avro.
 */
public final class AvroBinary {
  private AvroBinary() {}

  /**
   * True when {@code value} is longer than {@code header} and starts with it.
   *
   * @param value a record value, may be null
   * @param header a single-object header ({@link AvroCodec#header()})
   * @return whether a body follows exactly this header
   */
  public static boolean hasHeader(byte[] value, byte[] header) {
    if (value == null || value.length <= header.length) {
      return false;
    }
    for (int i = 0; i < header.length; i++) {
      if (value[i] != header[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * True when every char of {@code s} is below 0x80, so that its UTF-8 bytes are its chars and
   * {@link #putAscii} may write it.
   *
   * @param s a string, not null
   * @return whether it is ASCII
   */
  public static boolean isAscii(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

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

  /**
   * Thrown (preallocated, without a stack trace) when a body is not what a direct reader expects.
   */
  public static final class Unexpected extends Exception {
    private static final long serialVersionUID = 1L;

    /** The one instance: throwing it costs no allocation. */
    public static final Unexpected INSTANCE = new Unexpected();

    private Unexpected() {
      super(null, null, false, false);
    }
  }

  /**
   * A read position in one Avro binary body. Reads exactly as Avro 1.12's {@code BinaryDecoder}
   * does for well-formed input, and throws {@link Unexpected} where Avro would fail or where the
   * input is merely unusual (a varint longer than Avro allows, a length past the end). Not
   * thread-safe; one per value.
   */
  public static final class Reader {
    private final byte[] buf;
    private final int end;
    private int pos;

    /**
     * A reader of {@code value} from {@code from} to its end.
     *
     * @param value the bytes, not null
     * @param from the index of the body's first byte (after the header)
     */
    public Reader(byte[] value, int from) {
      this.buf = value;
      this.end = value.length;
      this.pos = from;
    }

    /**
     * True when every byte has been read.
     *
     * @return whether the position is at the end of the value
     */
    public boolean atEnd() {
      return pos == end;
    }

    /**
     * Avro's {@code readLong}: a zig-zag varint of at most 10 bytes.
     *
     * @return the value
     * @throws Unexpected when the varint runs past the end, is longer, or carries bits beyond 64
     *     (readers disagree on those: Avro's bounds check reads them, its decoder drops them)
     */
    public long readLong() throws Unexpected {
      long z = 0;
      for (int shift = 0; shift < 70; shift += 7) {
        if (pos >= end) {
          throw Unexpected.INSTANCE;
        }
        int b = buf[pos++] & 0xFF;
        if (shift == 63 && (b & 0x7F) > 1) {
          throw Unexpected.INSTANCE;
        }
        z |= (long) (b & 0x7F) << shift;
        if (b < 0x80) {
          return (z >>> 1) ^ -(z & 1);
        }
      }
      throw Unexpected.INSTANCE;
    }

    /**
     * Avro's {@code readInt}: a zig-zag varint of at most 5 bytes.
     *
     * @return the value
     * @throws Unexpected when the varint runs past the end, is longer, or carries bits beyond 32
     *     (Avro's bounds check reads those as a long, so e.g. a union index of 2^31 must not
     *     silently become 0 here)
     */
    public int readInt() throws Unexpected {
      int z = 0;
      for (int shift = 0; shift < 35; shift += 7) {
        if (pos >= end) {
          throw Unexpected.INSTANCE;
        }
        int b = buf[pos++] & 0xFF;
        if (shift == 28 && (b & 0x7F) > 0x0F) {
          throw Unexpected.INSTANCE;
        }
        z |= (b & 0x7F) << shift;
        if (b < 0x80) {
          return (z >>> 1) ^ -(z & 1);
        }
      }
      throw Unexpected.INSTANCE;
    }

    /**
     * A string: a varint length, then that many bytes decoded by {@code new String(bytes, off, len,
     * UTF_8)}, the call Avro's {@code Utf8.toString} makes (so invalid UTF-8 becomes the same
     * replacement characters).
     *
     * @return the string
     * @throws Unexpected when the length is negative or runs past the end
     */
    public String readString() throws Unexpected {
      long len = readLong();
      if (len < 0 || len > end - pos) {
        throw Unexpected.INSTANCE;
      }
      if (len == 0) {
        return "";
      }
      String s = new String(buf, pos, (int) len, StandardCharsets.UTF_8);
      pos += (int) len;
      return s;
    }

    /**
     * The index of a {@code ["null", X]} union.
     *
     * @return true for branch 1 (an X follows), false for branch 0 (null)
     * @throws Unexpected for any other index
     */
    public boolean readNonNullBranch() throws Unexpected {
      int branch = readInt();
      if (branch == 0) {
        return false;
      }
      if (branch != 1) {
        throw Unexpected.INSTANCE;
      }
      return true;
    }

    /**
     * A boolean byte.
     *
     * @return 0 or 1, or -1 for any other byte (Avro itself reads those as false)
     * @throws Unexpected at the end of the value
     */
    public int readBoolean() throws Unexpected {
      if (pos >= end) {
        throw Unexpected.INSTANCE;
      }
      int b = buf[pos++];
      return b == 0 || b == 1 ? b : -1;
    }
  }
}
