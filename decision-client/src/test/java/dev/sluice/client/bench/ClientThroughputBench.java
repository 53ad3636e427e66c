package dev.sluice.client.bench;

import dev.sluice.client.ClientMetrics;
import dev.sluice.client.DecisionClient;
import dev.sluice.client.DecisionClientConfig;
import dev.sluice.client.DecisionSource;
import dev.sluice.client.testing.EchoResponder;
import dev.sluice.client.testing.TestKafka;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * How many checks per second one {@link DecisionClient} completes against a real broker, with a
 * trivial {@link EchoResponder} standing in for the service (so the figure is the client's own
 * overhead plus Kafka's, not the rate limiter's). Not a test; run it with
 *
 * <pre>
 * mvn -B -o -q -pl decision-client -am -Pbench process-test-classes
 * </pre>
 *
 * (knobs: {@code -Dbench.seconds=20 -Dbench.warmup=15 -Dbench.threads=4 -Dbench.window=500
 * -Dbench.linger=1 -Dbench.bootstrap=host:port}, and {@code -Dbench.jvmArg=...} for one more
 * argument to the bench JVM, e.g. {@code -XX:StartFlightRecording=...} or {@code
 * -Dbench.client.fetch.min.bytes=1} to give the client a Kafka property). Without a bootstrap it
 * starts a single broker in this JVM, so broker, responder and client share the machine's cores.
 * Caller threads keep up to {@code window} checks outstanding each; the figure counts service
 * decisions completed during the measured interval, after a warm-up; latency percentiles are over
 * every 8th check.
 */
public final class ClientThroughputBench {
  private static final String REQUESTS = "bench.requests";
  private static final String DECISIONS = "bench.decisions";

  private ClientThroughputBench() {}

