/**
 * Wire codecs between Kafka record bytes and Sluice's values: Avro single-object encoding of the
 * generated {@code dev.sluice.avro} classes ({@link dev.sluice.schema.AvroCodec}), rules in Avro or
 * JSON to the core validator ({@link dev.sluice.schema.RuleCodec}), requests in Avro or JSON
 * ({@link dev.sluice.schema.RequestCodec}), and the one mapping between core verdicts and Avro
 * decisions with their plain JSON rendering ({@link dev.sluice.schema.DecisionCodec}).
 *
 * <p>On the service's per-request path, requests are read and decisions written straight from and
 * to the bytes ({@code RequestDecoder}, {@code DecisionEncoder}), with results identical to the
 * Avro path, which stays the reference and takes every value the direct code is not sure about.
 *
 * <p>Bytes that cannot be decoded at all raise {@link dev.sluice.schema.CodecException}; content
 * that decodes but breaks a rule of the SPEC is reported as a value, never thrown.
 */
package dev.sluice.schema;
