package dev.sluice.client;

import dev.sluice.core.request.RequestValidator;
import java.util.Map;

/**
 * One check, validated against SPEC 2 when built. Immutable; the metadata is copied.
 *
 * @param id the correlation id (1-128 characters), or null to let the client generate a unique one;
 *     an id must not be reused while a check with it is in flight
 * @param key the rate-limited key, 1-512 characters
 * @param metadata request attributes rules may constrain, at most 64 entries (never null; empty
 *     when none)
 * @param cost permits to spend, 0 (a check that charges nothing) to 1,000,000,000
 */
public record CheckRequest(String id, String key, Map<String, String> metadata, long cost) {

  /**
   * Validates and copies.
   *
   * @param id the correlation id (1-128 characters), or null for a generated one
   * @param key the rate-limited key, 1-512 characters
   * @param metadata at most 64 entries with non-null keys and values, or null for none
   * @param cost permits to spend, 0 (a check that charges nothing) to 1,000,000,000
   * @throws IllegalArgumentException naming the offending field, its value and the constraint
   */
  public CheckRequest {
    metadata = metadata == null ? Map.of() : Map.copyOf(checkedMetadata(metadata));
    String error = validate(id, key, metadata, cost);
    if (error != null) {
      throw new IllegalArgumentException(error);
    }
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
   * @param cost permits to spend, 0 (a check that charges nothing) to 1,000,000,000
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
    return new CheckRequest(newId, key, metadata, cost);
  }

  /** SPEC 2 checks; null when valid. A null id is valid here (the client generates one). */
  static String validate(String id, String key, Map<String, String> metadata, long cost) {
    return RequestValidator.check(id == null ? "generated" : id, key, metadata, cost, 0L);
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
