package dev.sluice.bench.hotpath;

import dev.sluice.bench.e2e.Workload;
import dev.sluice.bench.e2e.Zipf;
import dev.sluice.core.Verdict;
import dev.sluice.core.limit.Limiter;
import dev.sluice.core.request.RequestValidator;
import dev.sluice.core.rule.LimitRule;
import dev.sluice.core.rule.RuleIndex;
import dev.sluice.schema.DecisionCodec;
import dev.sluice.schema.DecodedRequest;
import dev.sluice.schema.RequestCodec;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-request CPU work of the limiter processor, without Kafka: decode the request bytes,
 * {@link RuleIndex#match} on a {@code rules}-rule index ({@link Workload#rules}), build the counter
 * keys, {@link Limiter#evaluate}, and encode the decision. The counter store is a {@link HashMap}
 * here, so {@link #fullHotPath} excludes RocksDB (see docs/PERFORMANCE.md for that share). Requests
 * use Zipf(1.1) keys over 100,000 keys, pre-encoded (1 Mi of them, cycled).
 *
 * <p>{@code limits} is the number of limits of every rule ({@link Workload#rules(int, int)}): 1,
 * today's rule, or 3, a rule of a 1-minute, an hourly and a daily limit, each with its own counter
 * read and written per request, as the limiter processor does (one counter key and one store get
 * and put per limit). {@code decode} and {@code encode} do not depend on it.
 *
 * <p>Run: {@code java -cp benchmarks/target/classes:$(cat benchmarks/target/runtime-classpath.txt)
 * org.openjdk.jmh.Main HotPathBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HotPathBenchmark {
  private static final int REQUESTS = 1 << 16;

  /** Number of rules in the index. */
  @Param({"100000"})
  public int rules;

  /** Limits of every rule: 1, or 3 (minute, hour, day). */
  @Param({"1", "3"})
  public int limits;

  private RuleIndex index;
  private byte[][] encoded;
  private DecodedRequest[] decoded;
  private LimitRule[] matched;
  private Verdict[] verdicts;
  private final Map<ByteBuffer, byte[]> counters = new HashMap<>();
  private int i;
  private long t = 1_700_000_000_000L;

  /** Builds the index and the requests. */
  @Setup
  public void setup() {
    index = new RuleIndex();
    for (LimitRule r : Workload.rules(rules, limits)) {
      index.upsert(r.withGeneration(1));
    }
    Zipf zipf = new Zipf(100_000, 1.1, 7);
    encoded = new byte[REQUESTS][];
    decoded = new DecodedRequest[REQUESTS];
    matched = new LimitRule[REQUESTS];
    verdicts = new Verdict[REQUESTS];
    for (int k = 0; k < REQUESTS; k++) {
      encoded[k] = Workload.request("s-" + k, Workload.key(zipf.next()), 0);
      decoded[k] = RequestCodec.decode(encoded[k]);
      matched[k] = index.match(decoded[k].key(), decoded[k].metadata());
      verdicts[k] = evaluate(matched[k], decoded[k]);
    }
  }

  private int next() {
    i = (i + 1) & (REQUESTS - 1);
    return i;
  }

  /** Avro single-object decode of one request. */
  @Benchmark
  public DecodedRequest decode() {
    return RequestCodec.decode(encoded[next()]);
  }

  /** Which rule applies (SPEC 3) among {@code rules}. */
  @Benchmark
  public LimitRule match() {
    DecodedRequest r = decoded[next()];
    return index.match(r.key(), r.metadata());
  }

  /**
   * Counter keys + algorithms on the stored counters, one per limit (map lookups and puts stand in
   * for RocksDB).
   */
  @Benchmark
  public Verdict evaluate() {
    int k = next();
    return evaluate(matched[k], decoded[k]);
  }

  /** Avro single-object encode of one decision. */
  @Benchmark
  public byte[] encode() {
    return DecisionCodec.encode(verdicts[next()]);
  }

  /** decode + match + evaluate (+ counter get/put in a map), without the encode. */
  public Verdict fullHotPath() {
    DecodedRequest r = RequestCodec.decode(encoded[next()]);
    LimitRule rule = index.match(r.key(), r.metadata());
    if (rule == null) {
      return Verdict.noMatchingRule(r.id(), r.key(), t);
    }
    return evaluate(rule, r);
  }

  /** The whole per-request CPU path: decode, match, evaluate, encode. */
  @Benchmark
  public byte[] all() {
    return DecisionCodec.encode(fullHotPath());
  }

  private Verdict evaluate(LimitRule rule, DecodedRequest r) {
    if (rule == null) {
      return Verdict.noMatchingRule(r.id(), r.key(), t);
    }
    t += 1;
    byte[][] raw = Limiter.counterKeys(rule, r.key(), r.metadata());
    int n = raw.length;
    ByteBuffer[] keys = new ByteBuffer[n];
    byte[][] stored = new byte[n][];
    for (int l = 0; l < n; l++) {
      keys[l] = ByteBuffer.wrap(raw[l]);
      stored[l] = counters.get(keys[l]);
    }
    long cost = RequestValidator.effectiveCost(r.cost());
    Limiter.Evaluation e = Limiter.evaluate(rule, stored, r.id(), r.key(), cost, cost, t);
    if (e.counters() != null) {
      for (int l = 0; l < n; l++) {
        counters.put(keys[l], e.counters()[l]);
      }
    }
    return e.verdict();
  }
}
