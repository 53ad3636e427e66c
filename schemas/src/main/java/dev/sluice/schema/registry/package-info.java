/**
 * Optional Confluent-compatible schema registry support for Sluice's Avro records, with no Kafka
 * dependency: plain {@code byte[]} in and out, so the Kafka-free side can use it too.
 *
 * <ul>
 *   <li>{@link dev.sluice.schema.registry.SchemaRegistryClient}: a small client of the Confluent
 *       Schema Registry REST API (register, look up, test compatibility) with bounded, expiring
 *       caches of schema-to-id and id-to-schema.
 *   <li>{@link dev.sluice.schema.registry.RegistryAvroCodec}: the Confluent wire format (magic byte
 *       {@code 0x00}, 4-byte big-endian schema id, Avro binary body), decoded with Avro schema
 *       resolution from the writer schema the id names to the generated class's schema.
 *   <li>{@link dev.sluice.schema.registry.WireFormat}: picks what to write (registry wire format
 *       when {@code sluice.schema.registry.url} is set, else the embedded single-object encoding)
 *       and sniffs what it reads, so a topic can carry both during a migration.
 * </ul>
 *
 * <p>Plugging into Kafka: a {@code Serializer<T>} / {@code Deserializer<T>} adapter just calls
 * {@link dev.sluice.schema.registry.WireFormat#encode} / {@link
 * dev.sluice.schema.registry.WireFormat#decode} (after handling a null tombstone and sniffing
 * JSON). A {@link dev.sluice.schema.CodecException} means the bytes are bad: dead-letter the
 * record. A {@link dev.sluice.schema.registry.SchemaRegistryException} that {@link
 * dev.sluice.schema.registry.SchemaRegistryException#isRetriable() is retriable} means the registry
 * is down: the record is fine, so fail or retry, never dead-letter it.
 *
 * <p>Tested against an HTTP test server replaying the documented protocol; not against a live
 * registry.
 */
package dev.sluice.schema.registry;
