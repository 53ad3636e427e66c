package dev.sluice.core.limit;

import dev.sluice.core.Algorithm;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * A deliberately naive model of one counter, written straight from SPEC 5 for tests: it keeps every
 * allowed request, recomputes sums from that history, uses BigInteger wherever a product appears,
 * and finds retryAfter by trying every wait in turn.
 */
public final class ReferenceCounter {
  public record Result(boolean allowed, long remaining, long reset, long retry, long time) {}

  private record Entry(long time, long cost) {}

  private final Algorithm algorithm;
  private long limit;
  private final long w;
  private final List<Entry> allowed = new ArrayList<>();
  private Long last;
  private BigInteger tokens; // token bucket: tokens * W
  private long tokensAt;

  public ReferenceCounter(Algorithm algorithm, long limit, long windowMs) {
    this.algorithm = algorithm;
    this.limit = limit;
    this.w = windowMs;
  }

  public void setLimit(long newLimit) {
    this.limit = newLimit;
  }

  public Result apply(long t, long cost) {
    long now = last == null ? t : Math.max(t, last);
    Result r = evaluate(now, cost, true);
    last = now;
    return r;
  }

  private Result evaluate(long now, long cost, boolean commit) {
    switch (algorithm) {
      case FIXED_WINDOW:
        {
          long s = Math.floorDiv(now, w) * w;
          long used = sum(s, s + w - 1);
          boolean ok = used + cost <= limit;
          if (ok && commit) {
            allowed.add(new Entry(now, cost));
          }
          long after = ok ? used + cost : used;
          return new Result(
              ok, Math.max(0, limit - after), s + w - now, commit ? retry(now, cost, ok) : 0, now);
        }
      case SLIDING_WINDOW:
        {
          long used = sum(now - w + 1, now);
          boolean ok = used + cost <= limit;
          if (ok && commit) {
            allowed.add(new Entry(now, cost));
          }
          long after = ok ? used + cost : used;
          long oldest = Long.MAX_VALUE;
          for (Entry e : allowed) {
            if (e.time > now - w && e.time <= now) {
              oldest = Math.min(oldest, e.time);
            }
          }
          if (ok && !commit) {
            oldest = Math.min(oldest, now);
          }
          long reset = oldest == Long.MAX_VALUE ? 0 : oldest + w - now;
          return new Result(
              ok, Math.max(0, limit - after), reset, commit ? retry(now, cost, ok) : 0, now);
        }
      case SLIDING_WINDOW_COUNTER:
        {
          long s = Math.floorDiv(now, w) * w;
          long cur = sum(s, s + w - 1);
          long prev = sum(s - w, s - 1);
          long e = now - s;
          BigInteger lhs = big(prev).multiply(big(w - e)).add(big(cur + cost).multiply(big(w)));
          boolean ok = lhs.compareTo(big(limit).multiply(big(w))) <= 0;
          if (ok && commit) {
            allowed.add(new Entry(now, cost));
          }
          long curAfter = ok ? cur + cost : cur;
          BigInteger rem =
              big(limit)
                  .multiply(big(w))
                  .subtract(big(prev).multiply(big(w - e)))
                  .subtract(big(curAfter).multiply(big(w)));
          long remaining = Math.max(0, floorDiv(rem, big(w)).longValueExact());
          return new Result(ok, remaining, s + w - now, commit ? retry(now, cost, ok) : 0, now);
        }
      case TOKEN_BUCKET:
        {
          BigInteger cap = big(limit).multiply(big(w));
          BigInteger s =
              tokens == null ? cap : tokens.add(big(now - tokensAt).multiply(big(limit))).min(cap);
          BigInteger need = big(cost).multiply(big(w));
          boolean ok = s.compareTo(need) >= 0;
          if (ok) {
            s = s.subtract(need);
          }
          if (commit) {
            tokens = s;
            tokensAt = now;
          }
          long reset = limit == 0 ? 0 : ceilDiv(cap.subtract(s), big(limit)).longValueExact();
          long retry = commit ? retryTokens(ok, s, need, cost) : 0;
          return new Result(ok, s.divide(big(w)).longValueExact(), reset, retry, now);
        }
      default:
        throw new AssertionError(algorithm);
    }
  }

  private long retryTokens(boolean ok, BigInteger s, BigInteger need, long cost) {
    if (ok) {
      return 0;
    }
    if (cost > limit) {
      return -1;
    }
    // Smallest d with s + d*L >= need, found by trying waits in turn.
    for (long d = 1; ; d++) {
      if (s.add(big(d).multiply(big(limit))).compareTo(need) >= 0) {
        return d;
      }
    }
  }

  /** Tries every wait in turn: the least d after which the same request would pass. */
  private long retry(long now, long cost, boolean ok) {
    if (ok) {
      return 0;
    }
    if (cost > limit) {
      return -1;
    }
    for (long d = 1; d <= 3 * w; d++) {
      if (evaluate(now + d, cost, false).allowed()) {
        return d;
      }
    }
    throw new AssertionError("never allowed within 3 windows");
  }

  private long sum(long from, long to) {
    long total = 0;
    for (Entry e : allowed) {
      if (e.time >= from && e.time <= to) {
        total += e.cost;
      }
    }
    return total;
  }

  private static BigInteger big(long v) {
    return BigInteger.valueOf(v);
  }

  private static BigInteger floorDiv(BigInteger a, BigInteger b) {
    BigInteger[] qr = a.divideAndRemainder(b);
    return qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
  }

  private static BigInteger ceilDiv(BigInteger a, BigInteger b) {
    return floorDiv(a.negate(), b).negate();
  }
}
