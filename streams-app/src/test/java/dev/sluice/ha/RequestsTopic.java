package dev.sluice.ha;

import dev.sluice.schema.DecodedRequest;
import dev.sluice.schema.RequestCodec;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The requests topic read from the beginning to its current end: the ids of the requests that were
 * actually written (a check whose send failed, or was still buffered, may or may not be there),
 * which is what "every request gets a decision" is measured against.
 */
final class RequestsTopic {
  /**
   * One request record.
   *
   * @param timestamp the broker's LogAppendTime
   */
  record Written(String id, String key, int partition, long offset, long timestamp) {}

  /**
   * Requests by id (the first record of each), how many records carry each id (more than one when a
   * producer wrote a request twice), and how many records were not decodable requests (fuzz input).
   */
  record Contents(
      Map<String, Written> byId, Map<String, Integer> copies, long undecodable, long total) {}

  private RequestsTopic() {}

  static Contents read(String bootstrapServers, String topic, int partitions) {
    Map<String, Written> byId = new HashMap<>();
    Map<String, Integer> copies = new HashMap<>();
    AtomicLong undecodable = new AtomicLong();
    AtomicLong total = new AtomicLong();
    TopicReader.readToEnd(
        bootstrapServers,
        topic,
        partitions,
        "ha-requests-reader",
        Map.of(),
        r -> {
          total.incrementAndGet();
          try {
            DecodedRequest req = RequestCodec.decode(r.value());
            if (req.id() != null) {
              byId.putIfAbsent(
                  req.id(),
                  new Written(req.id(), req.key(), r.partition(), r.offset(), r.timestamp()));
              copies.merge(req.id(), 1, Integer::sum);
            }
          } catch (RuntimeException e) {
            undecodable.incrementAndGet();
          }
        });
    return new Contents(byId, copies, undecodable.get(), total.get());
  }
}
