package dev.sluice.bench.e2e;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The physical limit: one consumer/producer loop that copies each request, unchanged, to the reply
 * partition it names (here always the driver's partition). No Streams, no state, no rules, no
 * transactions, no decoding; auto-commit. Whatever Sluice costs beyond this is the price of
 * Streams, the store and the rate limiting itself.
 */
final class RawRelay implements AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<byte[], byte[]> producer;
  private final Thread thread;
  private volatile boolean running = true;
  // Set by the polling thread: a consumer may only be queried from the thread that polls it.
  private volatile boolean assigned;

  RawRelay(
      String bootstrap,
      String requestsTopic,
      String replyTopic,
      int replyPartition,
      Map<String, String> clientProps) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-raw-relay-" + System.currentTimeMillis());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-relay-consumer");
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-relay-producer");
    clientProps.forEach(
        (k, v) -> {
          if (k.startsWith("relay.producer.")) {
            p.put(k.substring("relay.producer.".length()), v);
          } else if (k.startsWith("relay.consumer.")) {
            c.put(k.substring("relay.consumer.".length()), v);
          }
        });
    consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    consumer.subscribe(List.of(requestsTopic));
    thread =
        new Thread(
            () -> {
              try {
                while (running) {
                  for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    producer.send(
                        new ProducerRecord<>(replyTopic, replyPartition, r.key(), r.value()));
                  }
                  if (!assigned && !consumer.assignment().isEmpty()) {
                    assigned = true;
                  }
                }
              } catch (WakeupException e) {
                // closing
              } finally {
                consumer.close();
              }
            },
            "bench-raw-relay");
    thread.setDaemon(true);
    thread.start();
  }

  /** Waits until the relay's consumer owns its partitions, so the first step loses nothing. */
  void awaitAssigned(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (assigned) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the raw relay got no partitions within " + timeout);
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(5));
  }
}
