package dev.sluice.app;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.limit.Limiter;
import dev.sluice.core.limit.VarCodec;
import dev.sluice.core.rule.LimitRule;
import dev.sluice.topology.RateLimiterTopology;
import dev.sluice.topology.RuleStore;
import dev.sluice.topology.SluiceConfig;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.LagInfo;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * {@code /counters?key=K[&meta.NAME=VALUE...]}: the counters of one request key, by interactive
 * query on the {@code sluice-counters} store.
 *
 * <p>The rule store says which rule applies to {@code K} with the given metadata; every counter of
 * that rule and key (one per value of the rule's {@code *} metadata keys) shares the prefix {@link
 * Limiter#counterKey} starts with, so a prefix scan finds them. The answer comes from this instance
 * when it hosts the key's partition, as the active task or as a standby (stale stores allowed; the
 * standby's offset lag is part of the answer). Otherwise it is a 307 redirect to the active host
 * when {@code application.server} tells where that is, or a 404 saying nobody here holds it.
 *
 * <p>Bound: at most {@link #MAX_COUNTERS} counters per answer ({@code "truncated": true} beyond).
 */
final class CountersQuery {
  static final int MAX_COUNTERS = 100;

  private final KafkaStreams streams;
  private final SluiceConfig config;

  CountersQuery(KafkaStreams streams, SluiceConfig config) {
    this.streams = streams;
    this.config = config;
  }

  /**
   * An HTTP answer.
   *
   * @param status HTTP status
   * @param body JSON body
   * @param location redirect target, or null
   */
  record Answer(int status, ObjectNode body, String location) {}

  Answer query(Map<String, String> params) {
    try {
      return doQuery(params);
    } catch (RuntimeException e) {
      return error(500, "counters query failed: " + e);
    }
  }

  private Answer doQuery(Map<String, String> params) {
    String key = params.get("key");
    if (key == null || key.isEmpty()) {
      return error(400, "give the request key: /counters?key=K (and meta.NAME=VALUE for metadata)");
    }
    Map<String, String> metadata = new TreeMap<>();
    params.forEach(
        (k, v) -> {
          if (k.startsWith("meta.") && k.length() > 5) {
            metadata.put(k.substring(5), v);
          }
        });
    RuleStore rules = SluiceInstance.ruleStore(streams);
    if (rules == null) {
      return error(503, "the rule store is not queryable yet (state " + streams.state() + ")");
    }
    ObjectNode body = RuleJson.MAPPER.createObjectNode();
    body.put("key", key);
    ObjectNode meta = body.putObject("metadata");
    metadata.forEach(meta::put);
    LimitRule rule = rules.match(key, metadata);
    if (rule == null) {
      body.putNull("rule");
      body.put("message", "no rule applies to this key and metadata, so it has no counters");
      return new Answer(404, body, null);
    }
    ObjectNode ruleJson = RuleJson.toJson(rule);
    ruleJson.put("generation", rule.generation());
    body.set("rule", ruleJson);

    KeyQueryMetadata where =
        streams.queryMetadataForKey(
            RateLimiterTopology.COUNTERS_STORE, key, Serdes.String().serializer());
    if (where == null || where.partition() < 0) {
      return error(503, "the key's partition is not known yet (state " + streams.state() + ")");
    }
    int partition = where.partition();
    body.put("partition", partition);
    String role = localRole(partition);
    if (role == null) {
      HostInfo active = where.activeHost();
      if (active != null && !active.equals(HostInfo.unavailable()) && active.port() > 0) {
        String location =
            "http://"
                + active.host()
                + ":"
                + active.port()
                + "/counters?key="
                + URLEncoder.encode(key, StandardCharsets.UTF_8)
                + metadata.entrySet().stream()
                    .map(
                        e ->
                            "&meta."
                                + URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                                + "="
                                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                    .reduce("", String::concat);
        body.put("activeHost", active.host() + ":" + active.port());
        body.put("message", "this instance does not host partition " + partition);
        return new Answer(307, body, location);
      }
      body.put("message", "no instance here hosts partition " + partition + " (rebalancing?)");
      return new Answer(404, body, null);
    }
    body.put("servedBy", role);
    Map<Integer, LagInfo> lags =
        streams
            .allLocalStorePartitionLags()
            .getOrDefault(RateLimiterTopology.COUNTERS_STORE, Map.of());
    LagInfo lag = lags.get(partition);
    body.put("offsetLag", lag == null ? -1 : lag.offsetLag());

    ReadOnlyKeyValueStore<Bytes, byte[]> store;
    try {
      store =
          streams.store(
              StoreQueryParameters.fromNameAndType(
                      RateLimiterTopology.COUNTERS_STORE,
                      QueryableStoreTypes.<Bytes, byte[]>keyValueStore())
                  .withPartition(partition)
                  .enableStaleStores());
    } catch (InvalidStateStoreException e) {
      return error(
          503, "counter store partition " + partition + " not queryable: " + e.getMessage());
    }
    byte[] prefix =
        new VarCodec.Writer(64)
            .writeBytes(rule.id().getBytes(StandardCharsets.UTF_8))
            .writeBytes(key.getBytes(StandardCharsets.UTF_8))
            .toByteArray();
    ArrayNode counters = body.putArray("counters");
    boolean truncated = false;
    long now = System.currentTimeMillis();
    try (KeyValueIterator<Bytes, byte[]> it =
        store.prefixScan(Bytes.wrap(prefix), new BytesSerializer())) {
      while (it.hasNext()) {
        KeyValue<Bytes, byte[]> kv = it.next();
        if (counters.size() >= MAX_COUNTERS) {
          truncated = true;
          break;
        }
        counters.add(describe(rule, key, kv.key.get(), prefix.length, kv.value, now));
      }
    }
    body.put("truncated", truncated);
    return new Answer(200, body, null);
  }

  /** "active", "standby", or null when this instance does not host the partition. */
  private String localRole(int partition) {
    String topic = config.requestsTopic();
    for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
      for (TaskMetadata task : thread.activeTasks()) {
        if (hosts(task, topic, partition)) {
          return "active";
        }
      }
      for (TaskMetadata task : thread.standbyTasks()) {
        if (hosts(task, topic, partition)) {
          return "standby";
        }
      }
    }
    return null;
  }

  private static boolean hosts(TaskMetadata task, String topic, int partition) {
    return task.topicPartitions().stream()
        .anyMatch(tp -> tp.topic().equals(topic) && tp.partition() == partition);
  }

  private static ObjectNode describe(
      LimitRule rule, String key, byte[] counterKey, int prefixLength, byte[] counter, long now) {
    ObjectNode c = RuleJson.MAPPER.createObjectNode();
    // The rest of the key: the request's values of the rule's "*" metadata keys, in order.
    Map<String, String> split = new LinkedHashMap<>();
    VarCodec.Reader in =
        new VarCodec.Reader(
            java.util.Arrays.copyOfRange(counterKey, prefixLength, counterKey.length));
    for (String wildcard : rule.wildcardMetadataKeys()) {
      if (in.atEnd()) {
        break;
      }
      int n = (int) in.readVarLong();
      byte[] v = new byte[n];
      for (int i = 0; i < n; i++) {
        v[i] = (byte) in.readByte();
      }
      split.put(wildcard, new String(v, StandardCharsets.UTF_8));
    }
    ObjectNode values = c.putObject("metadata");
    split.forEach(values::put);
    // Limit index 1 or more ends the key with 02 FF index (Limiter.counterKey); index 0 has none.
    int index = 0;
    if (!in.atEnd() && in.readByte() == 2 && !in.atEnd() && in.readByte() == 0xFF && !in.atEnd()) {
      index = in.readByte();
    }
    c.put("limitIndex", index);
    VarCodec.Reader header = new VarCodec.Reader(counter);
    header.readByte();
    long generation = header.readVarLong();
    long windowMs = header.readVarLong();
    LimitRule.Limit limit = index < rule.limits().size() ? rule.limits().get(index) : null;
    boolean current =
        limit != null && generation == limit.generation() && windowMs == limit.windowMillis();
    c.put("generation", generation);
    c.put("windowMs", windowMs);
    // A counter of another generation or window is dead: the limiter treats it as absent.
    c.put("current", current);
    c.put("bytes", counter.length);
    long idleAfter = Limiter.idleAfterMs(counter);
    c.put("idleAfterMs", idleAfter);
    c.put("idle", idleAfter <= now);
    if (current) {
      // What a request of cost 1 would get now, computed on a copy: nothing is charged.
      // This counter's limit alone, as a one-limit rule.
      LimitRule alone =
          new LimitRule(
              rule.id(),
              rule.key(),
              limit.limit(),
              limit.windowSeconds(),
              rule.priority(),
              rule.metadata(),
              limit.algorithm(),
              rule.shadow(),
              limit.generation());
      var probe = Limiter.evaluate(alone, counter, "counters-probe", key, 1, now).verdict();
      ObjectNode ifNow = c.putObject("ifRequestedNow");
      ifNow.put("allowed", probe.allowed());
      ifNow.put("reason", probe.reason().name());
      ifNow.put("remaining", probe.remaining());
      ifNow.put("retryAfterMs", probe.retryAfterMs());
      ifNow.put("resetAfterMs", probe.resetAfterMs());
    }
    return c;
  }

  private static Answer error(int status, String message) {
    ObjectNode body = RuleJson.MAPPER.createObjectNode();
    body.put("error", message);
    return new Answer(status, body, null);
  }
}
