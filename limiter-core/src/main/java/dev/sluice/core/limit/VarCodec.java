package dev.sluice.core.limit;

import java.util.Arrays;

/** Unsigned LEB128 varints, the compact encoding of counter state (small values, small bytes). */
public final class VarCodec {
  private VarCodec() {}

  /** Growable byte sink. */
  public static final class Writer {
    private byte[] buf;
    private int size;

    /**
     * Creates an empty writer.
     *
     * @param capacity bytes of room before it grows (at least 8 are reserved anyway)
     */
    public Writer(int capacity) {
      buf = new byte[Math.max(capacity, 8)];
    }

    /**
     * Appends one byte.
     *
     * @param b the byte; only its low 8 bits are kept
     * @return this writer
     */
    public Writer writeByte(int b) {
      ensure(1);
      buf[size++] = (byte) b;
      return this;
    }

    /**
     * Appends a non-negative long as a varint: 1 byte below 128, up to 9 bytes below 2^63.
     *
     * @param v the value, {@code >= 0}
     * @return this writer
     * @throws IllegalArgumentException when {@code v} is negative
     */
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

    /**
     * Appends raw bytes preceded by their length as a varint.
     *
     * @param bytes the bytes; not null, may be empty
     * @return this writer
     */
    public Writer writeBytes(byte[] bytes) {
      writeVarLong(bytes.length);
      ensure(bytes.length);
      System.arraycopy(bytes, 0, buf, size, bytes.length);
      size += bytes.length;
      return this;
    }

    /**
     * The bytes written so far.
     *
     * @return a copy, exactly as long as what was written
     */
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

    /**
     * Creates a reader positioned at the first byte.
     *
     * @param buf the encoded bytes; not copied, so do not change them while reading
     */
    public Reader(byte[] buf) {
      this.buf = buf;
    }

    /**
     * Reads one byte.
     *
     * @return the byte as an unsigned value, 0 to 255
     * @throws IllegalArgumentException when every byte has been read
     */
    public int readByte() {
      if (pos >= buf.length) {
        throw new IllegalArgumentException("truncated counter state");
      }
      return buf[pos++] & 0xFF;
    }

    /**
     * Reads a varint written by {@link Writer#writeVarLong}.
     *
     * @return the value
     * @throws IllegalArgumentException when the bytes end mid-varint or it runs past 64 bits
     */
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

    /**
     * Whether the input is used up.
     *
     * @return true when every byte has been read
     */
    public boolean atEnd() {
      return pos == buf.length;
    }
  }
}
