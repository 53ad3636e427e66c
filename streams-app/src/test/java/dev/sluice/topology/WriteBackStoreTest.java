package dev.sluice.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The counter store's write-back layer: what it holds, when it writes back, what it drops. */
class WriteBackStoreTest {
  @TempDir Path dir;

  private KeyValueStore<Bytes, byte[]> below;
  private WriteBackStore store;

  @BeforeEach
  void open() {
    below =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("below"), Serdes.Bytes(), Serdes.ByteArray())
            .withLoggingDisabled()
            .build();
    store = new WriteBackStore(below, 3);
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    store.init(context.getStateStoreContext(), store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static Bytes key(String s) {
    return Bytes.wrap(s.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] value(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void shouldKeepWritesAboveTheStoreUntilTheCommitWritesThemBack() {
    store.put(key("a"), value("1"));
    store.put(key("a"), value("2"));
    assertArrayEquals(value("2"), store.get(key("a")), "reads see the unwritten value");
    assertNull(below.get(key("a")), "nothing reaches the store before the commit");

    store.flushCache();

    assertArrayEquals(value("2"), below.get(key("a")), "the last value is written back");
    assertEquals(0, store.buffered());
    assertArrayEquals(value("2"), store.get(key("a")), "and read from the store after");
  }

  @Test
  void shouldDropUnwrittenValuesWhenTheTaskIsClosedDirtyOrRecycled() {
    store.put(key("a"), value("1"));
    store.flushCache();
    store.put(key("a"), value("2"));
    store.put(key("b"), value("1"));

    ((CachedStateStore<?, ?>) store).clearCache();

    assertArrayEquals(value("1"), store.get(key("a")), "back to the committed value");
    assertNull(store.get(key("b")));
    assertNull(below.get(key("b")));
  }

  @Test
  void shouldWriteEverythingBackBeforeAcceptingANewKeyWhenFull() {
    store.put(key("a"), value("1"));
    store.put(key("b"), value("1"));
    store.put(key("c"), value("1"));
    store.put(key("a"), value("2"));
    assertEquals(3, store.buffered(), "rewriting a held key needs no room");
    assertNull(below.get(key("a")));

    store.put(key("d"), value("1"));

    assertEquals(1, store.buffered(), "at most maxEntries held");
    assertArrayEquals(value("2"), below.get(key("a")));
    assertArrayEquals(value("1"), below.get(key("c")));
    assertNull(below.get(key("d")), "the new key waits for the next commit");
    assertArrayEquals(value("1"), store.get(key("d")));
  }

  @Test
  void shouldDeleteFromTheLayerAndTheStore() {
    store.put(key("a"), value("1"));
    store.flushCache();
    store.put(key("a"), value("2"));

    assertArrayEquals(value("2"), store.delete(key("a")));

    assertNull(store.get(key("a")));
    assertNull(below.get(key("a")));
    store.flushCache();
    assertNull(below.get(key("a")), "a deleted key is not written back");
  }

  @Test
  void shouldMergeHeldAndStoredEntriesInKeyOrderInEveryIterator() {
    store.put(key("p:b"), value("old"));
    store.put(key("p:d"), value("1"));
    store.put(key("q:a"), value("1"));
    store.flushCache();
    store.put(key("p:b"), value("new"));
    store.put(key("p:a"), value("1"));
    store.put(key("p:c"), value("1"));

    assertEquals(
        List.of("p:a=1", "p:b=new", "p:c=1", "p:d=1"),
        drain(store.prefixScan("p:", new StringSerializer())));
    assertEquals(List.of("p:b=new", "p:c=1"), drain(store.range(key("p:b"), key("p:c"))));
    assertEquals(List.of("p:a=1", "p:b=new", "p:c=1", "p:d=1", "q:a=1"), drain(store.all()));
    assertEquals(List.of("q:a=1", "p:d=1", "p:c=1", "p:b=new", "p:a=1"), drain(store.reverseAll()));
    try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
      assertEquals(key("p:a"), it.peekNextKey());
    }
  }

  @Test
  void shouldNotWriteBackAKeyDeletedAndWrittenAgainTwice() {
    store.put(key("a"), value("1"));
    store.delete(key("a"));
    store.put(key("a"), value("2"));

    store.flushCache();

    assertArrayEquals(value("2"), below.get(key("a")));
    assertEquals(0, store.buffered());
    store.flushCache();
    assertArrayEquals(value("2"), below.get(key("a")));
  }

  @Test
  void shouldRefuseAZeroBound() {
    assertThrows(IllegalArgumentException.class, () -> new WriteBackStore(below, 0));
  }

  @Test
  void shouldReachTheChangelogAtEachCommitOfTheTopology() {
    try (TopologyFixture f = new TopologyFixture(dir)) {
      f.rule(
          "fw",
          "{\"id\":\"fw\",\"key\":\"*\",\"limit\":5,\"windowSeconds\":60,"
              + "\"algorithm\":\"FIXED_WINDOW\"}");
      TestOutputTopic<byte[], byte[]> changelog =
          f.driver.createOutputTopic(
              "sluice-test-" + RateLimiterTopology.COUNTERS_STORE + "-changelog",
              new ByteArrayDeserializer(),
              new ByteArrayDeserializer());
      f.request("q1", "user:1", 1, 0);
      f.request("q2", "user:2", 1, 0);
      // The test driver commits after every record: each charge is in the changelog at once.
      assertEquals(2, changelog.readRecordsToList().size());
    }
  }

  private static List<String> drain(KeyValueIterator<Bytes, byte[]> it) {
    List<String> out = new ArrayList<>();
    try (it) {
      while (it.hasNext()) {
        KeyValue<Bytes, byte[]> kv = it.next();
        out.add(
            new String(kv.key.get(), StandardCharsets.UTF_8)
                + "="
                + new String(kv.value, StandardCharsets.UTF_8));
      }
    }
    return out;
  }
}
