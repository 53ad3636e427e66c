package dev.sluice.client;

import dev.sluice.core.request.RequestValidator;
import java.util.Map;

/**
 * One check, validated against SPEC 2 when built. Immutable; the metadata is copied.
 *
 * <p>Three kinds of check, by {@code cost} and {@code maxCost}: a plain check spends exactly {@code
 * cost} permits ({@code maxCost == cost}, the default); a partial-grant check takes as many permits
 * as every limit of the rule allows, at least {@code cost} and at most {@code maxCost} ({@link
 * #withMaxCost}; the decision's {@link ClientDecision#granted()} says how many); a check-only
 * request ({@code cost} 0, {@code maxCost} 0) asks whether the rule is over its limit and spends
 * nothing.
 *
 * @param id the correlation id (1-128 characters), or null to let the client generate a unique one;
 *     an id must not be reused while a check with it is in flight
 * @param key the rate-limited key, 1-512 characters
 * @param metadata request attributes rules may constrain, at most 64 entries (never null; empty
 *     when none)
 * @param cost permits to spend, 0 to 1,000,000,000; 0 only checks
 * @param maxCost the most permits to take: exactly 0 when {@code cost} is 0, else {@code cost} to
 *     1,000,000,000
 */
public record CheckRequest(
    String id, String key, Map<String, String> metadata, long cost, long maxCost) {

  /**
   * Validates and copies.
   *
   * @param id the correlation id (1-128 characters), or null for a generated one
   * @param key the rate-limited key, 1-512 characters
   * @param metadata at most 64 entries with non-null keys and values, or null for none
   * @param cost permits to spend, 0 to 1,000,000,000; 0 only checks
   * @param maxCost the most permits to take: exactly 0 when {@code cost} is 0, else {@code cost} to
   *     1,000,000,000
   * @throws IllegalArgumentException naming the offending field, its value and the constraint
   */
  public CheckRequest {
    metadata = metadata == null ? Map.of() : Map.copyOf(checkedMetadata(metadata));
    String error = validate(id, key, metadata, cost, maxCost);
    if (error != null) {
      throw new IllegalArgumentException(error);
    }
  }

  /**
   * A check that takes exactly {@code cost} permits ({@code maxCost} equal to {@code cost}).
   *
   * @param id the correlation id (1-128 characters), or null for a generated one
   * @param key the rate-limited key, 1-512 characters
   * @param metadata at most 64 entries with non-null keys and values, or null for none
   * @param cost permits to spend, 0 to 1,000,000,000; 0 only checks
   * @throws IllegalArgumentException naming the offending field, its value and the constraint
   */
  public CheckRequest(String id, String key, Map<String, String> metadata, long cost) {
    this(id, key, metadata, cost, cost);
  }

  /**
   * A check of {@code key} with no metadata, cost 1 and a generated id.
   *
   * @param key the rate-limited key, 1-512 characters
   * @return the validated check
   * @throws IllegalArgumentException when {@code key} is null, empty or too long
   */
  public static CheckRequest of(String key) {
    return new CheckRequest(null, key, Map.of(), 1);
  }

  /**
   * A check with a generated id.
   *
   * @param key the rate-limited key, 1-512 characters
   * @param metadata at most 64 entries, or null for none; copied
   * @param cost permits to spend, 0 to 1,000,000,000; 0 only checks
   * @return the validated check
   * @throws IllegalArgumentException naming the offending field, its value and the constraint
   */
  public static CheckRequest of(String key, Map<String, String> metadata, long cost) {
    return new CheckRequest(null, key, metadata, cost);
  }

  /**
   * The same check with another correlation id.
   *
   * @param newId the id (1-128 characters), or null to have the client generate one
   * @return a new check; this one is unchanged
   * @throws IllegalArgumentException when {@code newId} is empty or longer than 128 characters
   */
  public CheckRequest withId(String newId) {
    return new CheckRequest(newId, key, metadata, cost, maxCost);
  }

  /**
   * The same check, accepting a partial grant: the service charges as many permits as every limit
   * of the rule allows, at least {@link #cost()} and at most {@code newMaxCost}, and reports them
   * in {@link ClientDecision#granted()}. When fewer than {@code cost} are available the check is
   * denied and charges nothing, as any other.
   *
   * @param newMaxCost the most permits to take: {@link #cost()} to 1,000,000,000, or exactly 0 for
   *     a check-only request (cost 0)
   * @return a new check; this one is unchanged
   * @throws IllegalArgumentException when {@code newMaxCost} is out of that range, naming {@code
   *     maxCost}
   */
  public CheckRequest withMaxCost(long newMaxCost) {
    return new CheckRequest(id, key, metadata, cost, newMaxCost);
  }

  /** SPEC 2 checks with {@code maxCost} at its default ({@code cost}); null when valid. */
  static String validate(String id, String key, Map<String, String> metadata, long cost) {
    return validate(id, key, metadata, cost, cost);
  }

  /**
   * SPEC 2 checks, in its field order; null when valid. A null id is valid here (the client
   * generates one).
   */
  static String validate(
      String id, String key, Map<String, String> metadata, long cost, long maxCost) {
    // id, key and metadata by the shared validator; cost and maxCost here, by SPEC 2 version 2
    // (cost 0 is a check-only request, maxCost bounded by cost).
    String error = RequestValidator.check(id == null ? "generated" : id, key, metadata, null, 0L);
    if (error != null) {
      return error;
    }
    long max = RequestValidator.MAX_COST;
    if (cost < 0 || cost > max) {
      return "cost: must be 0 to " + max + " (got " + cost + ")";
    }
    if (cost == 0 && maxCost != 0) {
      return "maxCost: must be 0 when cost is 0 (got " + maxCost + ")";
    }
    if (cost > 0 && (maxCost < cost || maxCost > max)) {
      return "maxCost: must be cost (" + cost + ") to " + max + " (got " + maxCost + ")";
    }
    return null;
  }

  private static Map<String, String> checkedMetadata(Map<String, String> metadata) {
    // Map.copyOf throws a bare NullPointerException on null entries; name the field instead.
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        throw new IllegalArgumentException(
            "metadata: keys and values must be non-null strings (got "
                + e.getKey()
                + "="
                + e.getValue()
                + ")");
      }
    }
    return metadata;
  }
}
