package dev.sluice.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * Every schema in {@code src/main/avro} documents itself: each named type and each field has a
 * {@code doc}, and a field that carries a quantity names its unit (a name ending in {@code Ms} or
 * {@code Seconds} says milliseconds or seconds; {@code limit}, {@code remaining} and {@code cost}
 * say permits). The schemas are found by listing the directory, so a new {@code .avsc} file is
 * covered without touching this test.
 */
class SchemaDocsTest {
  private static final Path AVRO_DIR = Path.of("src/main/avro");

  /** Field names whose value counts permits (summed request costs). */
  private static final List<String> PERMIT_FIELDS = List.of("limit", "remaining", "cost");

  @Test
  void shouldDocumentEveryTypeAndField() throws Exception {
    List<String> missing = new ArrayList<>();
    for (Schema schema : schemas()) {
      if (blank(schema.getDoc())) {
        missing.add(schema.getName());
      }
      if (schema.getType() == Schema.Type.RECORD) {
        for (Schema.Field f : schema.getFields()) {
          if (blank(f.doc())) {
            missing.add(schema.getName() + "." + f.name());
          }
        }
      }
    }
    assertEquals(List.of(), missing, "types and fields without a doc");
  }

  @Test
  void shouldNameTheUnitOfEveryQuantity() throws Exception {
    List<String> unitless = new ArrayList<>();
    for (Schema schema : schemas()) {
      if (schema.getType() != Schema.Type.RECORD) {
        continue;
      }
      for (Schema.Field f : schema.getFields()) {
        String unit = unitOf(f.name());
        if (unit != null && (f.doc() == null || !f.doc().toLowerCase(Locale.ROOT).contains(unit))) {
          unitless.add(schema.getName() + "." + f.name() + " (doc should say " + unit + ")");
        }
      }
    }
    assertEquals(List.of(), unitless, "quantities whose doc does not name the unit");
  }

  @Test
  void shouldFindEverySchemaFile() throws Exception {
    // Guards the guards above: an empty listing would make them pass vacuously.
    List<Schema> all = schemas();
    assertFalse(all.isEmpty());
    assertTrue(all.stream().anyMatch(s -> s.getName().equals("Decision")));
  }

  /** The unit a field's doc must name, or null when its name implies none. */
  private static String unitOf(String field) {
    if (field.endsWith("Ms")) {
      return "millisecond";
    }
    if (field.endsWith("Seconds")) {
      return "second";
    }
    return PERMIT_FIELDS.contains(field) ? "permit" : null;
  }

  /** The schema of every {@code .avsc} file, through its generated class. */
  private static List<Schema> schemas() throws IOException, ReflectiveOperationException {
    List<Schema> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(AVRO_DIR)) {
      for (Path p : files.sorted().toList()) {
        String file = p.getFileName().toString();
        if (file.endsWith(".avsc")) {
          String name = file.substring(0, file.length() - ".avsc".length());
          Class<?> generated = Class.forName("dev.sluice.avro." + name);
          out.add((Schema) generated.getMethod("getClassSchema").invoke(null));
        }
      }
    }
    return out;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
