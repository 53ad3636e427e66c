package dev.sluice.topology;

import dev.sluice.schema.DecodedRequest;
import dev.sluice.schema.RequestCodec;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Requests-topic values to {@link DecodedRequest}. Undecodable bytes throw, which sends the
 * record to the dead-letter topic through {@link DeadLetterDeserializationHandler}; wrong field
 * types do not throw (they become an INVALID_REQUEST decision).
 */
final class RequestDeserializer implements Deserializer<DecodedRequest> {
  @Override
  public DecodedRequest deserialize(String topic, byte[] data) {
    return RequestCodec.decode(data);
  }
}
