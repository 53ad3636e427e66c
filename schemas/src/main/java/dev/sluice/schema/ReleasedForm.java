package dev.sluice.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;

/**
 * Whether a record of the current schema can be written, exactly, with an older (released) schema
 * of the same record, so that readers of that release can decode it: their single-object decoder
 * knows no newer fingerprint (see {@link AvroCodec}). Immutable and thread-safe.
 *
 * <p>It holds when the older schema is the current one with fields appended since, and with some
 * fields widened to a nullable union of the old type: the older schema's fields are the first ones
 * of the current schema, field by field of the same name and of the same schema, or of the union's
 * non-null branch (then the value must not be null), or a nested record of this same kind. A value
 * then fits when every widened field is set and every appended field holds its default. Writing it
 * with the older schema loses nothing: an older reader sees the same fields, and a current reader
 * resolves the appended ones to their defaults, which they held.
 *
 * <p>Fields are matched by position, as Avro's generated classes and its specific writer address
 * them ({@code IndexedRecord.get(pos)}): the older schema's writer may then write a current-class
 * instance directly.
 */
final class ReleasedForm {
  /** Positions whose value must not be null (the older schema has the union's non-null branch). */
  private final int[] set;

  /** Positions holding a nested record, with the form that record must fit. */
  private final int[] nestedAt;

  private final ReleasedForm[] nested;

  /** Positions past the older schema's fields, with their defaults. */
  private final int[] appendedAt;

  private final Object[] defaults;

  private ReleasedForm(
      int[] set, int[] nestedAt, ReleasedForm[] nested, int[] appendedAt, Object[] defaults) {
    this.set = set;
    this.nestedAt = nestedAt;
    this.nested = nested;
    this.appendedAt = appendedAt;
    this.defaults = defaults;
  }

  /**
   * The form of {@code older} within {@code current}, or null when some value of the current schema
   * could not be written by position with the older one whatever it held (a field renamed,
   * reordered, removed or otherwise changed, an appended field without default).
   */
  static ReleasedForm of(Schema older, Schema current) {
    if (older.getType() != Schema.Type.RECORD
        || current.getType() != Schema.Type.RECORD
        || !older.getFullName().equals(current.getFullName())
        || older.getFields().size() > current.getFields().size()) {
      return null;
    }
    List<Integer> set = new ArrayList<>();
    List<Integer> nestedAt = new ArrayList<>();
    List<ReleasedForm> nested = new ArrayList<>();
    for (Schema.Field of : older.getFields()) {
      Schema.Field cf = current.getFields().get(of.pos());
      if (!of.name().equals(cf.name())) {
        return null;
      }
      Schema o = of.schema();
      Schema c = cf.schema();
      if (sameEncoding(o, c)) {
        continue;
      }
      Schema branch = nonNullBranch(c);
      if (branch != null && o.getType() != Schema.Type.UNION) {
        set.add(of.pos());
        c = branch;
        if (sameEncoding(o, c)) {
          continue;
        }
      }
      ReleasedForm inner = of(o, c);
      if (inner == null) {
        return null;
      }
      nestedAt.add(of.pos());
      nested.add(inner);
    }
    List<Schema.Field> appended =
        current.getFields().subList(older.getFields().size(), current.getFields().size());
    int[] appendedAt = new int[appended.size()];
    Object[] defaults = new Object[appended.size()];
    for (int i = 0; i < appended.size(); i++) {
      Schema.Field f = appended.get(i);
      if (!f.hasDefaultValue()) {
        return null;
      }
      appendedAt[i] = f.pos();
      defaults[i] = SpecificData.get().getDefaultValue(f);
    }
    return new ReleasedForm(
        set.stream().mapToInt(Integer::intValue).toArray(),
        nestedAt.stream().mapToInt(Integer::intValue).toArray(),
        nested.toArray(ReleasedForm[]::new),
        appendedAt,
        defaults);
  }

  /**
   * True when both schemas write every value to the same bytes: equal Parsing Canonical Forms,
   * which keep names, types, field order and enum symbols and drop what does not change the
   * encoding (docs, defaults, properties such as the generated classes' {@code avro.java.string}).
   */
  private static boolean sameEncoding(Schema a, Schema b) {
    return SchemaNormalization.toParsingForm(a).equals(SchemaNormalization.toParsingForm(b));
  }

  /** The only non-null branch of a two-branch {@code ["null", X]} union; else null. */
  private static Schema nonNullBranch(Schema s) {
    if (s.getType() != Schema.Type.UNION || s.getTypes().size() != 2) {
      return null;
    }
    Schema a = s.getTypes().get(0);
    Schema b = s.getTypes().get(1);
    if (a.getType() == Schema.Type.NULL) {
      return b;
    }
    return b.getType() == Schema.Type.NULL ? a : null;
  }

  /** True when {@code r} (of the current schema) is written exactly by the older schema. */
  boolean fits(IndexedRecord r) {
    for (int pos : set) {
      if (r.get(pos) == null) {
        return false;
      }
    }
    for (int i = 0; i < nestedAt.length; i++) {
      if (!(r.get(nestedAt[i]) instanceof IndexedRecord inner) || !nested[i].fits(inner)) {
        return false;
      }
    }
    for (int i = 0; i < appendedAt.length; i++) {
      if (!Objects.equals(defaults[i], r.get(appendedAt[i]))) {
        return false;
      }
    }
    return true;
  }
}
