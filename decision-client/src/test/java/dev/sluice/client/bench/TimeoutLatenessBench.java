package dev.sluice.client.bench;

import dev.sluice.client.ClientDecision;
import dev.sluice.client.DecisionClient;
import dev.sluice.client.DecisionClientConfig;
import dev.sluice.client.FailureCause;
import dev.sluice.client.testing.TestKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * How late a {@link DecisionClient} answers a check by its timeout when no service answers at all
 * (issue 17 item 3): checks are issued at a fixed rate against a real broker with nothing reading
 * the requests topic, and for each, the time from the call to its completion minus the timeout is
 * recorded. Not a test; run it with
 *
 * <pre>
 * mvn -B -q -pl decision-client -am -Pbench process-test-classes \
 *   -Dbench.main=dev.sluice.client.bench.TimeoutLatenessBench -Dbench.seconds=30
 * </pre>
 *
 * (knobs: {@code -Dbench.rate=3000} checks per second, {@code -Dbench.timeout.ms=2000}, {@code
 * -Dbench.bootstrap=host:port}; without a bootstrap it starts a single broker in this JVM). It
 * prints the lateness percentiles in milliseconds.
 */
public final class TimeoutLatenessBench {
  private TimeoutLatenessBench() {}

  /** What {@link #measure} saw. */
  public record Result(Histogram latenessMicros, long checks, long notTimeouts) {}

  public static void main(String[] args) throws Exception {
    int seconds = Integer.getInteger("bench.seconds", 30);
    int rate = Integer.getInteger("bench.rate", 3000);
    long timeoutMs = Long.getLong("bench.timeout.ms", 2000);
    String bootstrap = System.getProperty("bench.bootstrap", "");
    TestKafka kafka = null;
    if (bootstrap.isBlank()) {
      kafka = TestKafka.start(Map.of("num.io.threads", "2", "num.network.threads", "2"));
      bootstrap = kafka.bootstrapServers();
    }
    try {
      String requests = "lateness.requests";
      String replies = "lateness.decisions";
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
        admin
            .createTopics(
                List.of(new NewTopic(requests, 2, (short) 1), new NewTopic(replies, 2, (short) 1)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      try (DecisionClient client =
          DecisionClient.create(
              DecisionClientConfig.builder(bootstrap)
                  .requestsTopic(requests)
                  .replyTopic(replies)
                  .timeout(Duration.ofMillis(timeoutMs))
                  .build())) {
        Result r = measure(client, rate, seconds, timeoutMs);
        Histogram h = r.latenessMicros();
        System.out.printf(
            "%d checks at %d/s, timeout %d ms, nobody answering (%d not TIMEOUT)%n",
            r.checks(), rate, timeoutMs, r.notTimeouts());
        System.out.printf(
            "answer time - timeout, ms: p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f%n",
            h.getValueAtPercentile(50) / 1000.0,
            h.getValueAtPercentile(99) / 1000.0,
            h.getValueAtPercentile(99.9) / 1000.0,
            h.getMaxValue() / 1000.0);
      }
    } finally {
      if (kafka != null) {
        kafka.close();
      }
    }
  }

  /**
   * Issues {@code rate} checks a second for {@code seconds} from one thread, then waits for every
   * one to complete. Lateness is measured from just before the call, so it includes the call itself
   * (a few microseconds); a negative value (impossible unless the client answered early) counts as
   * 0 in the histogram and as an early answer in {@code notTimeouts}.
   */
  public static Result measure(DecisionClient client, int rate, int seconds, long timeoutMs)
      throws InterruptedException {
    Recorder recorder = new Recorder(3);
    long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    long total = (long) rate * seconds;
    long interval = TimeUnit.SECONDS.toNanos(1) / rate;
    LongAdder done = new LongAdder();
    AtomicLong notTimeouts = new AtomicLong();
    long start = System.nanoTime();
    for (long i = 0; i < total; i++) {
      long due = start + i * interval;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      long issued = System.nanoTime();
      client
          .check("k" + (i % 1000), Map.of(), 1)
          .whenComplete(
              (ClientDecision d, Throwable e) -> {
                long late = System.nanoTime() - issued - timeoutNanos;
                if (e != null || d.cause() != FailureCause.TIMEOUT || late < 0) {
                  notTimeouts.incrementAndGet();
                }
                recorder.recordValue(Math.max(0, TimeUnit.NANOSECONDS.toMicros(late)));
                done.increment();
              });
    }
    long deadline = System.nanoTime() + timeoutNanos + TimeUnit.SECONDS.toNanos(30);
    while (done.sum() < total && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    return new Result(recorder.getIntervalHistogram(), done.sum(), notTimeouts.get());
  }
}
