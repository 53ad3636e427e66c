package dev.sluice.topology;

import dev.sluice.schema.DecodedRequest;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Requests-topic values to {@link DecodedRequest}. Undecodable bytes throw, which sends the record
 * to the dead-letter topic through {@link DeadLetterDeserializationHandler}; wrong field types do
 * not throw (they become an INVALID_REQUEST decision). A registry that cannot answer throws a
 * retriable {@code SchemaRegistryException}, which the handler refuses to dead-letter.
 */
final class RequestDeserializer implements Deserializer<DecodedRequest> {
  private final RecordFormats formats;

  RequestDeserializer(RecordFormats formats) {
    this.formats = formats;
  }

  @Override
  public DecodedRequest deserialize(String topic, byte[] data) {
    return formats.decodeRequest(data);
  }
}
