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
 * key, {@link Limiter#evaluate}, and encode the decision. The counter store is a {@link HashMap}
 * here, so {@link #fullHotPath} excludes RocksDB (see docs/PERFORMANCE.md for that share). Requests
 * use Zipf(1.1) keys over 100,000 keys, pre-encoded (1 Mi of them, cycled).
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
    for (LimitRule r : Workload.rules(rules)) {
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

  /** Counter key + algorithm on the stored counter (a map lookup and put stand in for RocksDB). */
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
    ByteBuffer key = ByteBuffer.wrap(Limiter.counterKey(rule, r.key(), r.metadata()));
    Limiter.Evaluation e =
        Limiter.evaluate(
            rule, counters.get(key), r.id(), r.key(), RequestValidator.effectiveCost(r.cost()), t);
    counters.put(key, e.counter());
    return e.verdict();
  }
}
