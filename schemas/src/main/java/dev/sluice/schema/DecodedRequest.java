package dev.sluice.schema;

import java.util.Map;

/**
 * A request as decoded from the wire, before SPEC 2's range checks. Fields that had the wrong JSON
 * type are null here and reported in {@link #typeError}; range checks are the caller's job ({@code
 * RequestValidator.check}) because they need the record's time and key too.
 *
 * @param id the correlation id, or null when absent or not a string
 * @param key the request key, or null when absent or not a string
 * @param metadata the metadata, never null (empty when absent), unmodifiable
 * @param cost the cost, or null when absent (meaning 1) or not an integer
 * @param maxCost the most permits the caller accepts, or null when absent (meaning {@code cost}) or
 *     not an integer; always null in requests written before contract version 2
 * @param replyTopic the requested reply topic, or null
 * @param replyPartition the requested reply partition, or null
 * @param typeError the first field (in the order id, key, metadata, cost, maxCost, replyTopic,
 *     replyPartition) whose JSON type was wrong, as {@code field: reason (got value)}; else null
 * @param typeErrorField the field {@code typeError} names ({@code metadata} for any entry), or null
 */
public record DecodedRequest(
    String id,
    String key,
    Map<String, String> metadata,
    Long cost,
    Long maxCost,
    String replyTopic,
    Integer replyPartition,
    String typeError,
    String typeErrorField) {

  /**
   * Copies {@code metadata} (null becomes empty).
   *
   * @param id the correlation id, or null
   * @param key the request key, or null
   * @param metadata the metadata, or null for none; copied
   * @param cost the cost, or null
   * @param maxCost the most permits the caller accepts, or null
   * @param replyTopic the requested reply topic, or null
   * @param replyPartition the requested reply partition, or null
   * @param typeError the first type error as {@code field: reason (got value)}, or null
   * @param typeErrorField the field {@code typeError} names; null exactly when {@code typeError} is
   * @throws IllegalArgumentException when only one of {@code typeError} and {@code typeErrorField}
   *     is given
   * @throws NullPointerException when {@code metadata} holds a null key or value (the codecs report
   *     those as a type error instead of building one)
   */
  public DecodedRequest {
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    if ((typeError == null) != (typeErrorField == null)) {
      throw new IllegalArgumentException("typeError and typeErrorField go together");
    }
  }
}
