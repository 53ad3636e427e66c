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
 *
 * <p>Limits per rule ({@link #rules(int, int)}): one is today's rule, 1,000,000 per minute in the
 * top-level form. With n of 2 to 8 the rule is in the {@code limits} form: the first n of a
 * 1-minute limit, then 1 hour, 1 day, 1 second, 10 minutes, 6 hours, 7 days and 31 days, each with
 * the rule's algorithm and 1,000,000 permits per minute of window (at most 1e9, at least 16,666 for
 * the second): every limit is far above what the bench sends, so every one is read, evaluated and
 * written on every request and none denies.
 */
public final class Workload {
  private static final Algorithm[] ALGORITHMS = {
    Algorithm.SLIDING_WINDOW_COUNTER,
    Algorithm.FIXED_WINDOW,
    Algorithm.TOKEN_BUCKET,
    Algorithm.SLIDING_WINDOW_COUNTER
  };

  /** Windows of the limits of a rule of several, by index (see the class comment). */
  static final long[] WINDOWS = {60, 3_600, 86_400, 1, 600, 21_600, 604_800, 2_678_400};

  /** Metadata every request carries (matches both metadata constraints for half the keys). */
  static final Map<String, String> EU = Map.of("region", "eu", "tier", "gold");

  static final Map<String, String> US = Map.of("region", "us", "tier", "free");

  private Workload() {}

  /** {@code count} rules of one limit, as described in the class comment. */
  public static List<LimitRule> rules(int count) {
    return rules(count, 1);
  }

  /**
   * {@code count} rules of {@code limits} limits each, as described in the class comment.
   *
   * @throws IllegalArgumentException when {@code limits} is not 1 to 8
   */
  public static List<LimitRule> rules(int count, int limits) {
    if (limits < 1 || limits > LimitRule.MAX_LIMITS) {
      throw new IllegalArgumentException(
          "limits: 1 to " + LimitRule.MAX_LIMITS + " per rule (got " + limits + ")");
    }
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
      Algorithm algorithm = ALGORITHMS[i % ALGORITHMS.length];
      SortedMap<String, String> md = Collections.unmodifiableSortedMap(metadata);
      if (limits == 1) {
        rules.add(new LimitRule("bench-" + i, key, 1_000_000, 60, 0, md, algorithm, false, 0));
        continue;
      }
      List<LimitRule.Limit> list = new ArrayList<>(limits);
      for (int l = 0; l < limits; l++) {
        long window = WINDOWS[l];
        long permits = Math.min(1_000_000_000L, Math.max(1_000_000L * window / 60, 16_666));
        list.add(new LimitRule.Limit(permits, window, algorithm, 0));
      }
      rules.add(new LimitRule("bench-" + i, key, list, true, 0, md, algorithm, false));
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
