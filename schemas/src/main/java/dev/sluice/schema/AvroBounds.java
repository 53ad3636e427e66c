package dev.sluice.schema;

import org.apache.avro.Schema;

/**
 * Checks, before Avro decodes a binary body, that every length and count prefix in it fits in the
 * bytes that follow. Avro allocates what a string, bytes or map prefix claims before it reads the
 * data (up to 2 GB for a string), so a 20-byte record claiming a 1 GB string makes the decoder
 * throw {@link OutOfMemoryError} in a small heap: one poison record would stop every instance that
 * reads its partition, again after each restart. Walking the body costs one pass over its bytes and
 * allocates nothing.
 *
 * <p>A count is held to the bytes remaining even for items that take no bytes (arrays of {@code
 * null}): none of Sluice's schemas has them, and an absurd count is refused rather than looped
 * over.
 */
public final class AvroBounds {
  private final byte[] bytes;
  private final int end;
  private int pos;

  private AvroBounds(byte[] bytes, int from, int end) {
    this.bytes = bytes;
    this.pos = from;
    this.end = end;
  }

  /**
   * Walks {@code bytes[from, end)} as a body written with {@code writer}. Never throws for bad
   * bytes: what does not fit is the result.
   *
   * @param writer the schema the body was written with; not null
   * @param bytes the buffer holding the body; not null
   * @param from index of the body's first byte
   * @param end index just past the body's last byte, at most {@code bytes.length}
   * @return null when every prefix fits, else what does not (for the error message)
   */
  public static String check(Schema writer, byte[] bytes, int from, int end) {
    try {
      new AvroBounds(bytes, from, end).walk(writer);
      return null;
    } catch (OutOfBounds e) {
      return e.getMessage();
    }
  }

  private static final class OutOfBounds extends Exception {
    private static final long serialVersionUID = 1L;

    OutOfBounds(String message) {
      super(message, null, false, false);
    }
  }

  private void walk(Schema s) throws OutOfBounds {
    switch (s.getType()) {
      case RECORD -> {
        for (Schema.Field f : s.getFields()) {
          walk(f.schema());
        }
      }
      case UNION -> {
        long branch = readLong();
        if (branch < 0 || branch >= s.getTypes().size()) {
          throw new OutOfBounds("union branch " + branch + " of " + s.getTypes().size());
        }
        walk(s.getTypes().get((int) branch));
      }
      case STRING, BYTES -> skip(readLong(), s.getType().getName() + " length");
      case FIXED -> skip(s.getFixedSize(), "fixed size");
      case INT, LONG, ENUM -> readLong();
      case BOOLEAN -> skip(1, "boolean");
      case FLOAT -> skip(4, "float");
      case DOUBLE -> skip(8, "double");
      case NULL -> {
        // no bytes
      }
      case ARRAY, MAP -> {
        Schema items = s.getType() == Schema.Type.ARRAY ? s.getElementType() : s.getValueType();
        while (true) {
          long count = readLong();
          if (count == 0) {
            break;
          }
          if (count < 0) {
            // A negative count is followed by the block's size in bytes.
            count = -count;
            readLong();
          }
          if (count > end - pos) {
            throw new OutOfBounds(
                s.getType().getName()
                    + " block of "
                    + count
                    + " items in "
                    + (end - pos)
                    + " remaining bytes");
          }
          for (long i = 0; i < count; i++) {
            if (s.getType() == Schema.Type.MAP) {
              skip(readLong(), "map key length");
            }
            walk(items);
          }
        }
      }
      default -> throw new OutOfBounds("unexpected schema type " + s.getType());
    }
  }

  private void skip(long n, String what) throws OutOfBounds {
    if (n < 0 || n > end - pos) {
      throw new OutOfBounds(what + " " + n + " with " + (end - pos) + " bytes remaining");
    }
    pos += (int) n;
  }

  /** Avro's zig-zag varint, at most 10 bytes. */
  private long readLong() throws OutOfBounds {
    long raw = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (pos >= end) {
        throw new OutOfBounds("varint runs past the end");
      }
      int b = bytes[pos++] & 0xFF;
      raw |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
    throw new OutOfBounds("varint longer than 10 bytes");
  }
}
