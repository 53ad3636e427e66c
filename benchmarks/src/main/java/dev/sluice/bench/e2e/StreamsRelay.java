package dev.sluice.bench.e2e;

import dev.sluice.topology.RateLimiterTopology;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The framework's floor: the raw relay's copy loop written as a Kafka Streams application, started
 * with the very properties a Sluice instance of the same run gets (guarantee, producer linger,
 * {@code max.task.idle.ms}, commit interval, threads, handlers). A Processor API node forwards each
 * request unchanged to the reply partition the driver reads; no rule and no decoding. What it costs
 * beyond the raw relay is the price of Kafka Streams itself (its poll loop, per-record context,
 * sensors, record collector, and under exactly-once its transactions).
 *
 * <p>In its counting form it also does what any per-key limiter on this design must do for each
 * request: read a counter from a store built exactly as Sluice's counter store (persistent RocksDB,
 * Sluice's write-back layer, changelog: {@link RateLimiterTopology#counterStore}) and write it
 * back, here an 8-byte count under the request's record key. What Sluice costs beyond that is its
 * own work: decoding, rule matching, the algorithm, the decision.
 */
final class StreamsRelay implements AutoCloseable {
  private final KafkaStreams streams;

  /**
   * Starts the application; {@link #awaitRunning} waits for its partitions.
   *
   * @param props the Streams properties (bootstrap, application id, state dir, guarantee, ...)
   */
  StreamsRelay(
      Properties props,
      String requestsTopic,
      String replyTopic,
      int replyPartition,
      boolean counting) {
    Topology t = new Topology();
    t.addSource(
        "requests", new ByteArrayDeserializer(), new ByteArrayDeserializer(), requestsTopic);
    if (counting) {
      t.addProcessor("copy", Count::new, "requests");
      t.addStateStore(RateLimiterTopology.counterStore(Count.STORE), "copy");
    } else {
      t.addProcessor("copy", Copy::new, "requests");
    }
    t.addSink(
        "replies",
        replyTopic,
        new ByteArraySerializer(),
        new ByteArraySerializer(),
        new ToPartition(replyPartition),
        "copy");
    streams = new KafkaStreams(t, props);
    streams.start();
  }

  /** Counts the requests of each record key in the store, then forwards the record as it is. */
  private static final class Count implements Processor<byte[], byte[], byte[], byte[]> {
    static final String STORE = "counts";
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<Bytes, byte[]> counts;

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
      this.context = context;
      this.counts = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
      Bytes key = Bytes.wrap(record.key() == null ? new byte[0] : record.key());
      byte[] old = counts.get(key);
      long n = old == null ? 0 : ByteBuffer.wrap(old).getLong();
      counts.put(key, ByteBuffer.allocate(Long.BYTES).putLong(n + 1).array());
      context.forward(record);
    }
  }

  /** Every record to one partition, as the raw relay sends them. */
  private record ToPartition(int partition) implements StreamPartitioner<byte[], byte[]> {
    /** Required by the interface; Kafka Streams 4.4 calls the variant with headers. */
    @Override
    @Deprecated(forRemoval = true)
    @SuppressWarnings("removal")
    public Optional<Set<Integer>> partitions(
        String topic, byte[] key, byte[] value, int numPartitions) {
      return Optional.of(Set.of(partition));
    }

    @Override
    public Optional<Set<Integer>> partitions(
        String topic, byte[] key, byte[] value, Headers headers, int numPartitions) {
      return Optional.of(Set.of(partition));
    }
  }

  /** Forwards every record as it is. */
  private static final class Copy implements Processor<byte[], byte[], byte[], byte[]> {
    private ProcessorContext<byte[], byte[]> context;

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
      this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
      context.forward(record);
    }
  }

  /**
   * Waits until the application is RUNNING (its tasks assigned), so the first step loses nothing.
   */
  void awaitRunning(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (streams.state() == KafkaStreams.State.RUNNING
          && !streams.metadataForLocalThreads().isEmpty()
          && streams.metadataForLocalThreads().stream().anyMatch(m -> !m.activeTasks().isEmpty())) {
        return;
      }
      if (streams.state() == KafkaStreams.State.ERROR
          || streams.state() == KafkaStreams.State.NOT_RUNNING) {
        throw new IllegalStateException("the Streams relay stopped: " + streams.state());
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        "the Streams relay was not running within " + timeout + ": " + streams.state());
  }

  /** The Streams metrics, for the stream thread's commit latency. */
  KafkaStreams streams() {
    return streams;
  }

  @Override
  public void close() {
    streams.close(Duration.ofSeconds(30));
  }
}
