/**
 * Wire codecs between Kafka record bytes and Sluice's values: Avro single-object encoding of the
 * generated {@code dev.sluice.avro} classes, and the JSON forms of rules and requests.
 */
package dev.sluice.schema;
