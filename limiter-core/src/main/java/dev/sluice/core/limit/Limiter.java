package dev.sluice.core.limit;

import dev.sluice.core.Algorithm;
import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import dev.sluice.core.rule.LimitRule;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Applies a rule to one request against its counter (SPEC 4, 5 and 6). Pure and thread-safe: the
 * stored counter comes in as bytes and the new counter goes out as bytes, and time is an argument.
 *
 * <p>Counter bytes: one tag byte naming the algorithm, then varints: the rule generation the
 * counter was written under, the window in ms, and the algorithm's state. A counter whose tag,
 * generation or window differ from the applied rule's is treated as absent: that is how a rule
 * update that changes the algorithm or window, or a delete and re-create, starts fresh counters
 * (SPEC 4) without touching the store. With generations below 2^49 the whole counter takes at most
 * 32 bytes for every algorithm but {@code SLIDING_WINDOW}, whose log holds at most {@code limit}
 * entries.
 */
public final class Limiter {
  private Limiter() {}

  /**
   * The result of one evaluation.
   *
   * @param counter the counter to store (never null: a denied first request creates it too)
   * @param verdict the decision
   */
  public record Evaluation(byte[] counter, Verdict verdict) {}

  /**
   * The counter identity of SPEC 4 as bytes: rule id, request key, then the request's values of the
   * rule's {@code *} metadata keys in sorted key order, each length-prefixed so that no two
   * identities share an encoding.
   *
   * @param rule the applied rule; not null
   * @param requestKey the request key; not null
   * @param metadata the request metadata; not null when the rule has {@code *} keys
   * @return the counter key, a fresh array
   * @throws IllegalArgumentException when the request lacks a {@code *} key the rule needs (it
   *     could not have matched)
   */
  public static byte[] counterKey(LimitRule rule, String requestKey, Map<String, String> metadata) {
    byte[] id = rule.id().getBytes(StandardCharsets.UTF_8);
    byte[] key = requestKey.getBytes(StandardCharsets.UTF_8);
    List<String> wildcards = rule.wildcardMetadataKeys();
    VarCodec.Writer out = new VarCodec.Writer(id.length + key.length + 4 + 16 * wildcards.size());
    out.writeBytes(id).writeBytes(key);
    for (String k : wildcards) {
      String v = metadata.get(k);
      if (v == null) {
        throw new IllegalArgumentException(
            "request lacks metadata key '" + k + "' required by rule " + rule.id());
      }
      out.writeBytes(v.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  /**
   * Evaluates a valid request ({@code 1 <= cost <= 1e9}, {@code 0 <= timeMs <= 2^53}) under {@code
   * rule} and returns the decision and the counter to store.
   *
   * <p>Cost: one decode and one encode of the counter, allocating the new counter bytes and the
   * verdict. Constant for three algorithms; for {@code SLIDING_WINDOW} proportional to the entries
   * in its log (at most {@code limit}, itself at most 10,000), since the log is read and written
   * whole. The arguments are not range-checked here (validate them first, e.g. with {@code
   * RequestValidator}); outside those ranges the arithmetic is not guaranteed.
   *
   * @param rule the applied rule; not null
   * @param stored the counter bytes last returned for this counter key, or null when none
   * @param requestId the correlation id, echoed in the verdict
   * @param key the request key, echoed in the verdict
   * @param cost permits the request asks for, {@code 1..1e9}
   * @param timeMs the request time in ms, {@code 0..2^53}
   * @return the verdict (shadow mode applied) and the counter to store; never null
   * @throws IllegalArgumentException when {@code stored} is not a counter this class wrote
   *     (truncated, trailing bytes, an unknown tag)
   */
  public static Evaluation evaluate(
      LimitRule rule, byte[] stored, String requestId, String key, long cost, long timeMs) {
    return switch (rule.algorithm()) {
      case FIXED_WINDOW -> run(FixedWindow.INSTANCE, rule, stored, requestId, key, cost, timeMs);
      case SLIDING_WINDOW ->
          run(SlidingWindowLog.INSTANCE, rule, stored, requestId, key, cost, timeMs);
      case SLIDING_WINDOW_COUNTER ->
          run(SlidingWindowCounter.INSTANCE, rule, stored, requestId, key, cost, timeMs);
      case TOKEN_BUCKET -> run(TokenBucket.INSTANCE, rule, stored, requestId, key, cost, timeMs);
    };
  }

  private static <S> Evaluation run(
      RateAlgorithm<S> algorithm,
      LimitRule rule,
      byte[] stored,
      String requestId,
      String key,
      long cost,
      long timeMs) {
    long windowMs = rule.windowMillis();
    S state = null;
    if (stored != null) {
      VarCodec.Reader in = new VarCodec.Reader(stored);
      int tag = in.readByte();
      long generation = in.readVarLong();
      long storedWindow = in.readVarLong();
      if (tag == tag(rule.algorithm())
          && generation == rule.generation()
          && storedWindow == windowMs) {
        state = algorithm.decode(in);
        if (!in.atEnd()) {
          throw new IllegalArgumentException("trailing bytes in counter state");
        }
      }
    }
    Step<S> step = algorithm.apply(state, rule.limit(), windowMs, cost, timeMs);
    VarCodec.Writer out = new VarCodec.Writer(32);
    out.writeByte(tag(rule.algorithm())).writeVarLong(rule.generation()).writeVarLong(windowMs);
    algorithm.encode(step.state(), out);
    Verdict verdict =
        new Verdict(
            requestId,
            key,
            step.allowed() || rule.shadow(),
            step.allowed() ? Reason.ALLOWED : Reason.RATE_LIMITED,
            rule.id(),
            rule.limit(),
            step.remaining(),
            step.resetAfterMs(),
            step.retryAfterMs(),
            step.allowed() ? cost : 0,
            0,
            step.effectiveTime(),
            rule.shadow(),
            null);
    return new Evaluation(out.toByteArray(), verdict);
  }

  /**
   * The time from which a stored counter is idle: a fresh counter would decide every request at or
   * after it exactly as this one does, so a store may drop the counter once its clock (stream time)
   * passes this.
   *
   * @param counter counter bytes returned by {@link #evaluate}; not null
   * @return that time in epoch ms
   * @throws IllegalArgumentException when {@code counter} is not a counter this class wrote
   */
  public static long idleAfterMs(byte[] counter) {
    VarCodec.Reader in = new VarCodec.Reader(counter);
    int tag = in.readByte();
    in.readVarLong(); // generation
    long windowMs = in.readVarLong();
    return switch (algorithmOf(tag)) {
      case FIXED_WINDOW ->
          FixedWindow.INSTANCE.idleAfter(FixedWindow.INSTANCE.decode(in), windowMs);
      case SLIDING_WINDOW ->
          SlidingWindowLog.INSTANCE.idleAfter(SlidingWindowLog.INSTANCE.decode(in), windowMs);
      case SLIDING_WINDOW_COUNTER ->
          SlidingWindowCounter.INSTANCE.idleAfter(
              SlidingWindowCounter.INSTANCE.decode(in), windowMs);
      case TOKEN_BUCKET ->
          TokenBucket.INSTANCE.idleAfter(TokenBucket.INSTANCE.decode(in), windowMs);
    };
  }

  // Tags are persisted in changelogs: never renumber them.
  private static int tag(Algorithm algorithm) {
    return switch (algorithm) {
      case FIXED_WINDOW -> 1;
      case SLIDING_WINDOW -> 2;
      case SLIDING_WINDOW_COUNTER -> 3;
      case TOKEN_BUCKET -> 4;
    };
  }

  private static Algorithm algorithmOf(int tag) {
    return switch (tag) {
      case 1 -> Algorithm.FIXED_WINDOW;
      case 2 -> Algorithm.SLIDING_WINDOW;
      case 3 -> Algorithm.SLIDING_WINDOW_COUNTER;
      case 4 -> Algorithm.TOKEN_BUCKET;
      default -> throw new IllegalArgumentException("unknown counter tag " + tag);
    };
  }
}
