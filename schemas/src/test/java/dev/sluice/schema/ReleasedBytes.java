package dev.sluice.schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;

/**
 * Records and single-object bytes written with a released schema snapshot ({@link
 * AvroCodec#releasedSchema}; generic records, no generated class), as a producer or store of that
 * release wrote them. Public for the other modules' upgrade tests (schemas' test jar).
 */
public final class ReleasedBytes {
  private ReleasedBytes() {}

  /** The released schema of {@code record}; fails the test when the snapshot has none. */
  public static Schema schema(String version, String record) {
    Schema s = AvroCodec.releasedSchema(version, record);
    if (s == null) {
      throw new AssertionError("no " + record + " in released/" + version);
    }
    return s;
  }

  /**
   * Encodes a record of the released schema with the given fields (others take their defaults). An
   * enum value is given by its symbol name.
   */
  public static byte[] write(String version, String record, Map<String, Object> fields) {
    Schema s = schema(version, record);
    try {
      ByteBuffer buf =
          new BinaryMessageEncoder<GenericRecord>(GenericData.get(), s).encode(build(s, fields));
      byte[] out = new byte[buf.remaining()];
      buf.get(out);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A generic record of {@code s}: the given fields, the others at their defaults. */
  public static GenericRecord build(Schema s, Map<String, Object> fields) {
    GenericRecordBuilder b = new GenericRecordBuilder(s);
    fields.forEach((name, value) -> b.set(name, adapt(s.getField(name).schema(), value)));
    return b.build();
  }

  private static Object adapt(Schema field, Object value) {
    if (!(value instanceof String symbol)) {
      return value;
    }
    for (Schema branch : field.isUnion() ? field.getTypes() : java.util.List.of(field)) {
      if (branch.getType() == Schema.Type.ENUM && branch.hasEnumSymbol(symbol)) {
        return new GenericData.EnumSymbol(branch, symbol);
      }
    }
    return value;
  }
}
