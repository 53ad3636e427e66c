package dev.sluice.bench.e2e;

import dev.sluice.schema.AvroCodec;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Open-loop load through a raw producer and a reply consumer (not the decision-client: its pending
 * table, timeouts and fail-open policy would sit inside the measurement, and the raw relay must be
 * driven by exactly the same code).
 *
 * <p>Design note. Request {@code i} of a step has an intended send time {@code start + i / rate};
 * the sender sleeps until then (or sends at once when it is behind) and the reply thread records
 * {@code arrival - intended}, so a stall anywhere (sender, broker, app, GC) shows in the latency
 * instead of silently lowering the offered rate (coordinated omission). The intended times live in
 * a ring indexed by sequence number ({@link #RING} slots, 32 MiB); the sender waits when the ring
 * is full, which is still measured from the intended time. The "max" step has no schedule: it keeps
 * at most {@code maxInFlight} requests outstanding and its latency is from the actual send (closed
 * loop), so it measures throughput, not latency.
 */
final class LoadDriver implements AutoCloseable {
  static final int RING = 1 << 22;
  private static final long PARK_SLACK_NANOS = 50_000;
  static final Duration QUIET = Duration.ofSeconds(1);
  static final Duration QUIET_MAX = Duration.ofSeconds(120);

  /** What a reply record's value is, so the driver can find the request id in it. */
  enum ReplyForm {
    DECISION,
    REQUEST
  }

  /** One measured step. */
  record StepResult(
      String target,
      String label,
      double offeredRate,
      double seconds,
      long sent,
      long received,
      double achievedPerSec,
      Histogram latencyMicros) {}

  /**
   * How requests reach the target and replies come back: Kafka records (the built-in {@link
   * KafkaTransport}) or, for the {@code rls} target, gRPC calls ({@link RlsTransport}). Replies go
   * to {@link LoadDriver#replied}.
   */
  interface Transport extends AutoCloseable {
    /** Sends request {@code seq} for {@code key}; never blocks for its reply. */
    void send(long seq, String key);

    /** Waits until every request sent is on its way. */
    void flush();

    @Override
    void close();
  }

  private final String name;
  private final Transport transport;
  private final AtomicLongArray intended = new AtomicLongArray(RING);
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong lastReplyNanos = new AtomicLong();
  // Any record on the reply partition, ours or late: tells when the previous step's backlog is
  // worked off.
  private volatile long lastAnyRecordNanos = System.nanoTime();
  private volatile long stepFirstSeq;
  private volatile Recorder recorder = new Recorder(60_000_000L, 3);
  private long nextSeq;

  /**
   * A driver over Kafka: requests produced to {@code requestsTopic}, replies read from {@code
   * replyPartition} of {@code replyTopic}.
   *
   * @param sendPartition partition to send to, or -1 to partition by key (as clients must)
   */
  LoadDriver(
      String name,
      String bootstrap,
      String requestsTopic,
      int sendPartition,
      String replyTopic,
      int replyPartition,
      ReplyForm form,
      Map<String, String> clientProps) {
    this.name = name;
    this.transport =
        new KafkaTransport(
            this,
            bootstrap,
            requestsTopic,
            sendPartition,
            replyTopic,
            replyPartition,
            form,
            clientProps);
  }

  /** A driver over another transport, built with this driver to report replies to. */
  LoadDriver(String name, java.util.function.Function<LoadDriver, Transport> transport) {
    this.name = name;
    this.transport = transport.apply(this);
  }

  /** The reply to request {@code seq} arrived at {@code now} (System.nanoTime). Thread-safe. */
  void replied(long seq, long now) {
    lastAnyRecordNanos = now;
    if (seq < stepFirstSeq) {
      return; // a late reply of an earlier step, or a duplicate after a retry
    }
    long t = intended.getAndSet((int) (seq & (RING - 1)), 0);
    if (t != 0) {
      recorder.recordValue(Math.max(1, (now - t) / 1000));
      received.incrementAndGet();
      lastReplyNanos.set(now);
    }
  }

  /** Something arrived that is no reply of this step (another run's record): still not quiet. */
  void stray(long now) {
    lastAnyRecordNanos = now;
  }

  /** The id of request {@code seq} of the driver named {@code name}. */
  static String requestId(String name, long seq) {
    return name.charAt(0) + "-" + seq;
  }

  /** The sequence number in a request id made by {@link #requestId}, or -1. */
  static long seqOf(CharSequence id) {
    String s = id.toString();
    try {
      return Long.parseLong(s.substring(s.lastIndexOf('-') + 1));
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /**
   * Runs one step: {@code rate} requests a second ({@code <= 0}: as fast as {@code maxInFlight}
   * allows) for {@code duration}, then waits up to {@code drain} for the stragglers.
   */
  StepResult runStep(
      String label,
      double rate,
      Duration duration,
      Duration drain,
      int maxInFlight,
      Zipf keys,
      PrintStream progress) {
    awaitQuiet(progress);
    for (int i = 0; i < RING; i++) {
      intended.set(i, 0);
    }
    long firstSeq = nextSeq;
    stepFirstSeq = firstSeq;
    received.set(0);
    Recorder interval = new Recorder(60_000_000L, 3);
    recorder = interval;
    Histogram total = new Histogram(60_000_000L, 3);
    Histogram tick = null;
    long period = rate > 0 ? (long) (1e9 / rate) : 0;
    long start = System.nanoTime() + 1_000_000;
    long end = start + duration.toNanos();
    long nextReport = start + 1_000_000_000L;
    long sent = 0;
    long lastReceived = 0;
    while (true) {
      long now = System.nanoTime();
      if (now >= nextReport) {
        tick = interval.getIntervalHistogram(tick);
        total.add(tick);
        long got = received.get();
        progress.println(
            String.format(
                Locale.ROOT,
                "[%s %s] t=%2ds sent=%d replies=%d (+%d/s) outstanding=%d p50=%.2fms p99=%.2fms"
                    + " max=%.1fms",
                name,
                label,
                (now - start) / 1_000_000_000L,
                sent,
                got,
                got - lastReceived,
                sent - got,
                tick.getValueAtPercentile(50) / 1000.0,
                tick.getValueAtPercentile(99) / 1000.0,
                tick.getMaxValue() / 1000.0));
        lastReceived = got;
        nextReport += 1_000_000_000L;
      }
      long due = period > 0 ? start + sent * period : now;
      if (due >= end || now >= end) {
        break;
      }
      long outstanding = sent - received.get();
      if (outstanding >= RING - 1 || (period == 0 && outstanding >= maxInFlight)) {
        LockSupport.parkNanos(PARK_SLACK_NANOS);
        continue;
      }
      if (due > now + PARK_SLACK_NANOS) {
        LockSupport.parkNanos(Math.min(due - now, nextReport - now));
        continue;
      }
      long seq = firstSeq + sent;
      intended.set((int) (seq & (RING - 1)), period > 0 ? due : now);
      transport.send(seq, Workload.key(keys.next()));
      sent++;
    }
    nextSeq = firstSeq + sent;
    transport.flush();
    long drainEnd = System.nanoTime() + drain.toNanos();
    while (received.get() < sent && System.nanoTime() < drainEnd) {
      LockSupport.parkNanos(10_000_000);
    }
    total.add(interval.getIntervalHistogram(tick));
    long got = received.get();
    long last = lastReplyNanos.get();
    double seconds = Math.max(1e-9, (Math.max(last, end) - start) / 1e9);
    if (got == 0) {
      seconds = duration.toNanos() / 1e9;
    }
    // Achieved rate over the send window plus however long the last reply took to come back.
    return new StepResult(name, label, rate, seconds, sent, got, got / seconds, total);
  }

  /**
   * Waits (up to {@link #QUIET_MAX}) until no reply has arrived for {@link #QUIET}: a step must not
   * start while the target still works off the backlog of the step before it.
   */
  private void awaitQuiet(PrintStream progress) {
    long start = System.nanoTime();
    while (System.nanoTime() - lastAnyRecordNanos < QUIET.toNanos()
        && System.nanoTime() - start < QUIET_MAX.toNanos()) {
      LockSupport.parkNanos(50_000_000);
    }
    long waited = (System.nanoTime() - start) / 1_000_000;
    if (waited > QUIET.toMillis() + 500) {
      progress.println("[" + name + "] waited " + waited + " ms for the previous step's backlog");
    }
  }

  @Override
  public void close() {
    transport.close();
  }

  static String describe(double rate) {
    return rate > 0 ? String.format(Locale.ROOT, "%.0f/s", rate) : "max";
  }

  /** Requests as records to the requests topic; replies read from one reply partition. */
  private static final class KafkaTransport implements Transport {
    private final LoadDriver driver;
    private final String requestsTopic;
    private final int sendPartition;
    private final int replyPartition;
    private final ReplyForm form;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread replyThread;
    private volatile boolean running = true;

    KafkaTransport(
        LoadDriver driver,
        String bootstrap,
        String requestsTopic,
        int sendPartition,
        String replyTopic,
        int replyPartition,
        ReplyForm form,
        Map<String, String> clientProps) {
      this.driver = driver;
      this.requestsTopic = requestsTopic;
      this.sendPartition = sendPartition;
      this.replyPartition = replyPartition;
      this.form = form;
      Map<String, Object> p = new HashMap<>();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
      p.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-" + driver.name + "-producer");
      Map<String, Object> c = new HashMap<>();
      c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      c.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-" + driver.name + "-replies");
      clientProps.forEach(
          (k, v) -> {
            if (k.startsWith("producer.")) {
              p.put(k.substring("producer.".length()), v);
            } else if (k.startsWith("consumer.")) {
              c.put(k.substring("consumer.".length()), v);
            }
          });
      producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
      consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      TopicPartition tp = new TopicPartition(replyTopic, replyPartition);
      consumer.assign(List.of(tp));
      consumer.seekToEnd(List.of(tp));
      consumer.position(tp);
      replyThread = new Thread(this::readReplies, "bench-" + driver.name + "-replies");
      replyThread.setDaemon(true);
      replyThread.start();
    }

    @Override
    public void send(long seq, String key) {
      byte[] value = Workload.request(requestId(driver.name, seq), key, replyPartition);
      producer.send(
          sendPartition >= 0
              ? new ProducerRecord<>(requestsTopic, sendPartition, key, value)
              : new ProducerRecord<>(requestsTopic, key, value));
    }

    @Override
    public void flush() {
      producer.flush();
    }

    private void readReplies() {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          long now = System.nanoTime();
          long seq = seqOf(r.value());
          if (seq < 0) {
            driver.stray(now);
          } else {
            driver.replied(seq, now);
          }
        }
      }
    }

    private long seqOf(byte[] value) {
      try {
        CharSequence id =
            form == ReplyForm.DECISION
                ? AvroCodec.DECISION.decode(value).getRequestId()
                : AvroCodec.REQUEST.decode(value).getId();
        return LoadDriver.seqOf(id);
      } catch (RuntimeException e) {
        return -1; // not ours (another run's record on a shared topic)
      }
    }

    @Override
    public void close() {
      running = false;
      try {
        replyThread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      producer.close(Duration.ofSeconds(5));
      consumer.close();
    }
  }
}
