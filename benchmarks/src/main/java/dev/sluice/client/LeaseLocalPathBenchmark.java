package dev.sluice.client;

import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The local path of a client-side lease (issue 20): a check answered from a live lease, as {@code
 * DecisionClient.check} does it once the id is generated: the pair lookup, the entry's lock, the
 * spend, and the {@code LEASE} decision with its future. No Kafka: the service is a stub that
 * answers a lease request at once with a grant of a million permits, so a refresh (at most one per
 * second: a lease never outlives the next whole second) is amortised over the hits. The class sits
 * in the client's package because the lease table is package-private (the public API adds only the
 * id and the argument checks).
 *
 * <p>{@code keys} = 1: one hot pair; 10000: a uniform spread over that many pairs (each with its
 * own lease). {@link #hitTwoThreads} has two threads on the same pairs.
 *
 * <p>Run: {@code java -cp benchmarks/target/classes:$(cat benchmarks/target/runtime-classpath.txt)
 * org.openjdk.jmh.Main LeaseLocalPathBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LeaseLocalPathBenchmark {

  /** The lease table and its stub service, shared by the benchmark's threads. */
  @State(Scope.Benchmark)
  public static class Table {
    /** Distinct (key, metadata) pairs checked. */
    @Param({"1", "10000"})
    public int keys;

    LeaseTable table;
    String[] keyNames;
    final PendingTable pending = new PendingTable(10_000);

    /** A lease table whose "service" grants a million permits per lease request, at once. */
    @Setup(Level.Trial)
    public void setup() {
      keyNames = new String[keys];
      for (int i = 0; i < keys; i++) {
        keyNames[i] = "user:" + i;
      }
      LeaseTable[] self = new LeaseTable[1];
      LeaseTable.Host host =
          new LeaseTable.Host() {
            @Override
            public PendingCheck newCheck(
                String id, String key, Map<String, String> metadata, long cost) {
              return new PendingCheck(
                  null, id, key, metadata, cost, cost, System.nanoTime() + 1_000_000_000L);
            }

            @Override
            public PendingTable.AddResult admit(PendingCheck p) {
              return pending.add(p);
            }

            @Override
            public boolean release(PendingCheck p) {
              return pending.remove(p);
            }

            @Override
            public CompletableFuture<ClientDecision> refused(
                PendingCheck p, PendingTable.AddResult result) {
              throw new IllegalStateException(result.name());
            }

            @Override
            public void send(PendingCheck p, long maxCost) {
              PendingCheck q = pending.remove(p.id, p.key);
              self[0].onReply(
                  q,
                  new Verdict(
                      p.id,
                      p.key,
                      true,
                      Reason.ALLOWED,
                      "bench",
                      1_000_000_000L,
                      1_000_000_000L - maxCost,
                      1000,
                      0,
                      maxCost,
                      0,
                      System.currentTimeMillis(),
                      false,
                      null));
            }

            @Override
            public CompletableFuture<ClientDecision> submitPlain(
                String id, String key, Map<String, String> metadata, long cost) {
              throw new IllegalStateException("not leased: " + key);
            }
          };
      LeaseSettings settings =
          LeaseSettings.defaults()
              .withHorizon(Duration.ofSeconds(1))
              .withMaxShare(1.0)
              .withMaxPairs(Math.max(10_000, keys));
      self[0] = new LeaseTable(settings, System::nanoTime, System::currentTimeMillis, host);
      table = self[0];
    }
  }

  /** Each thread's position in the key list and its request ids (unique per thread). */
  @State(Scope.Thread)
  public static class Cursor {
    int i;
    long n;
    String prefix;

    /** A per-thread id prefix, as the client's generated ids are per instance. */
    @Setup(Level.Trial)
    public void setup() {
      prefix = "b" + Thread.currentThread().getId() + "-";
    }
  }

  private static CompletableFuture<ClientDecision> check(Table t, Cursor c) {
    String key = t.keyNames[c.i];
    if (++c.i == t.keyNames.length) {
      c.i = 0;
    }
    return t.table.check(c.prefix + (c.n++), key, Map.of(), 1);
  }

  /**
   * One check answered from a lease (a refresh once per lease, amortised).
   *
   * @param t the shared table
   * @param c this thread's cursor
   * @return the decision, so that it is not optimised away
   */
  @Benchmark
  public ClientDecision hit(Table t, Cursor c) {
    return check(t, c).join();
  }

  /**
   * {@link #hit} from two threads on the same pairs (the hot-pair case contends on one lock).
   *
   * @param t the shared table
   * @param c this thread's cursor
   * @return the decision
   */
  @Benchmark
  @Threads(2)
  public ClientDecision hitTwoThreads(Table t, Cursor c) {
    return check(t, c).join();
  }
}
