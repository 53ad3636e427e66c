package dev.sluice.bench.e2e;

import dev.sluice.avro.RateLimitRequest;
import dev.sluice.core.Algorithm;
import dev.sluice.core.rule.LimitRule;
import dev.sluice.schema.AvroCodec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The benchmark's rule set and requests, generated deterministically.
 *
 * <p>Request keys are {@code user:<rank>} with Zipf-distributed ranks. Rules: 80% exact keys {@code
 * user:<i>} and 20% prefix patterns {@code user:<j>*} (each matches {@code user:j}, {@code
 * user:j0}..., so a key may be matched by an exact rule and several patterns); every fifth rule
 * (20%) carries a metadata constraint, alternately {@code region=eu} and {@code tier=*}. Algorithms
 * rotate over fixed window, sliding window counter and token bucket (the exact log is left out: its
 * state grows with the limit); limits are high, so most decisions allow and every request reads and
 * writes its counter (the expensive path).
 */
public final class Workload {
  private static final Algorithm[] ALGORITHMS = {
    Algorithm.SLIDING_WINDOW_COUNTER,
    Algorithm.FIXED_WINDOW,
    Algorithm.TOKEN_BUCKET,
    Algorithm.SLIDING_WINDOW_COUNTER
  };

  /** Metadata every request carries (matches both metadata constraints for half the keys). */
  static final Map<String, String> EU = Map.of("region", "eu", "tier", "gold");

  static final Map<String, String> US = Map.of("region", "us", "tier", "free");

  private Workload() {}

  /** {@code count} rules, as described in the class comment. */
  public static List<LimitRule> rules(int count) {
    List<LimitRule> rules = new ArrayList<>(count);
    int exact = count - count / 5;
    for (int i = 0; i < count; i++) {
      boolean isExact = i < exact;
      String key = isExact ? "user:" + i : "user:" + (i - exact) + "*";
      SortedMap<String, String> metadata = new TreeMap<>();
      if (i % 5 == 0) {
        if ((i / 5) % 2 == 0) {
          metadata.put("region", "eu");
        } else {
          metadata.put("tier", LimitRule.ANY_VALUE);
        }
      }
      rules.add(
          new LimitRule(
              "bench-" + i,
              key,
              1_000_000,
              60,
              0,
              Collections.unmodifiableSortedMap(metadata),
              ALGORITHMS[i % ALGORITHMS.length],
              false,
              0));
    }
    return rules;
  }

  /**
   * The rules of the {@code rls} target: {@link #rules} with each key moved into the key space the
   * rate-limit server gives {@link RlsTransport}'s calls ({@code user:12} becomes {@code
   * rls/user=12}, {@code user:3*} becomes {@code rls/user=3*}) and without metadata constraints
   * (the calls carry only the {@code user} entry).
   */
  public static List<LimitRule> rlsRules(int count) {
    List<LimitRule> out = new ArrayList<>(count);
    for (LimitRule r : rules(count)) {
      out.add(
          new LimitRule(
              r.id(),
              RlsTransport.sluiceKey(r.key()),
              r.limit(),
              r.windowSeconds(),
              r.priority(),
              Collections.unmodifiableSortedMap(new TreeMap<>()),
              r.algorithm(),
              r.shadow(),
              r.generation()));
    }
    return out;
  }

  /** The request key of a Zipf rank. */
  public static String key(int rank) {
    return "user:" + rank;
  }

  /**
   * One request, Avro single-object encoded (the form the decision-client sends), asking for the
   * reply on {@code replyPartition}.
   */
  public static byte[] request(String id, String key, int replyPartition) {
    RateLimitRequest r =
        RateLimitRequest.newBuilder()
            .setId(id)
            .setKey(key)
            .setMetadata((key.hashCode() & 1) == 0 ? EU : US)
            .setCost(null)
            .setReplyPartition(replyPartition)
            .setReplyTopic(null)
            .build();
    return AvroCodec.REQUEST.encode(r);
  }
}
