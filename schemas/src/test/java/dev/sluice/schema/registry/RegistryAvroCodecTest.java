package dev.sluice.schema.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.RateLimitRequest;
import dev.sluice.avro.Rule;
import dev.sluice.schema.AvroCodec;
import dev.sluice.schema.CodecException;
import dev.sluice.schema.registry.SchemaRegistryException.Kind;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RegistryAvroCodecTest {
  private static final String SUBJECT = "sluice.requests-value";
  private static final RateLimitRequest REQUEST =
      RateLimitRequest.newBuilder()
          .setId("req-1")
          .setKey("user:42")
          .setMetadata(Map.of("route", "/pay"))
          .setCost(3L)
          .setReplyPartition(5)
          .build();

  /** RateLimitRequest as an older client wrote it: no cost, replyPartition or replyTopic yet. */
  private static final Schema OLDER =
      new Schema.Parser()
          .parse(
              "{\"type\":\"record\",\"name\":\"RateLimitRequest\","
                  + "\"namespace\":\"dev.sluice.avro\",\"fields\":["
                  + "{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"key\",\"type\":\"string\"},"
                  + "{\"name\":\"metadata\","
                  + "\"type\":{\"type\":\"map\",\"values\":\"string\"},\"default\":{}}"
                  + "]}");

  private FakeSchemaRegistry registry;
  private SchemaRegistryClient client;
  private RegistryAvroCodec<RateLimitRequest> codec;

  @BeforeEach
  void setUp() throws Exception {
    registry = FakeSchemaRegistry.start();
    client = new SchemaRegistryClient(SchemaRegistryConfig.of(registry.url()));
    codec = new RegistryAvroCodec<>(AvroCodec.REQUEST, client, SUBJECT);
  }

  @AfterEach
  void tearDown() {
    registry.close();
  }

  @Test
  void shouldWriteMagicByteThenBigEndianIdThenTheAvroBody() throws Exception {
    registry.seed("another-value", Rule.getClassSchema()); // so the request schema gets id 2
    byte[] bytes = codec.encode(REQUEST);

    int id = registry.seed(SUBJECT, RateLimitRequest.getClassSchema());
    assertEquals(2, id);
    assertArrayEquals(new byte[] {0x00, 0x00, 0x00, 0x00, 0x02}, Arrays.copyOf(bytes, 5));
    BinaryDecoder dec = DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null);
    GenericRecord body =
        new GenericDatumReader<GenericRecord>(RateLimitRequest.getClassSchema()).read(null, dec);
    assertTrue(dec.isEnd());
    assertEquals("req-1", body.get("id").toString());
    assertEquals(3L, body.get("cost"));
    assertEquals(
        List.of("POST /subjects/sluice.requests-value/versions"),
        registry.requests().stream().map(r -> r.method() + " " + r.rawPathAndQuery()).toList());
  }

  @Test
  void shouldRoundTripAndRegisterTheWriterSchemaOnce() {
    for (int i = 0; i < 3; i++) {
      assertEquals(REQUEST, codec.decode(codec.encode(REQUEST)));
    }
    // One registration, which also tells the client the schema behind the id.
    assertEquals(1, registry.requests().size());
  }

  @Test
  void shouldDecodeARecordFromAnOlderWriterWithTheReadersDefaults() {
    int id = registry.seed(SUBJECT, OLDER);
    GenericRecord old = new GenericData.Record(OLDER);
    old.put("id", "r9");
    old.put("key", "k");
    old.put("metadata", Map.of("tenant", "t1"));

    RateLimitRequest decoded = codec.decode(wire(id, OLDER, old));

    assertEquals("r9", decoded.getId());
    assertEquals("k", decoded.getKey());
    assertEquals(Map.of("tenant", "t1"), decoded.getMetadata());
    assertNull(decoded.getCost());
    assertNull(decoded.getReplyPartition());
    assertNull(decoded.getReplyTopic());
  }

  @Test
  void shouldDecodeARecordFromANewerWriterSkippingFieldsTheReaderLacks() {
    Schema newer = addField(RateLimitRequest.getClassSchema(), "traceId");
    int id = registry.seed(SUBJECT, newer);
    GenericRecord rec = new GenericData.Record(newer);
    rec.put("id", "req-1");
    rec.put("key", "user:42");
    rec.put("metadata", Map.of("route", "/pay"));
    rec.put("cost", 3L);
    rec.put("replyPartition", 5);
    rec.put("traceId", "abc-123");

    assertEquals(REQUEST, codec.decode(wire(id, newer, rec)));
  }

  @Test
  void shouldRejectAWriterSchemaThatCannotResolveToTheType() {
    Rule rule = Rule.newBuilder().setId("r").setKey("k").setLimit(1L).setWindowSeconds(1L).build();
    RegistryAvroCodec<Rule> rules = new RegistryAvroCodec<>(AvroCodec.RULE, client, "rules-value");
    byte[] ruleBytes = rules.encode(rule);

    CodecException e = assertThrows(CodecException.class, () -> codec.decode(ruleBytes));
    assertTrue(
        e.getMessage().contains("cannot be read as dev.sluice.avro.RateLimitRequest"),
        e.getMessage());
  }

  @Test
  void shouldRejectAWrongMagicByte() {
    byte[] single = AvroCodec.REQUEST.encode(REQUEST);
    CodecException e = assertThrows(CodecException.class, () -> codec.decode(single));
    assertTrue(e.getMessage().contains("wrong magic byte 0xC3"), e.getMessage());
    assertEquals(0, registry.requests().size(), "no registry call for bytes that cannot be ours");
  }

  @Test
  void shouldRejectAnUnknownSchemaIdAsACodecException() {
    byte[] bytes = {0x00, 0x00, 0x00, 0x03, (byte) 0xE7, 0x02, 0x61};
    CodecException e = assertThrows(CodecException.class, () -> codec.decode(bytes));
    assertTrue(e.getMessage().contains("unknown schema id 999"), e.getMessage());
    assertEquals("/schemas/ids/999", registry.requests().get(0).rawPathAndQuery());
  }

  @Test
  void shouldRejectATruncatedHeader() {
    CodecException e =
        assertThrows(CodecException.class, () -> codec.decode(new byte[] {0x00, 0x00, 0x01}));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    assertThrows(CodecException.class, () -> codec.decode(new byte[0]));
    assertThrows(CodecException.class, () -> codec.decode(null));
  }

  @Test
  void shouldRejectATruncatedBody() {
    byte[] bytes = codec.encode(REQUEST);
    for (int cut = 1; cut < bytes.length - RegistryAvroCodec.HEADER_BYTES; cut++) {
      byte[] shorter = Arrays.copyOf(bytes, bytes.length - cut);
      assertThrows(CodecException.class, () -> codec.decode(shorter), "cut " + cut + " bytes");
    }
    CodecException e =
        assertThrows(CodecException.class, () -> codec.decode(Arrays.copyOf(bytes, 8)));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void shouldRejectBytesAfterTheRecord() {
    byte[] bytes = codec.encode(REQUEST);
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 2);
    CodecException e = assertThrows(CodecException.class, () -> codec.decode(longer));
    assertTrue(e.getMessage().contains("bytes after the record"), e.getMessage());
  }

  @Test
  void shouldReportARegistryOutageAsRetriableNotAsABadRecord() throws Exception {
    byte[] bytes = codec.encode(REQUEST);
    SchemaRegistryClient down =
        new SchemaRegistryClient(SchemaRegistryConfig.of(FakeSchemaRegistry.closedPortUrl()));
    RegistryAvroCodec<RateLimitRequest> reader =
        new RegistryAvroCodec<>(AvroCodec.REQUEST, down, SUBJECT);

    SchemaRegistryException e =
        assertThrows(SchemaRegistryException.class, () -> reader.decode(bytes));
    assertEquals(Kind.UNREACHABLE, e.kind());
    assertTrue(e.isRetriable());
  }

  @Test
  void shouldOnlyLookUpTheWriterSchemaWhenAutoRegistrationIsOff() {
    SchemaRegistryClient noAuto =
        new SchemaRegistryClient(SchemaRegistryConfig.of(registry.url()).withAutoRegister(false));
    RegistryAvroCodec<RateLimitRequest> c =
        new RegistryAvroCodec<>(AvroCodec.REQUEST, noAuto, SUBJECT);

    SchemaRegistryException e =
        assertThrows(SchemaRegistryException.class, () -> c.encode(REQUEST));
    assertEquals(Kind.NOT_FOUND, e.kind());
    assertEquals("/subjects/sluice.requests-value", registry.requests().get(0).rawPathAndQuery());

    int id = registry.seed(SUBJECT, RateLimitRequest.getClassSchema());
    assertEquals(id, RegistryAvroCodec.schemaId(c.encode(REQUEST)));
  }

  @Test
  void shouldFailEncodingWhenTheRegistryRefusesTheSchemaAsIncompatible() {
    // key was an int once: the generated schema's string key cannot read such records.
    registry.seed(
        SUBJECT,
        new Schema.Parser()
            .parse(
                "{\"type\":\"record\","
                    + "\"name\":\"RateLimitRequest\",\"namespace\":\"dev.sluice.avro\",\"fields\":["
                    + "{\"name\":\"id\",\"type\":\"string\"},"
                    + "{\"name\":\"key\",\"type\":\"int\"}]}"));
    SchemaRegistryException e =
        assertThrows(SchemaRegistryException.class, () -> codec.encode(REQUEST));
    assertEquals(Kind.INCOMPATIBLE, e.kind());
  }

  private static byte[] wire(int id, Schema writer, GenericRecord rec) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(0);
      out.write(ByteBuffer.allocate(4).putInt(id).array());
      BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<GenericRecord>(writer).write(rec, enc);
      enc.flush();
      return out.toByteArray();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** {@code base} plus an optional string field (nullable, default null). */
  private static Schema addField(Schema base, String name) {
    List<Schema.Field> fields = new java.util.ArrayList<>();
    for (Schema.Field f : base.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    fields.add(
        new Schema.Field(
            name,
            Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
            null,
            Schema.Field.NULL_DEFAULT_VALUE));
    return Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(), false, fields);
  }
}
