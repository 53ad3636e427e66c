package dev.sluice.client.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A stand-in for the Sluice service that answers every request with an allowed decision, written to
 * the reply topic and partition the request names. It measures nothing and limits nothing: it
 * exists so client-only behaviour (correlation, timeouts, policies, close, counters) and the
 * client's own overhead can be tested without the streams app. One consumer thread, one producer.
 *
 * <p>It reads requests and writes decisions through {@link EchoWire}'s shortcuts rather than the
 * full Avro codec, so that it costs less than the client it stands beside. {@link #answer}, {@link
 * #drop} and {@link #delay} switch its behaviour at run time.
 */
public final class EchoResponder implements AutoCloseable {
  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  private final String defaultReplyTopic;
  private final Thread thread;
  private final ScheduledExecutorService delayed = Executors.newSingleThreadScheduledExecutor();
  private final AtomicLong answered = new AtomicLong();
  private volatile boolean running = true;
  private volatile boolean dropping;
  private volatile long delayMs;

  private EchoResponder(
      String bootstrap, String requestsTopic, String defaultReplyTopic, long lingerMs) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    // Fetch in bigger chunks when busy (at most lingerMs later when not): cheaper for the broker.
    c.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 16384);
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) Math.max(1, lingerMs));
    this.consumer = new KafkaConsumer<>(c);
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.LINGER_MS_CONFIG, (int) lingerMs);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 65536);
    this.producer = new KafkaProducer<>(p);
    this.defaultReplyTopic = defaultReplyTopic;
    List<TopicPartition> tps = new ArrayList<>();
    // A topic created a moment ago may not be in metadata yet: an empty answer is not final.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (tps.isEmpty()) {
      for (PartitionInfo info : consumer.partitionsFor(requestsTopic, Duration.ofSeconds(30))) {
        tps.add(new TopicPartition(requestsTopic, info.partition()));
      }
      if (tps.isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no partitions for " + requestsTopic + " after 30 s");
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted waiting for " + requestsTopic, e);
        }
      }
    }
    consumer.assign(tps);
    consumer.seekToEnd(tps);
    for (TopicPartition tp : tps) {
      consumer.position(tp, Duration.ofSeconds(30)); // ready before start() returns
    }
    this.thread = new Thread(this::run, "echo-responder");
    this.thread.setDaemon(true);
  }

  /** Starts answering requests produced from now on. */
  public static EchoResponder start(String bootstrap, String requestsTopic, String replyTopic) {
    return start(bootstrap, requestsTopic, replyTopic, 1);
  }

  /** Same, with the responder's own producer linger. */
  public static EchoResponder start(
      String bootstrap, String requestsTopic, String replyTopic, long lingerMs) {
    EchoResponder r = new EchoResponder(bootstrap, requestsTopic, replyTopic, lingerMs);
    r.thread.start();
    return r;
  }

  /** Answer every request at once (the initial behaviour). */
  public void answer() {
    delayMs = 0;
    dropping = false;
  }

  /** Answer nothing. */
  public void drop() {
    dropping = true;
  }

  /** Answer each request {@code ms} after reading it. */
  public void delay(long ms) {
    delayMs = ms;
    dropping = false;
  }

  /** Decisions sent so far. */
  public long answered() {
    return answered.get();
  }

  private void run() {
    while (running) {
      try {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          if (dropping) {
            continue;
          }
          ProducerRecord<String, byte[]> reply =
              reply(EchoWire.readRequest(r.value()), r.timestamp());
          long delay = delayMs;
          if (delay > 0) {
            delayed.schedule(() -> send(reply), delay, TimeUnit.MILLISECONDS);
          } else {
            send(reply);
          }
        }
      } catch (WakeupException e) {
        // closing
      } catch (KafkaException e) {
        if (running) {
          sleep(200); // e.g. broker stopped: keep trying like a real service would
        }
      }
    }
  }

  private void send(ProducerRecord<String, byte[]> reply) {
    producer.send(reply);
    answered.incrementAndGet();
  }

  private ProducerRecord<String, byte[]> reply(EchoWire.Request req, long timestampMs) {
    String topic = req.replyTopic() == null ? defaultReplyTopic : req.replyTopic();
    return new ProducerRecord<>(
        topic,
        req.replyPartition(),
        req.key(),
        EchoWire.decision(req.id(), req.key(), timestampMs));
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops answering and closes the consumer and producer. */
  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    delayed.shutdownNow();
    consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
    producer.close(Duration.ofSeconds(2));
  }
}