  public static void main(String[] args) throws Exception {
    int seconds = Integer.getInteger("bench.seconds", 20);
    int threads = Integer.getInteger("bench.threads", 4);
    int window = Integer.getInteger("bench.window", 500);
    int warmup = Integer.getInteger("bench.warmup", 15);
    long lingerMs = Long.getLong("bench.linger", 1); // the client's default
    String bootstrap = System.getProperty("bench.bootstrap", "");
    TestKafka kafka = null;
    if (bootstrap.isBlank()) {
      // Fewer broker threads than Kafka's defaults (8 I/O, 3 network) suit two cores.
      kafka = TestKafka.start(Map.of("num.io.threads", "2", "num.network.threads", "2"));
      bootstrap = kafka.bootstrapServers();
    }
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin
          .createTopics(
              List.of(new NewTopic(REQUESTS, 2, (short) 1), new NewTopic(DECISIONS, 2, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    try (EchoResponder echo = EchoResponder.start(bootstrap, REQUESTS, DECISIONS, 2);
        DecisionClient client =
            DecisionClient.create(
                DecisionClientConfig.builder(bootstrap)
                    .requestsTopic(REQUESTS)
                    .replyTopic(DECISIONS)
                    .linger(Duration.ofMillis(lingerMs))
                    .kafkaProperties(clientKafkaProperties())
                    .build())) {
      run(client, threads, window, warmup, seconds);
      System.out.printf("echo responder answered %d%n", echo.answered());
    } finally {
      if (kafka != null) {
        kafka.close();
      }
    }
  }

  /** Kafka properties for the client from {@code -Dbench.client.<kafka key>=value} (A/B runs). */
  private static Map<String, String> clientKafkaProperties() {
    Map<String, String> props = new TreeMap<>();
    for (String name : System.getProperties().stringPropertyNames()) {
      if (name.startsWith("bench.client.")) {
        props.put(name.substring("bench.client.".length()), System.getProperty(name));
      }
    }
    return props;
  }

  /**
   * CPU time of this JVM's live threads by role: the client (its own threads and the caller threads
   * that run {@code check}), the echo responder, and the rest (the broker).
   */
  private static Map<String, Long> cpuByRole() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Map<String, Long> byRole = new TreeMap<>();
    for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long nanos = mx.getThreadCpuTime(info.getThreadId());
      if (nanos < 0) {
        continue;
      }
      String name = info.getThreadName();
      String role;
      if (name.startsWith("bench-caller-")) {
        role = "client(callers)";
      } else if (name.contains("| sluice-client-")) {
        role = "client(producer-io)";
      } else if (name.startsWith("sluice-client-")) {
        role = "client(" + name.substring(name.lastIndexOf('-') + 1) + ")";
      } else if (name.startsWith("echo-responder") || name.contains("| producer-")) {
        role = "echo";
      } else if (name.startsWith("C1 ") || name.startsWith("C2 ")) {
        role = "jit";
      } else {
        role = "broker+other";
      }
      byRole.merge(role, nanos, Long::sum);
    }
    return byRole;
  }

  private static void run(DecisionClient client, int threads, int window, int warmup, int seconds)
      throws InterruptedException {
    Map<String, String> metadata = Map.of("route", "/api/orders");
    LongAdder service = new LongAdder();
    LongAdder fallback = new LongAdder();
    Recorder latency = new Recorder(3);
    AtomicBoolean running = new AtomicBoolean(true);
    Thread[] callers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int id = t;
      callers[t] =
          new Thread(
              () -> {
                Semaphore outstanding = new Semaphore(window);
                long i = 0;
                while (running.get()) {
                  outstanding.acquireUninterruptibly();
                  long start = System.nanoTime();
                  // Every 8th latency: a thread-safe histogram write per check would cost the
                  // client's reply thread (where callbacks run) a tenth of its time.
                  boolean sampled = (i & 7) == 0;
                  client
                      .check("user:" + id + ":" + (i++ % 5000), metadata, 1)
                      .whenComplete(
                          (d, e) -> {
                            if (e == null && d.source() == DecisionSource.SERVICE) {
                              service.increment();
                              if (sampled) {
                                latency.recordValue(System.nanoTime() - start);
                              }
                            } else {
                              fallback.increment();
                            }
                            outstanding.release();
                          });
                }
              },
              "bench-caller-" + t);
      callers[t].start();
    }
    System.out.printf(
        "warming up %d s, then measuring %d s: %d caller threads x %d outstanding%n",
        warmup, seconds, threads, window);
    Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
    long s0 = service.sum();
    long f0 = fallback.sum();
    latency.getIntervalHistogram();
    Map<String, Long> cpu0 = cpuByRole();
    double load0 = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    long t0 = System.nanoTime();
    for (int s = 1; s <= seconds; s++) {
      Thread.sleep(1000);
      System.out.printf("  %3d s: %,d service decisions so far%n", s, service.sum() - s0);
    }
    long elapsedNanos = System.nanoTime() - t0;
    long served = service.sum() - s0;
    long fellBack = fallback.sum() - f0;
    Map<String, Long> cpu1 = cpuByRole();
    var h = latency.getIntervalHistogram();
    running.set(false);
    for (Thread c : callers) {
      c.join();
    }
    double rate = served / (elapsedNanos / 1e9);
    ClientMetrics m = client.metrics();
    System.out.printf(
        "RESULT: %,.0f checks/s answered by the service (%,d in %.1f s); %,d completed by policy%n",
        rate, served, elapsedNanos / 1e9, fellBack);
    System.out.printf(
        "latency ms: p50 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
        h.getValueAtPercentile(50) / 1e6,
        h.getValueAtPercentile(99) / 1e6,
        h.getValueAtPercentile(99.9) / 1e6,
        h.getMaxValue() / 1e6);
    StringBuilder cpu = new StringBuilder("CPU per check (us):");
    for (String role : cpu1.keySet()) {
      long used = cpu1.get(role) - cpu0.getOrDefault(role, 0L);
      cpu.append(String.format(" %s %.1f", role, used / 1e3 / Math.max(1, served)));
    }
    System.out.println(cpu);
    System.out.printf("client metrics: %s%n", m);
    System.out.printf(
        "java %s, %d cpus, machine load average %.1f at the start of the measurement, %.1f at the"
            + " end (other processes included)%n",
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(),
        load0,
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    Thread.sleep(Duration.ofSeconds(1).toMillis());
  }
}
