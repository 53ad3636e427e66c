package dev.sluice.core.limit;

import java.util.Arrays;

/** Unsigned LEB128 varints, the compact encoding of counter state (small values, small bytes). */
public final class VarCodec {
  private VarCodec() {}

  /** Growable byte sink. */
  public static final class Writer {
    private byte[] buf;
    private int size;

    /** A writer with room for {@code capacity} bytes before it grows. */
    public Writer(int capacity) {
      buf = new byte[Math.max(capacity, 8)];
    }

    /** Appends one byte. */
    public Writer writeByte(int b) {
      ensure(1);
      buf[size++] = (byte) b;
      return this;
    }

    /** Appends a non-negative long as a varint (1 to 9 bytes for values below 2^63). */
    public Writer writeVarLong(long v) {
      if (v < 0) {
        throw new IllegalArgumentException("varint must be non-negative: " + v);
      }
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        buf[size++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[size++] = (byte) v;
      return this;
    }

    /** Appends raw bytes preceded by their length. */
    public Writer writeBytes(byte[] bytes) {
      writeVarLong(bytes.length);
      ensure(bytes.length);
      System.arraycopy(bytes, 0, buf, size, bytes.length);
      size += bytes.length;
      return this;
    }

    /** The bytes written so far. */
    public byte[] toByteArray() {
      return Arrays.copyOf(buf, size);
    }

    private void ensure(int extra) {
      if (size + extra > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
      }
    }
  }

  /** Cursor over encoded bytes. */
  public static final class Reader {
    private final byte[] buf;
    private int pos;

    /** Reads {@code buf} from the start. */
    public Reader(byte[] buf) {
      this.buf = buf;
    }

    /** Reads one byte, 0-255. */
    public int readByte() {
      if (pos >= buf.length) {
        throw new IllegalArgumentException("truncated counter state");
      }
      return buf[pos++] & 0xFF;
    }

    /** Reads a varint. */
    public long readVarLong() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = readByte();
        v |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return v;
        }
      }
      throw new IllegalArgumentException("varint longer than 64 bits in counter state");
    }

    /** True when every byte has been read. */
    public boolean atEnd() {
      return pos == buf.length;
    }
  }
}
