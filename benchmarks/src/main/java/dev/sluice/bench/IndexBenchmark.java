package dev.sluice.bench;

import dev.sluice.bench.RuleGenerator.Request;
import dev.sluice.core.rule.LimitRule;
import dev.sluice.core.rule.RuleIndex;
import dev.sluice.core.rule.RuleValidator;
import java.util.List;
import java.util.Map;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link RuleIndex} at 1,000,000 rules ({@link RuleGenerator}): building it, validating and
 * building it, and looking up requests.
 *
 * <p>Run (see benchmarks/README.md): {@code java -jar benchmarks/target/benchmarks.jar
 * IndexBenchmark}. The defaults below are short on purpose (one fork, 2 warm-up and 3 measured
 * iterations); add {@code -f 3 -wi 5 -i 10} for tighter error bars. Forks run with transparent huge
 * pages, the setting recommended for the service.
 */
// Transparent huge pages: at a million rules the index is far larger than the caches, and with
// 4 KB pages nearly every cache miss is also a TLB miss (see README.md: p50 1.5 us without them).
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms6g", "-Xmx6g", "-XX:+UseTransparentHugePages"})
@Warmup(iterations = 2)
@Measurement(iterations = 3)
public class IndexBenchmark {
  /** Number of rules. */
  static final int RULES = 1_000_000;

  /** Distinct requests cycled through; a power of two. */
  static final int REQUESTS = 1 << 20;

  /** The generated rules, validated once per fork. */
  @State(Scope.Benchmark)
  public static class RuleSet {
    List<LimitRule> rules;

    @Setup(Level.Trial)
    public void generate() {
      rules = RuleGenerator.rules(RULES, 42);
    }
  }

  /** The same rules as raw field maps, as the Avro adapter would hand them over. */
  @State(Scope.Benchmark)
  public static class RawRuleSet {
    List<Map<String, Object>> raw;

    @Setup(Level.Trial)
    public void generate() {
      raw = RuleGenerator.rawRules(RULES, 42);
    }
  }

  /** A built index and a request stream to look up. */
  @State(Scope.Benchmark)
  public static class Lookup {
    /**
     * {@code mixed}: the realistic stream of {@link RuleGenerator#requests}. {@code long512}: the
     * same keys padded to 512 characters. {@code nested512}: 512-character keys with 511 nested
     * patterns as prefixes (added to the million rules), the worst case. {@code sharedKey10k}:
     * 10,000 more rules on the key {@code *} told apart by a {@code tenant} constraint, and the
     * mixed stream with a {@code tenant} entry added to every request.
     */
    @Param({"mixed", "long512", "nested512", "sharedKey10k"})
    public String requests;

    /** Number of generated rules; try {@code -p rules=100000} to see the effect of cache size. */
    @Param({"1000000"})
    public int rules;

    RuleIndex index;
    Request[] stream;

    @Setup(Level.Trial)
    public void build() {
      List<LimitRule> generated = RuleGenerator.rules(rules, 42);
      index = new RuleIndex();
      for (LimitRule r : generated) {
        index.upsert(r);
      }
      switch (requests) {
        case "mixed":
          stream = RuleGenerator.requests(generated, REQUESTS, 43);
          break;
        case "long512":
          stream = RuleGenerator.longRequests(generated, REQUESTS, 43);
          break;
        case "nested512":
          RuleGenerator.nestedPatterns().forEach(index::upsert);
          stream = RuleGenerator.nestedRequests(1 << 12, 43);
          break;
        case "sharedKey10k":
          RuleGenerator.sharedKeyRules(10_000).forEach(index::upsert);
          stream =
              RuleGenerator.withTenants(
                  RuleGenerator.requests(generated, REQUESTS, 43), 10_000, 44);
          break;
        default:
          throw new IllegalArgumentException(requests);
      }
    }
  }

  /** A built index and the realistic request stream in encoded form. */
  @State(Scope.Benchmark)
  public static class Encoded {
    RuleIndex index;
    byte[][] stream;

    @Setup(Level.Trial)
    public void build() {
      List<LimitRule> rules = RuleGenerator.rules(RULES, 42);
      index = new RuleIndex();
      for (LimitRule r : rules) {
        index.upsert(r);
      }
      stream = RuleGenerator.encode(RuleGenerator.requests(rules, REQUESTS, 43));
    }
  }

  /** Each thread's position in the request stream. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;

    Request next(Request[] stream) {
      Request r = stream[next];
      next = (next + 1) & (stream.length - 1);
      return r;
    }

    byte[] next(byte[][] stream) {
      byte[] r = stream[next];
      next = (next + 1) & (stream.length - 1);
      return r;
    }

    @TearDown(Level.Iteration)
    public void rewind() {
      next = 0;
    }
  }

  /** Upserting every rule into an empty index, one writer thread: the start-up cost. */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 2)
  @Measurement(iterations = 5)
  public RuleIndex build(RuleSet set) {
    RuleIndex index = new RuleIndex();
    for (LimitRule r : set.rules) {
      index.upsert(r);
    }
    return index;
  }

  /** Validating every raw rule and upserting it: start-up as the service does it. */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 2)
  @Measurement(iterations = 5)
  public RuleIndex validateAndBuild(RawRuleSet set) {
    RuleIndex index = new RuleIndex();
    for (Map<String, Object> fields : set.raw) {
      index.upsert(RuleValidator.validate(fields).rule());
    }
    return index;
  }

  /**
   * One {@link RuleIndex#match} on a pre-built request from a pool of a million: the request's own
   * objects are as cold as the index's, an upper bound (in the service the request was just decoded
   * and is in cache).
   */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  @Warmup(iterations = 2, time = 5)
  @Measurement(iterations = 3, time = 5)
  public LimitRule lookup(Lookup lookup, Cursor cursor) {
    Request r = cursor.next(lookup.stream);
    return lookup.index.match(r.key(), r.metadata());
  }

  /**
   * Decoding a request (key and metadata map, fresh objects as a record decoder makes) and then
   * {@link RuleIndex#match}: the service's path, with the request in cache as it is there.
   */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  @Warmup(iterations = 2, time = 5)
  @Measurement(iterations = 3, time = 5)
  public LimitRule decodeAndLookup(Encoded encoded, Cursor cursor) {
    Request r = RuleGenerator.decode(cursor.next(encoded.stream));
    return encoded.index.match(r.key(), r.metadata());
  }

  /** Decoding alone, the baseline to subtract from {@link #decodeAndLookup}. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  @Warmup(iterations = 2, time = 5)
  @Measurement(iterations = 3, time = 5)
  public Request decode(Encoded encoded, Cursor cursor) {
    return RuleGenerator.decode(cursor.next(encoded.stream));
  }
}
