package dev.sluice.core.request;

import java.util.Map;

/**
 * Checks a decoded request against SPEC 2. Lengths are {@link String#length()}: UTF-16 code units,
 * so a character outside the Basic Multilingual Plane counts twice.
 */
public final class RequestValidator {
  /** Largest id length in characters. */
  public static final int MAX_ID_LENGTH = 128;

  /** Largest key length in characters. */
  public static final int MAX_KEY_LENGTH = 512;

  /** Most metadata entries a request may carry. */
  public static final int MAX_METADATA_ENTRIES = 64;

  /** Largest cost. */
  public static final long MAX_COST = 1_000_000_000L;

  /** Largest request time, 2^53 ms. */
  public static final long MAX_TIME_MS = 1L << 53;

  private RequestValidator() {}

  /**
   * Returns null when the request is valid, else a message naming the first offending field, the
   * value and the constraint, checking the fields in the order id, key, metadata, cost, maxCost,
   * timestampMs. {@code cost} null means the default 1, {@code maxCost} null the default {@code
   * cost}. Costs one pass over the metadata entries; allocates only the message. Never throws.
   *
   * @param id the correlation id; null is reported as missing
   * @param key the request key; null is reported as missing
   * @param metadata the request metadata; null is taken as empty
   * @param cost permits to spend, {@code 0..1e9}, or null for the default 1
   * @param maxCost the most permits accepted, or null for the default {@code cost}: exactly 0 when
   *     the cost is 0, else from the cost to 1e9
   * @param timeMs the request time in epoch milliseconds
   * @return null when valid, else a message of the form {@code field: constraint (got value)}
   */
  public static String check(
      String id, String key, Map<String, String> metadata, Long cost, Long maxCost, long timeMs) {
    if (id == null) {
      return "id: is required";
    }
    if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
      return "id: must be 1 to " + MAX_ID_LENGTH + " characters (got " + id.length() + ")";
    }
    if (key == null) {
      return "key: is required";
    }
    if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
      return "key: must be 1 to " + MAX_KEY_LENGTH + " characters (got " + key.length() + ")";
    }
    if (metadata != null && metadata.size() > MAX_METADATA_ENTRIES) {
      return "metadata: must have at most "
          + MAX_METADATA_ENTRIES
          + " entries (got "
          + metadata.size()
          + ")";
    }
    if (metadata != null) {
      for (Map.Entry<String, String> e : metadata.entrySet()) {
        if (e.getKey() == null || e.getValue() == null) {
          return "metadata: keys and values must be strings (got "
              + e.getKey()
              + "="
              + e.getValue()
              + ")";
        }
      }
    }
    if (cost != null && (cost < 0 || cost > MAX_COST)) {
      return "cost: must be 0 to " + MAX_COST + " (got " + cost + ")";
    }
    if (maxCost != null) {
      long c = effectiveCost(cost);
      if (c == 0 && maxCost != 0) {
        return "maxCost: must be 0 when cost is 0 (got " + maxCost + ")";
      }
      if (c > 0 && (maxCost < c || maxCost > MAX_COST)) {
        return "maxCost: must be cost (" + c + ") to " + MAX_COST + " (got " + maxCost + ")";
      }
    }
    if (timeMs < 0 || timeMs > MAX_TIME_MS) {
      return "timestampMs: must be 0 to " + MAX_TIME_MS + " (got " + timeMs + ")";
    }
    return null;
  }

  /**
   * As {@link #check(String, String, Map, Long, Long, long)} with {@code maxCost} absent.
   *
   * @param id the correlation id; null is reported as missing
   * @param key the request key; null is reported as missing
   * @param metadata the request metadata; null is taken as empty
   * @param cost permits to spend, or null for the default 1
   * @param timeMs the request time in epoch milliseconds
   * @return null when valid, else a message of the form {@code field: constraint (got value)}
   */
  public static String check(
      String id, String key, Map<String, String> metadata, Long cost, long timeMs) {
    return check(id, key, metadata, cost, null, timeMs);
  }

  /**
   * The most permits a request accepts: its own {@code maxCost}, or its cost when it gave none.
   *
   * @param cost the request's cost, or null when absent
   * @param maxCost the request's maxCost, or null when absent
   * @return {@code maxCost}, or {@link #effectiveCost} when it is null; not range-checked
   */
  public static long effectiveMaxCost(Long cost, Long maxCost) {
    return maxCost == null ? effectiveCost(cost) : maxCost;
  }

  /**
   * The cost a request spends: its own, or 1 when it gave none.
   *
   * @param cost the request's cost, or null when absent
   * @return {@code cost}, or 1 when it is null; not range-checked (see {@link #check})
   */
  public static long effectiveCost(Long cost) {
    return cost == null ? 1L : cost;
  }
}
