package dev.sluice.schema.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class SchemaRegistryConfigTest {
  private static Path fixtures() throws Exception {
    return Path.of(SchemaRegistryConfigTest.class.getResource("/registry-config").toURI());
  }

  private static Properties load(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    return p;
  }

  /** Each bad fixture's first line is {@code # error: <the message it must produce>}. */
  @TestFactory
  Stream<DynamicTest> shouldRejectEachBadFixtureWithItsDocumentedError() throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(fixtures().resolve("bad"))) {
      files = s.sorted().toList();
    }
    assertTrue(files.size() >= 10, "fixtures found: " + files);
    return files.stream()
        .map(
            f ->
                DynamicTest.dynamicTest(
                    f.getFileName().toString(),
                    () -> {
                      String first = Files.readAllLines(f, StandardCharsets.UTF_8).get(0);
                      assertTrue(first.startsWith("# error: "), f + " must start with '# error: '");
                      String expected = first.substring("# error: ".length());
                      IllegalArgumentException e =
                          assertThrows(
                              IllegalArgumentException.class,
                              () -> SchemaRegistryConfig.fromProperties(load(f)));
                      assertTrue(
                          e.getMessage().contains(expected),
                          "expected '" + expected + "' in '" + e.getMessage() + "'");
                      assertFalse(
                          e.getMessage().contains("hunter2"),
                          "a password leaked: " + e.getMessage());
                    }));
  }

  @Test
  void shouldReadEveryKey() throws Exception {
    SchemaRegistryConfig c =
        SchemaRegistryConfig.fromProperties(load(fixtures().resolve("full.properties")))
            .orElseThrow();
    assertEquals(
        List.of(URI.create("https://registry-a:8081/"), URI.create("https://registry-b:8081")),
        c.urls());
    assertEquals("sluice:hunter2", c.basicAuthUserInfo());
    assertEquals(Duration.ofSeconds(2), c.connectTimeout());
    assertEquals(Duration.ofSeconds(3), c.requestTimeout());
    assertEquals(50, c.cacheCapacity());
    assertEquals(Duration.ofMinutes(1), c.cacheExpiry());
    assertFalse(c.autoRegister());
    assertFalse(c.toString().contains("hunter2"), c.toString());
    assertTrue(c.toString().contains("user sluice"), c.toString());
  }

  @Test
  void shouldUseTheDefaultsWhenOnlyTheUrlIsSet() {
    SchemaRegistryConfig c =
        SchemaRegistryConfig.fromProperties(Map.of(SchemaRegistryConfig.URL, "http://r:8081"))
            .orElseThrow();
    assertEquals(SchemaRegistryConfig.of("http://r:8081"), c);
    assertEquals(Duration.ofSeconds(5), c.connectTimeout());
    assertEquals(Duration.ofSeconds(10), c.requestTimeout());
    assertEquals(1000, c.cacheCapacity());
    assertEquals(Duration.ofHours(24), c.cacheExpiry());
    assertTrue(c.autoRegister());
  }

  @Test
  void shouldMeanNoRegistryWhenTheUrlIsUnsetOrBlank() {
    assertTrue(SchemaRegistryConfig.fromProperties(Map.of()).isEmpty());
    assertTrue(
        SchemaRegistryConfig.fromProperties(Map.of(SchemaRegistryConfig.URL, " ")).isEmpty());
  }
}
