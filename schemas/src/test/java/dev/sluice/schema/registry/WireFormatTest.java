package dev.sluice.schema.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.avro.RateLimitRequest;
import dev.sluice.schema.AvroCodec;
import dev.sluice.schema.CodecException;
import dev.sluice.schema.registry.WireFormat.Encoding;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WireFormatTest {
  private static final RateLimitRequest REQUEST =
      RateLimitRequest.newBuilder().setId("r1").setKey("user:1").setCost(2L).build();

  private FakeSchemaRegistry registry;
  private SchemaRegistryClient client;

  @BeforeEach
  void setUp() throws Exception {
    registry = FakeSchemaRegistry.start();
    client = new SchemaRegistryClient(SchemaRegistryConfig.of(registry.url()));
  }

  @AfterEach
  void tearDown() {
    registry.close();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void shouldSniffEachEncodingFromTheFirstBytes() {
    assertEquals(Encoding.SINGLE_OBJECT, WireFormat.sniff(AvroCodec.REQUEST.encode(REQUEST)));
    assertEquals(Encoding.REGISTRY, WireFormat.sniff(new byte[] {0, 0, 0, 0, 1}));
    assertEquals(Encoding.JSON, WireFormat.sniff(utf8("{\"id\":\"r1\"}")));
    assertEquals(Encoding.JSON, WireFormat.sniff(utf8(" \r\n\t{}")));
    assertEquals(Encoding.UNKNOWN, WireFormat.sniff(utf8("[1]")));
    assertEquals(Encoding.UNKNOWN, WireFormat.sniff(utf8("   ")));
    assertEquals(Encoding.UNKNOWN, WireFormat.sniff(new byte[] {(byte) 0xC3}));
    assertEquals(Encoding.UNKNOWN, WireFormat.sniff(new byte[] {(byte) 0xC3, 0x02}));
    assertEquals(Encoding.UNKNOWN, WireFormat.sniff(new byte[0]));
    assertEquals(Encoding.UNKNOWN, WireFormat.sniff(null));
  }

  @Test
  void shouldWriteSingleObjectEncodingWithoutARegistry() {
    WireFormat<RateLimitRequest> f =
        WireFormat.forTopicValues(AvroCodec.REQUEST, Optional.empty(), "sluice.requests");
    assertEquals(Encoding.SINGLE_OBJECT, f.writes());
    byte[] bytes = f.encode(REQUEST);
    assertEquals(Encoding.SINGLE_OBJECT, WireFormat.sniff(bytes));
    assertEquals(REQUEST, AvroCodec.REQUEST.decode(bytes));
    assertEquals(REQUEST, f.decode(bytes));
  }

  @Test
  void shouldWriteTheRegistryFormatUnderTheTopicsValueSubject() {
    WireFormat<RateLimitRequest> f =
        WireFormat.forTopicValues(AvroCodec.REQUEST, Optional.of(client), "sluice.requests");
    assertEquals(Encoding.REGISTRY, f.writes());
    byte[] bytes = f.encode(REQUEST);
    assertEquals(Encoding.REGISTRY, WireFormat.sniff(bytes));
    assertEquals(REQUEST, f.decode(bytes));
    assertEquals(
        "/subjects/sluice.requests-value/versions", registry.requests().get(0).rawPathAndQuery());
  }

  @Test
  void shouldReadBothAvroEncodingsSoATopicCanBeMigrated() {
    WireFormat<RateLimitRequest> before = WireFormat.embedded(AvroCodec.REQUEST);
    WireFormat<RateLimitRequest> after =
        WireFormat.registry(new RegistryAvroCodec<>(AvroCodec.REQUEST, client, "t-value"));
    RateLimitRequest older = RateLimitRequest.newBuilder(REQUEST).setId("old").build();

    assertEquals(older, after.decode(before.encode(older)));
    assertEquals(REQUEST, after.decode(after.encode(REQUEST)));
  }

  @Test
  void shouldTellToConfigureTheRegistryWhenItMeetsRegistryBytesWithoutOne() {
    byte[] bytes =
        WireFormat.forTopicValues(AvroCodec.REQUEST, Optional.of(client), "t").encode(REQUEST);
    CodecException e =
        assertThrows(
            CodecException.class, () -> WireFormat.embedded(AvroCodec.REQUEST).decode(bytes));
    assertTrue(e.getMessage().contains(SchemaRegistryConfig.URL), e.getMessage());
    assertTrue(e.getMessage().contains("schema id 1"), e.getMessage());
  }

  @Test
  void shouldLeaveJsonToTheCaller() {
    CodecException e =
        assertThrows(
            CodecException.class,
            () -> WireFormat.embedded(AvroCodec.REQUEST).decode(utf8("{\"id\":\"r1\"}")));
    assertTrue(e.getMessage().contains("JSON"), e.getMessage());
  }

  @Test
  void shouldNameTheFirstByteOfAnUnknownEncoding() {
    CodecException e =
        assertThrows(
            CodecException.class,
            () -> WireFormat.embedded(AvroCodec.REQUEST).decode(new byte[] {0x7F, 1, 2}));
    assertTrue(e.getMessage().contains("0x7F"), e.getMessage());
    assertThrows(CodecException.class, () -> WireFormat.embedded(AvroCodec.REQUEST).decode(null));
  }
}
