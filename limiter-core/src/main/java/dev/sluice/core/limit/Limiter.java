package dev.sluice.core.limit;

import dev.sluice.core.Algorithm;
import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import dev.sluice.core.rule.LimitRule;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Applies a rule to one request against its counters (SPEC 4, 5 and 6). Pure and thread-safe: the
 * stored counters come in as bytes and the new counters go out as bytes, and time is an argument.
 *
 * <p>Design note. A rule has one counter per limit, under {@link #counterKey(LimitRule, int,
 * String, Map)}. All of a rule's counters are read at one effective time {@code t'}, the request
 * time moved forward to the latest clock among them; each algorithm then reports what its limit
 * allows there ({@link RateAlgorithm#largestCost}), the request is allowed iff every limit allows
 * its cost, and then every limit is charged the same {@code granted}. Nothing is charged otherwise,
 * but every counter is still written with its clock at {@code t'} (SPEC 4) unless the cost is 0.
 *
 * <p>Counter bytes (unchanged since the first release, so a one-limit rule's counters read the same
 * on every version): one tag byte naming the algorithm, then varints: the generation of the limit
 * the counter was written under, the window in ms, and the algorithm's state. A counter whose tag,
 * generation or window differ from its limit's is treated as absent: that is how a rule update that
 * changes a limit's algorithm or window, or a delete and re-create, starts fresh counters (SPEC 4)
 * without touching the store. With generations below 2^49 a counter takes at most 32 bytes for
 * every algorithm but {@code SLIDING_WINDOW}, whose log holds at most {@code limit} entries.
 */
public final class Limiter {
  /**
   * Marks a counter key of limit index 1 or more: a length-prefixed element holding {@code 0xFF},
   * which no UTF-8 text contains, so it can never be read as part of an index-0 key.
   */
  private static final int INDEX_MARK = 0xFF;

  private Limiter() {}

  /**
   * The result of one evaluation.
   *
   * @param counters the counters to store, one per limit index (a denied first request creates them
   *     too); null when nothing is to be stored, which is the case exactly for a cost of 0
   * @param verdict the decision
   */
  public record Evaluation(byte[][] counters, Verdict verdict) {
    /**
     * Limit index 0's new counter, the only one of a one-limit rule.
     *
     * @return {@code counters()[0]}, or null when nothing is to be stored
     */
    public byte[] counter() {
      return counters == null ? null : counters[0];
    }
  }

  /**
   * The counter identity of SPEC 4 for limit index 0 as bytes: rule id, request key, then the
   * request's values of the rule's {@code *} metadata keys in sorted key order, each
   * length-prefixed so that no two identities share an encoding. This layout is persisted: it is
   * the one every release has used, so counters of the top-level form survive upgrades.
   *
   * @param rule the applied rule; not null
   * @param requestKey the request key; not null
   * @param metadata the request metadata; not null when the rule has {@code *} keys
   * @return the counter key, a fresh array
   * @throws IllegalArgumentException when the request lacks a {@code *} key the rule needs (it
   *     could not have matched)
   */
  public static byte[] counterKey(LimitRule rule, String requestKey, Map<String, String> metadata) {
    return counterKey(rule, 0, requestKey, metadata);
  }

  /**
   * The counter identity of SPEC 4 as bytes for limit {@code index}: index 0's key (see {@link
   * #counterKey(LimitRule, String, Map)}), then for an index of 1 or more the bytes {@code 02 FF
   * index}. Read as index 0's layout that suffix would be one more length-prefixed element, whose
   * {@code FF} byte no UTF-8 string holds: so no key of index 1 or more equals any key of index 0,
   * and all counters of one rule and request key share the prefix of id and key.
   *
   * @param rule the applied rule; not null
   * @param index the limit index, {@code 0..rule.limits().size()-1}
   * @param requestKey the request key; not null
   * @param metadata the request metadata; not null when the rule has {@code *} keys
   * @return the counter key, a fresh array
   * @throws IllegalArgumentException when the request lacks a {@code *} key the rule needs, or
   *     {@code index} is not one of the rule's limits
   */
  public static byte[] counterKey(
      LimitRule rule, int index, String requestKey, Map<String, String> metadata) {
    if (index < 0 || index >= rule.limits().size()) {
      throw new IllegalArgumentException("rule " + rule.id() + " has no limit index " + index);
    }
    byte[] id = rule.id().getBytes(StandardCharsets.UTF_8);
    byte[] key = requestKey.getBytes(StandardCharsets.UTF_8);
    List<String> wildcards = rule.wildcardMetadataKeys();
    VarCodec.Writer out = new VarCodec.Writer(id.length + key.length + 7 + 16 * wildcards.size());
    out.writeBytes(id).writeBytes(key);
    for (String k : wildcards) {
      String v = metadata.get(k);
      if (v == null) {
        throw new IllegalArgumentException(
            "request lacks metadata key '" + k + "' required by rule " + rule.id());
      }
      out.writeBytes(v.getBytes(StandardCharsets.UTF_8));
    }
    if (index > 0) {
      out.writeByte(2).writeByte(INDEX_MARK).writeByte(index);
    }
    return out.toByteArray();
  }

  /**
   * The counter keys of every limit of {@code rule}, by limit index: the same bytes as {@link
   * #counterKey(LimitRule, int, String, Map)} gives for each index, with the shared prefix (rule
   * id, request key, {@code *} values) encoded once.
   *
   * @param rule the applied rule; not null
   * @param requestKey the request key; not null
   * @param metadata the request metadata; not null when the rule has {@code *} keys
   * @return one fresh array per limit index
   * @throws IllegalArgumentException when the request lacks a {@code *} key the rule needs
   */
  public static byte[][] counterKeys(
      LimitRule rule, String requestKey, Map<String, String> metadata) {
    int n = rule.limits().size();
    byte[][] keys = new byte[n][];
    keys[0] = counterKey(rule, 0, requestKey, metadata);
    for (int i = 1; i < n; i++) {
      byte[] k = Arrays.copyOf(keys[0], keys[0].length + 3);
      k[k.length - 3] = 2;
      k[k.length - 2] = (byte) INDEX_MARK;
      k[k.length - 1] = (byte) i;
      keys[i] = k;
    }
    return keys;
  }

  /**
   * Evaluates a valid request of cost 1 or more under a rule of one limit, charging {@code cost}
   * (no partial grant). Same as {@link #evaluate(LimitRule, byte[][], String, String, long, long,
   * long)} with one counter and {@code maxCost = cost}.
   *
   * @param rule the applied rule, of exactly one limit; not null
   * @param stored the counter bytes last returned for its counter key, or null when none
   * @param requestId the correlation id, echoed in the verdict
   * @param key the request key, echoed in the verdict
   * @param cost permits the request asks for, {@code 0..1e9}
   * @param timeMs the request time in ms, {@code 0..2^53}
   * @return the verdict (shadow mode applied) and the counter to store
   * @throws IllegalArgumentException when the rule has several limits, or {@code stored} is not a
   *     counter this class wrote
   */
  public static Evaluation evaluate(
      LimitRule rule, byte[] stored, String requestId, String key, long cost, long timeMs) {
    if (rule.limits().size() != 1) {
      throw new IllegalArgumentException(
          "rule " + rule.id() + " has " + rule.limits().size() + " limits: pass every counter");
    }
    return evaluate(rule, new byte[][] {stored}, requestId, key, cost, cost, timeMs);
  }

  /**
   * Evaluates a valid request ({@code 0 <= cost <= 1e9}, {@code maxCost} as SPEC 2 allows it,
   * {@code 0 <= timeMs <= 2^53}) under {@code rule} and returns the decision and the counters to
   * store.
   *
   * <p>Cost: one decode and one encode per limit, allocating the new counter bytes and the verdict.
   * Constant per limit for three algorithms; for {@code SLIDING_WINDOW} proportional to the entries
   * in its log (at most {@code limit}, itself at most 10,000), since the log is read and written
   * whole. The arguments are not range-checked here (validate them first, e.g. with {@code
   * RequestValidator}); outside those ranges the arithmetic is not guaranteed.
   *
   * @param rule the applied rule; not null
   * @param stored per limit index, the counter bytes last returned for that index's counter key, or
   *     null when none; exactly one entry per limit
   * @param requestId the correlation id, echoed in the verdict
   * @param key the request key, echoed in the verdict
   * @param cost permits the request asks for, {@code 0..1e9}
   * @param maxCost the most permits it accepts: 0 when {@code cost} is 0, else {@code cost..1e9}
   * @param timeMs the request time in ms, {@code 0..2^53}
   * @return the verdict (shadow mode applied) and the counters to store; never null
   * @throws IllegalArgumentException when {@code stored} does not have one entry per limit or holds
   *     bytes that are not a counter this class wrote (truncated, trailing bytes, an unknown tag)
   */
  public static Evaluation evaluate(
      LimitRule rule,
      byte[][] stored,
      String requestId,
      String key,
      long cost,
      long maxCost,
      long timeMs) {
    List<LimitRule.Limit> limits = rule.limits();
    int n = limits.size();
    if (stored.length != n) {
      throw new IllegalArgumentException(
          "rule " + rule.id() + " has " + n + " limits, got " + stored.length + " counters");
    }
    Slot<?>[] slots = new Slot<?>[n];
    long t = timeMs;
    for (int i = 0; i < n; i++) {
      slots[i] = slot(algorithm(limits.get(i).algorithm()), limits.get(i), stored[i]);
      t = Math.max(t, slots[i].clock(t));
    }
    boolean allowed = true;
    long granted = maxCost;
    for (Slot<?> slot : slots) {
      long g = slot.moveTo(t);
      if (cost > g) {
        allowed = false;
      }
      granted = Math.min(granted, g);
    }
    int binding = 0;
    long retry = 0;
    if (allowed) {
      long least = Long.MAX_VALUE;
      for (int i = 0; i < n; i++) {
        if (granted > 0) {
          slots[i].charge(granted);
        }
        long remaining = slots[i].remaining();
        if (remaining < least) {
          least = remaining;
          binding = i;
        }
      }
    } else {
      granted = 0;
      long longest = -1;
      boolean never = false;
      for (int i = 0; i < n; i++) {
        Slot<?> slot = slots[i];
        if (cost <= slot.g) {
          continue;
        }
        if (cost > slot.limit.limit()) {
          if (!never) {
            never = true;
            binding = i;
          }
        } else if (!never) {
          long w = slot.leastWait(cost);
          if (w > longest) {
            longest = w;
            binding = i;
          }
        }
      }
      retry = never ? -1 : longest;
    }
    Slot<?> b = slots[binding];
    Verdict verdict =
        new Verdict(
            requestId,
            key,
            allowed || rule.shadow(),
            allowed ? Reason.ALLOWED : Reason.RATE_LIMITED,
            rule.id(),
            b.limit.limit(),
            b.remaining(),
            b.resetAfter(),
            retry,
            granted,
            binding,
            t,
            rule.shadow(),
            null);
    byte[][] counters = null;
    if (cost > 0) {
      counters = new byte[n][];
      for (int i = 0; i < n; i++) {
        counters[i] = slots[i].encode();
      }
    }
    return new Evaluation(counters, verdict);
  }

  private static <S> Slot<S> slot(RateAlgorithm<S> algorithm, LimitRule.Limit limit, byte[] bytes) {
    return new Slot<>(algorithm, limit, bytes);
  }

  /** One limit's counter during an evaluation. */
  private static final class Slot<S> {
    final RateAlgorithm<S> algorithm;
    final LimitRule.Limit limit;
    final long windowMs;

    /** The stored state when it belongs to this limit, else null (absent); then the state at t'. */
    S state;

    /** The largest cost allowed at t'. */
    long g;

    Slot(RateAlgorithm<S> algorithm, LimitRule.Limit limit, byte[] bytes) {
      this.algorithm = algorithm;
      this.limit = limit;
      this.windowMs = limit.windowMillis();
      if (bytes != null) {
        VarCodec.Reader in = new VarCodec.Reader(bytes);
        int tag = in.readByte();
        long generation = in.readVarLong();
        long storedWindow = in.readVarLong();
        if (tag == tag(limit.algorithm())
            && generation == limit.generation()
            && storedWindow == windowMs) {
          state = algorithm.decode(in);
          if (!in.atEnd()) {
            throw new IllegalArgumentException("trailing bytes in counter state");
          }
        }
      }
    }

    /** The counter's clock, or {@code otherwise} when it is absent. */
    long clock(long otherwise) {
      return state == null ? otherwise : algorithm.lastTime(state);
    }

    long moveTo(long t) {
      state = algorithm.at(state, limit.limit(), windowMs, t);
      g = algorithm.largestCost(state, limit.limit(), windowMs);
      return g;
    }

    void charge(long x) {
      state = algorithm.charge(state, x, windowMs);
    }

    long remaining() {
      return algorithm.remaining(state, limit.limit(), windowMs);
    }

    long resetAfter() {
      return algorithm.resetAfter(state, limit.limit(), windowMs);
    }

    long leastWait(long cost) {
      return algorithm.leastWait(state, limit.limit(), windowMs, cost);
    }

    byte[] encode() {
      VarCodec.Writer out = new VarCodec.Writer(32);
      out.writeByte(tag(limit.algorithm())).writeVarLong(limit.generation()).writeVarLong(windowMs);
      algorithm.encode(state, out);
      return out.toByteArray();
    }
  }

  private static RateAlgorithm<?> algorithm(Algorithm algorithm) {
    return switch (algorithm) {
      case FIXED_WINDOW -> FixedWindow.INSTANCE;
      case SLIDING_WINDOW -> SlidingWindowLog.INSTANCE;
      case SLIDING_WINDOW_COUNTER -> SlidingWindowCounter.INSTANCE;
      case TOKEN_BUCKET -> TokenBucket.INSTANCE;
    };
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
