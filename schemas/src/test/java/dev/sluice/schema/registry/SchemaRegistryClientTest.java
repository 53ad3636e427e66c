package dev.sluice.schema.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.avro.RateLimitRequest;
import dev.sluice.avro.Rule;
import dev.sluice.schema.registry.FakeSchemaRegistry.Recorded;
import dev.sluice.schema.registry.SchemaRegistryException.Kind;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against a test server replaying the documented protocol (not a live registry). */
class SchemaRegistryClientTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SUBJECT = "sluice.requests-value";
  private static final Schema REQUEST = RateLimitRequest.getClassSchema();

  private FakeSchemaRegistry registry;
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  @BeforeEach
  void startRegistry() throws Exception {
    registry = FakeSchemaRegistry.start();
  }

  @AfterEach
  void stopRegistry() {
    registry.close();
  }

  private SchemaRegistryClient client(SchemaRegistryConfig config) {
    return new SchemaRegistryClient(config, nanos::get);
  }

  private SchemaRegistryClient client() {
    return client(SchemaRegistryConfig.of(registry.url()));
  }

  private static Schema record(String name, Schema.Type fieldType) {
    return SchemaBuilder.record(name)
        .namespace("test")
        .fields()
        .name("a")
        .type(Schema.create(fieldType))
        .noDefault()
        .endRecord();
  }

  @Test
  void shouldRegisterWithDocumentedRequestAndReturnTheId() throws Exception {
    int id = client().register(SUBJECT, REQUEST);

    List<Recorded> sent = registry.requests();
    assertEquals(1, sent.size());
    Recorded r = sent.get(0);
    assertEquals("POST", r.method());
    assertEquals("/subjects/sluice.requests-value/versions", r.rawPathAndQuery());
    assertEquals("application/vnd.schemaregistry.v1+json", r.contentType());
    assertTrue(r.accept().startsWith("application/vnd.schemaregistry.v1+json"), r.accept());
    JsonNode body = JSON.readTree(r.body());
    assertEquals(List.of("schema"), iterable(body.fieldNames()));
    assertEquals(REQUEST, new Schema.Parser().parse(body.get("schema").textValue()));
    assertEquals(registry.seed(SUBJECT, REQUEST), id, "the id the registry holds for it");
  }

  @Test
  void shouldAnswerRegistrationsOfAKnownSchemaFromTheCache() {
    SchemaRegistryClient c = client();
    int first = c.register(SUBJECT, REQUEST);
    int second = c.register(SUBJECT, REQUEST);
    assertEquals(first, second);
    assertEquals(1, registry.requests().size());
  }

  @Test
  void shouldLookUpAnIdWithGetAndCacheTheSchema() {
    int id = registry.seed("other-value", Rule.getClassSchema());
    SchemaRegistryClient c = client();

    Schema s = c.schemaById(id);
    assertSame(s, c.schemaById(id));

    assertEquals(Rule.getClassSchema(), s);
    List<Recorded> sent = registry.requests();
    assertEquals(1, sent.size());
    assertEquals("GET", sent.get(0).method());
    assertEquals("/schemas/ids/" + id, sent.get(0).rawPathAndQuery());
    assertEquals("", sent.get(0).body());
  }

  @Test
  void shouldThrowNotFoundWithCode40403ForAnUnknownId() {
    SchemaRegistryException e =
        assertThrows(SchemaRegistryException.class, () -> client().schemaById(42));
    assertEquals(Kind.NOT_FOUND, e.kind());
    assertEquals(404, e.httpStatus());
    assertEquals(40403, e.errorCode());
    assertFalse(e.isRetriable());
    assertTrue(e.getMessage().contains(registry.url() + "/schemas/ids/42"), e.getMessage());
    assertTrue(e.getMessage().contains("Schema 42 not found"), e.getMessage());
  }

  @Test
  void shouldNotCacheFailures() {
    SchemaRegistryClient c = client();
    assertThrows(SchemaRegistryException.class, () -> c.schemaById(7));
    assertThrows(SchemaRegistryException.class, () -> c.schemaById(7));
    assertEquals(2, registry.requests().size());
  }

  @Test
  void shouldThrowIncompatibleOn409() {
    registry.seed("t-value", record("R", Schema.Type.STRING));
    SchemaRegistryException e =
        assertThrows(
            SchemaRegistryException.class,
            () -> client().register("t-value", record("R", Schema.Type.BOOLEAN)));
    assertEquals(Kind.INCOMPATIBLE, e.kind());
    assertEquals(409, e.httpStatus());
    assertEquals(409, e.errorCode());
    assertTrue(e.getMessage().contains("incompatible with an earlier schema"), e.getMessage());
  }

  @Test
  void shouldThrowInvalidSchemaOn422() {
    registry.answerNext(422, "{\"error_code\":42201,\"message\":\"Invalid schema\"}");
    SchemaRegistryException e =
        assertThrows(SchemaRegistryException.class, () -> client().register(SUBJECT, REQUEST));
    assertEquals(Kind.INVALID_SCHEMA, e.kind());
    assertEquals(42201, e.errorCode());
  }

  @Test
  void shouldLookUpWithoutRegisteringAndReportMissingSubjectOrSchema() {
    SchemaRegistryClient c = client();
    SchemaRegistryException noSubject =
        assertThrows(SchemaRegistryException.class, () -> c.lookup(SUBJECT, REQUEST));
    assertEquals(Kind.NOT_FOUND, noSubject.kind());
    assertEquals(40401, noSubject.errorCode());
    assertTrue(noSubject.getMessage().contains("subject not found"), noSubject.getMessage());

    registry.seed(SUBJECT, record("R", Schema.Type.STRING));
    SchemaRegistryException noSchema =
        assertThrows(SchemaRegistryException.class, () -> c.lookup(SUBJECT, REQUEST));
    assertEquals(40403, noSchema.errorCode());

    int id = registry.seed(SUBJECT, REQUEST);
    assertEquals(id, c.lookup(SUBJECT, REQUEST));
    for (Recorded r : registry.requests()) {
      assertEquals("POST", r.method());
      assertEquals("/subjects/sluice.requests-value", r.rawPathAndQuery());
      assertEquals(SchemaRegistryClient.CONTENT_TYPE, r.contentType());
    }
    assertEquals(3, registry.requests().size());
  }

  @Test
  void shouldReportCompatibilityWithTheRegistrysMessages() {
    registry.seed("t-value", record("R", Schema.Type.INT));
    SchemaRegistryClient c = client();

    assertTrue(c.testCompatibility("t-value", record("R", Schema.Type.LONG)).compatible());
    SchemaRegistryClient.Compatibility no =
        c.testCompatibility("t-value", record("R", Schema.Type.STRING));
    assertFalse(no.compatible());
    assertEquals(1, no.messages().size());

    Recorded r = registry.requests().get(0);
    assertEquals("POST", r.method());
    assertEquals(
        "/compatibility/subjects/t-value/versions/latest?verbose=true", r.rawPathAndQuery());
    assertEquals(SchemaRegistryClient.CONTENT_TYPE, r.contentType());
  }

  @Test
  void shouldThrowNotFoundWhenTestingCompatibilityOfAnUnknownSubject() {
    SchemaRegistryException e =
        assertThrows(
            SchemaRegistryException.class,
            () -> client().testCompatibility("nobody-value", REQUEST));
    assertEquals(40401, e.errorCode());
  }

  @Test
  void shouldThrowRetriableServerErrorOn500() {
    registry.answerNext(
        500, "{\"error_code\":50001,\"message\":\"Error in the backend datastore\"}");
    SchemaRegistryException e =
        assertThrows(SchemaRegistryException.class, () -> client().schemaById(1));
    assertEquals(Kind.SERVER_ERROR, e.kind());
    assertEquals(500, e.httpStatus());
    assertEquals(50001, e.errorCode());
    assertTrue(e.isRetriable());
    assertTrue(e.getMessage().contains("Error in the backend datastore"), e.getMessage());
  }

  @Test
  void shouldKeepANonJsonErrorBodyFromAProxyInTheMessage() {
    registry.answerNext(502, "<html>Bad Gateway</html>");
    SchemaRegistryException e =
        assertThrows(SchemaRegistryException.class, () -> client().schemaById(1));
    assertEquals(Kind.SERVER_ERROR, e.kind());
    assertEquals(-1, e.errorCode());
    assertTrue(e.getMessage().contains("<html>Bad Gateway</html>"), e.getMessage());
  }

  @Test
  void shouldRejectAnswersOutsideTheProtocol() {
    SchemaRegistryClient c = client();
    registry.answerNext(200, "not json");
    assertEquals(
        Kind.BAD_RESPONSE,
        assertThrows(SchemaRegistryException.class, () -> c.schemaById(1)).kind());
    registry.answerNext(
        200, "{\"schema\":\"syntax = \\\"proto3\\\";\",\"schemaType\":\"PROTOBUF\"}");
    SchemaRegistryException proto =
        assertThrows(SchemaRegistryException.class, () -> c.schemaById(1));
    assertEquals(Kind.BAD_RESPONSE, proto.kind());
    assertTrue(proto.getMessage().contains("PROTOBUF"), proto.getMessage());
    registry.answerNext(200, "{\"version\":3}");
    assertEquals(
        Kind.BAD_RESPONSE,
        assertThrows(SchemaRegistryException.class, () -> c.register(SUBJECT, REQUEST)).kind());
  }

  @Test
  void shouldThrowRetriableUnreachableWhenNothingListens() throws Exception {
    String url = FakeSchemaRegistry.closedPortUrl();
    SchemaRegistryException e =
        assertThrows(
            SchemaRegistryException.class,
            () -> client(SchemaRegistryConfig.of(url)).schemaById(1));
    assertEquals(Kind.UNREACHABLE, e.kind());
    assertTrue(e.isRetriable());
    assertEquals(-1, e.httpStatus());
    assertTrue(e.getMessage().contains(url + "/schemas/ids/1"), e.getMessage());
    assertTrue(e.getMessage().contains(SchemaRegistryConfig.URL), e.getMessage());
  }

  @Test
  void shouldTimeOutOnASlowRegistry() {
    registry.delayAnswers(Duration.ofSeconds(3));
    SchemaRegistryClient c =
        client(
            SchemaRegistryConfig.of(registry.url())
                .withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(300)));
    long start = System.nanoTime();
    SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> c.schemaById(1));
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals(Kind.TIMEOUT, e.kind());
    assertTrue(e.isRetriable());
    assertTrue(e.getMessage().contains("300 ms"), e.getMessage());
    assertTrue(tookMs < 2500, "gave up after " + tookMs + " ms, not at the 300 ms timeout");
  }

  @Test
  void shouldFailOverToTheNextUrlWhenOneIsUnreachable() throws Exception {
    int id = registry.seed(SUBJECT, REQUEST);
    SchemaRegistryClient c =
        client(SchemaRegistryConfig.of(FakeSchemaRegistry.closedPortUrl() + "," + registry.url()));
    assertEquals(REQUEST, c.schemaById(id));
  }

  @Test
  void shouldNameEveryUrlWhenAllAreUnreachable() throws Exception {
    String a = FakeSchemaRegistry.closedPortUrl();
    String b = FakeSchemaRegistry.closedPortUrl();
    SchemaRegistryException e =
        assertThrows(
            SchemaRegistryException.class,
            () -> client(SchemaRegistryConfig.of(a + "," + b)).schemaById(1));
    assertEquals(Kind.UNREACHABLE, e.kind());
    assertTrue(e.getMessage().contains(a) && e.getMessage().contains(b), e.getMessage());
  }

  @Test
  void shouldSendBasicAuthAndReportRejectedCredentials() {
    registry.requireBasicAuth("sluice", "s3cret");
    int id = registry.seed(SUBJECT, REQUEST);

    SchemaRegistryClient good =
        client(SchemaRegistryConfig.of(registry.url()).withBasicAuth("sluice:s3cret"));
    assertEquals(REQUEST, good.schemaById(id));
    assertEquals(
        "Basic " + Base64.getEncoder().encodeToString("sluice:s3cret".getBytes()),
        registry.requests().get(0).authorization());

    SchemaRegistryClient bad =
        client(SchemaRegistryConfig.of(registry.url()).withBasicAuth("sluice:wrong"));
    SchemaRegistryException e =
        assertThrows(SchemaRegistryException.class, () -> bad.schemaById(id));
    assertEquals(Kind.UNAUTHORIZED, e.kind());
    assertTrue(e.getMessage().contains(SchemaRegistryConfig.BASIC_AUTH_USER_INFO), e.getMessage());
    assertFalse(e.getMessage().contains("wrong"), "never echo the password");

    SchemaRegistryClient none = client();
    assertEquals(
        Kind.UNAUTHORIZED,
        assertThrows(SchemaRegistryException.class, () -> none.schemaById(id)).kind());
    assertNull(registry.requests().get(2).authorization());
  }

  @Test
  void shouldFetchAgainAfterExpiryAndServeTheStaleSchemaWhileTheRegistryIsDown() {
    int id = registry.seed(SUBJECT, REQUEST);
    SchemaRegistryClient c =
        client(SchemaRegistryConfig.of(registry.url()).withCache(10, Duration.ofMinutes(1)));
    Schema first = c.schemaById(id);

    nanos.addAndGet(Duration.ofSeconds(59).toNanos());
    assertSame(first, c.schemaById(id));
    assertEquals(1, registry.requests().size(), "fresh for a minute");

    nanos.addAndGet(Duration.ofSeconds(2).toNanos());
    assertEquals(REQUEST, c.schemaById(id));
    assertEquals(2, registry.requests().size(), "fetched again once expired");

    nanos.addAndGet(Duration.ofMinutes(2).toNanos());
    registry.answerNext(503, "{\"error_code\":50003,\"message\":\"Error while forwarding\"}");
    assertEquals(REQUEST, c.schemaById(id), "stale entry served while the registry fails");
    assertEquals(3, registry.requests().size());
  }

  @Test
  void shouldNotServeAStaleEntryWhenTheRegistrySaysItIsGone() {
    int id = registry.seed(SUBJECT, REQUEST);
    SchemaRegistryClient c =
        client(SchemaRegistryConfig.of(registry.url()).withCache(10, Duration.ofMinutes(1)));
    c.schemaById(id);
    nanos.addAndGet(Duration.ofMinutes(2).toNanos());
    registry.answerNext(404, "{\"error_code\":40403,\"message\":\"Schema not found\"}");
    assertEquals(
        Kind.NOT_FOUND, assertThrows(SchemaRegistryException.class, () -> c.schemaById(id)).kind());
  }

  @Test
  void shouldEvictTheLeastRecentlyUsedSchemaBeyondCapacity() {
    int a = registry.seed("a-value", record("A", Schema.Type.INT));
    int b = registry.seed("b-value", record("B", Schema.Type.INT));
    int d = registry.seed("d-value", record("D", Schema.Type.INT));
    SchemaRegistryClient c =
        client(SchemaRegistryConfig.of(registry.url()).withCache(2, Duration.ofHours(1)));
    c.schemaById(a);
    c.schemaById(b);
    c.schemaById(a); // a is now the most recently used
    c.schemaById(d); // evicts b
    registry.clearRequests();

    c.schemaById(a);
    c.schemaById(d);
    assertEquals(0, registry.requests().size());
    c.schemaById(b);
    assertEquals(1, registry.requests().size());
  }

  @Test
  void shouldPercentEncodeSubjectsInThePath() {
    int id = client().register("odd subject/x+y", REQUEST);
    assertEquals(
        "/subjects/odd%20subject%2Fx%2By/versions", registry.requests().get(0).rawPathAndQuery());
    assertEquals(id, registry.seed("odd subject/x+y", REQUEST));
  }

  @Test
  void shouldKeepThePathOfABaseUrlSuchAsApicuriosCompatibilityApi() {
    SchemaRegistryClient c = client(SchemaRegistryConfig.of(registry.url() + "/apis/ccompat/v7/"));
    SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> c.schemaById(3));
    assertEquals("/apis/ccompat/v7/schemas/ids/3", registry.requests().get(0).rawPathAndQuery());
    // This test server only serves the root, so the prefixed path is unknown to it.
    assertEquals(Kind.NOT_FOUND, e.kind());
    assertTrue(e.getMessage().contains("is the URL the registry's root?"), e.getMessage());
  }

  @Test
  void shouldBeAbsentWithoutAUrl() {
    assertTrue(
        SchemaRegistryClient.fromProperties(Map.of("bootstrap.servers", "k:9092")).isEmpty());
    assertTrue(
        SchemaRegistryClient.fromProperties(Map.of(SchemaRegistryConfig.URL, registry.url()))
            .isPresent());
  }

  private static List<String> iterable(java.util.Iterator<String> it) {
    List<String> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }
}
