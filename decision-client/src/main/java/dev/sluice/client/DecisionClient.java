package dev.sluice.client;

import dev.sluice.avro.Decision;
import dev.sluice.avro.RateLimitRequest;
import dev.sluice.core.Verdict;
import dev.sluice.schema.AvroCodec;
import dev.sluice.schema.CodecException;
import dev.sluice.schema.DecisionCodec;
import dev.sluice.schema.registry.SchemaRegistryClient;
import dev.sluice.schema.registry.SchemaRegistryException;
import dev.sluice.schema.registry.WireFormat;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the Sluice service for rate-limit decisions over Kafka. Thread-safe; create one per process
 * (or per service instance) and share it.
 *
 * <h2>What a check costs</h2>
 *
 * On the calling thread: argument validation, Avro encoding of one small request (written straight
 * into its byte array) and a producer {@code send} that appends it to a batch. No network I/O
 * happens on the caller's thread and nothing blocks: when the producer cannot take the request at
 * once (topic metadata missing, e.g. while the broker is down, or its buffer full) the check
 * completes by policy at once. Allocation per check: the generated id string, the request's bytes,
 * the producer record (and the producer's own per-send objects: the key's bytes, its callback
 * wrapper and record future) and the returned future (which doubles as the pending entry, the
 * deadline timer node and the send callback); on reply, the decision read straight from the record
 * (a {@code Verdict} with its id, key and rule id strings) and the {@link ClientDecision}. No
 * thread, timer task or map node is created per check; with a schema registry configured, or
 * non-ASCII strings in a check, requests go through the generic Avro writer (a little more CPU and
 * garbage). Measured on 2 cores with a broker in the same JVM: about 4 µs of client CPU per check
 * in all (see the module README). On the network: one request record out, batched for up to the
 * configured linger, and one decision record back.
 *
 * <p>With client-side leases on ({@link DecisionClientConfig#leasing()}, see {@link
 * LeaseSettings}), a plain check that a live lease of its (key, metadata) pair covers costs a pair
 * lookup, one lock and the decision objects, with no request at all, and completes before {@code
 * check} returns ({@link DecisionSource#LEASE}); a check that waits for its pair's lease request
 * completes on the reply thread with the others answered from that grant.
 *
 * <h2>Threads</h2>
 *
 * One reply consumer thread, one deadline thread, the Kafka producer's I/O thread (and, in
 * automatic reply-partition mode, the consumer group's heartbeat thread), plus one rules thread
 * with {@link FailurePolicy#LOCAL_FALLBACK}. Futures complete on the reply thread (service
 * decisions), the deadline thread (timeouts), the producer thread (send failures), the calling
 * thread (overload, no reply partition, already closed) or the thread calling {@link #close()}.
 * Stages attached with the non-async {@code CompletableFuture} methods run on that thread: keep
 * them short, or use the {@code *Async} variants, since a slow stage on the reply thread delays
 * every other reply.
 *
 * <h2>How it fails</h2>
 *
 * A check never throws except {@link IllegalArgumentException} for arguments that break SPEC 2 (or
 * an id already in flight), and its future never completes exceptionally except on an internal
 * error. Everything else completes the future exactly once, by the {@link FailurePolicy}, with
 * {@link ClientDecision#source()} saying so and {@link ClientDecision#cause()} saying why:
 *
 * <ul>
 *   <li>{@link FailureCause#TIMEOUT}: no decision within the timeout (service slow or down, broker
 *       unreachable, or the reply partition was reassigned while the check was in flight: the reply
 *       then goes to the partition's new owner, which drops it, so the check waits for its
 *       deadline);
 *   <li>{@link FailureCause#SEND_FAILED}: the producer reported an error, completed at once;
 *   <li>{@link FailureCause#OVERLOADED}: {@code maxInFlight} checks were pending; completed at once
 *       rather than queued, because a full table means the service is not keeping up and more
 *       waiting would only add latency;
 *   <li>{@link FailureCause#NO_REPLY_PARTITION}: this instance owns no reply partition (e.g. the
 *       reply group has more members than the reply topic has partitions); completed at once;
 *   <li>{@link FailureCause#CLOSED}: the client was closed.
 * </ul>
 *
 * {@link #create} blocks until the client owns a reply partition, so checks do not fail for want of
 * one at startup; it throws {@link DecisionClientException} when it cannot get there within the
 * startup timeout.
 */
public final class DecisionClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DecisionClient.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  /** A reply this long after its deadline counts as unknown rather than late. */
  private static final long LATE_WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);

  private static final long SEND_FAILURE_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final long STARTUP_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  /** How often the requests topic's producer metadata is touched ({@link #maybeTouchMetadata}). */
  private static final long METADATA_TOUCH_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final DecisionClientConfig config;

  /** Requests out and decisions in: registry wire format when configured, else single-object. */
  private final WireFormat<RateLimitRequest> requestFormat;

  private final WireFormat<Decision> decisionFormat;

  /** Requests are single-object encoded, so {@link RequestEncoder} may write them. */
  private final boolean directRequests;

  private final String name;
  private final long timeoutNanos;
  private final FailurePolicy policy;
  private final String requestsTopic;

  /** What requests carry as {@code replyTopic}: null for the default decisions topic. */
  private final String stampedReplyTopic;

  private final RequestIds ids = new RequestIds();
  private final PendingTable pending;
  private final RecentlyExpired recentlyExpired;
  private final AtomicInteger roundRobin = new AtomicInteger();

  /** Used by the reply thread only. */
  private final DecisionDecoder replyDecoder = new DecisionDecoder();

  private volatile int[] replyPartitions = new int[0];

  private volatile Producer<String, byte[]> producer;
  // Set while starting, read by close() from any thread.
  private volatile ReplyReader replyReader;
  private volatile Thread replyThread;
  private volatile RulesReader rulesReader;
  private volatile Thread rulesThread;
  private final DeadlineLoop deadlines;
  private final Thread deadlineThread;
  private long nextMetadataTouch = System.nanoTime() + METADATA_TOUCH_NANOS;

  /** Client-side leases; null unless {@link DecisionClientConfig#leasing()} is set. */
  private final LeaseTable leases;

  /** The local fallback's limiter; null unless the policy is LOCAL_FALLBACK. */
  private final LocalLimiter localLimiter;

  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final AtomicLong lastSendFailureLog =
      new AtomicLong(System.nanoTime() - SEND_FAILURE_LOG_INTERVAL_NANOS);

  // Checks sent, answered and timed out are counted by the PendingTable (see there); these count
  // the rarer paths.
  private final LongAdder sendFailures = new LongAdder();
  private final LongAdder overloaded = new LongAdder();
  private final LongAdder noReplyPartition = new LongAdder();
  private final LongAdder closedChecks = new LongAdder();
  private final LongAdder closedAtSubmit = new LongAdder();
  private final LongAdder unknownReplies = new LongAdder();
  private final LongAdder lateReplies = new LongAdder();
  private final LongAdder undecodableReplies = new LongAdder();

  private DecisionClient(DecisionClientConfig config) {
    this.config = config;
    this.name = "sluice-client-" + INSTANCES.incrementAndGet();
    this.timeoutNanos = config.timeout().toNanos();
    this.policy = config.failurePolicy();
    this.requestsTopic = config.requestsTopic();
    Optional<SchemaRegistryClient> registry =
        config.schemaRegistry().map(SchemaRegistryClient::new);
    this.requestFormat =
        WireFormat.forTopicValues(AvroCodec.REQUEST, registry, config.requestsTopic());
    this.decisionFormat =
        WireFormat.forTopicValues(AvroCodec.DECISION, registry, config.replyTopic());
    this.directRequests = requestFormat.writes() == WireFormat.Encoding.SINGLE_OBJECT;
    this.stampedReplyTopic =
        config.replyTopic().equals(DecisionClientConfig.DEFAULT_REPLY_TOPIC)
            ? null
            : config.replyTopic();
    this.pending = new PendingTable(config.maxInFlight());
    this.recentlyExpired = new RecentlyExpired(config.maxInFlight(), LATE_WINDOW_NANOS);
    this.leases =
        config
            .leasing()
            .map(
                s ->
                    new LeaseTable(s, System::nanoTime, System::currentTimeMillis, new LeaseHost()))
            .orElse(null);
    this.deadlines =
        DeadlineLoop.system(pending, timeoutNanos, this::onExpired, this::housekeeping);
    this.deadlineThread = new Thread(deadlines, name + "-deadlines");
    this.deadlineThread.setDaemon(true);
    this.localLimiter =
        policy == FailurePolicy.LOCAL_FALLBACK
            ? new LocalLimiter(config.localFallbackShare(), config.localFallbackMaxCounters())
            : null;
  }

  /**
   * Creates and starts a client: connects the producer, checks the topics, starts its threads and
   * waits until it owns a reply partition (and, with {@link FailurePolicy#LOCAL_FALLBACK}, until
   * the rules present at start are loaded, or a warning is logged). Costs a few round trips to the
   * broker and, in automatic mode, a consumer group rebalance; the group's first rebalance waits
   * for {@code group.initial.rebalance.delay.ms} on the broker (3 s by default).
   *
   * @param config the validated configuration; not null
   * @return a started client; close it when done
   * @throws DecisionClientException when a topic is missing, the broker is unreachable, Kafka
   *     rejects a property, or no reply partition is assigned within {@link
   *     DecisionClientConfig#startupTimeout()}
   */
  public static DecisionClient create(DecisionClientConfig config) {
    DecisionClient client = new DecisionClient(config);
    try {
      client.start();
      return client;
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
  }

  private void start() {
    long startupDeadline = System.nanoTime() + config.startupTimeout().toNanos();
    deadlineThread.start();
    try {
      producer = new KafkaProducer<>(KafkaSettings.producer(config, name));
    } catch (KafkaException e) {
      throw new DecisionClientException(
          "Kafka rejected the producer settings: " + e.getMessage(), e);
    }
    awaitRequestsTopic(startupDeadline);

    Consumer<byte[], byte[]> replyConsumer = newConsumer(KafkaSettings.replyConsumer(config, name));
    try {
      int partitions = replyTopicPartitions(replyConsumer, startupDeadline);
      for (int p : config.replyPartitions()) {
        if (p >= partitions) {
          throw new DecisionClientException(
              "replyPartitions (sluice.client.reply.partitions): partition "
                  + p
                  + " does not exist; reply topic "
                  + config.replyTopic()
                  + " has "
                  + partitions
                  + " partitions");
        }
      }
    } catch (RuntimeException e) {
      replyConsumer.close();
      throw e;
    }
    // From here on the reply thread owns (and eventually closes) the consumer.
    replyReader =
        new ReplyReader(replyConsumer, config.replyTopic(), config.replyPartitions(), this);
    replyThread = new Thread(replyReader, name + "-replies");
    replyThread.setDaemon(true);
    replyThread.start();

    if (localLimiter != null) {
      rulesReader =
          new RulesReader(
              newConsumer(KafkaSettings.rulesConsumer(config, name)),
              config.rulesTopic(),
              localLimiter);
      rulesThread = new Thread(rulesReader, name + "-rules");
      rulesThread.setDaemon(true);
      rulesThread.start();
    }

    try {
      if (!replyReader.awaitFirstPartition(Math.max(0, startupDeadline - System.nanoTime()))) {
        throw new DecisionClientException(
            "no reply partition of "
                + config.replyTopic()
                + " became usable within startupTimeout ("
                + config.startupTimeout().toMillis()
                + " ms)"
                + (config.automaticReplyPartitions()
                    ? ": consumer group "
                        + config.replyGroupId()
                        + " may already have as many members as the topic has partitions"
                        + " (add partitions, or give instances explicit replyPartitions)"
                    : ": is the broker reachable?"));
      }
      if (rulesReader != null
          && !rulesReader.awaitCaughtUp(Math.max(0, startupDeadline - System.nanoTime()))) {
        LOG.warn(
            "{}: rules topic {} not fully loaded at startup; the local fallback starts with {}"
                + " rules and keeps reading",
            name,
            config.rulesTopic(),
            localLimiter.rules());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DecisionClientException("interrupted while starting", e);
    }
    LOG.info("{} started: {}", name, config);
  }

  private static Consumer<byte[], byte[]> newConsumer(Map<String, Object> settings) {
    try {
      return new KafkaConsumer<>(settings);
    } catch (KafkaException e) {
      throw new DecisionClientException(
          "Kafka rejected the consumer settings: " + e.getMessage(), e);
    }
  }

  private void awaitRequestsTopic(long startupDeadline) {
    RuntimeException last = null;
    do {
      try {
        // With max.block.ms=0 this fails at once until the metadata fetch it triggers returns.
        List<PartitionInfo> infos = producer.partitionsFor(requestsTopic);
        if (infos != null && !infos.isEmpty()) {
          return;
        }
      } catch (KafkaException e) {
        last = e;
      }
      LockSupport.parkNanos(STARTUP_RETRY_NANOS);
    } while (System.nanoTime() - startupDeadline < 0);
    throw new DecisionClientException(
        "requests topic "
            + requestsTopic
            + " not found or broker "
            + config.bootstrapServers()
            + " unreachable within startupTimeout ("
            + config.startupTimeout().toMillis()
            + " ms)"
            + (last == null ? "" : ": " + last.getMessage()),
        last);
  }

  private int replyTopicPartitions(Consumer<byte[], byte[]> consumer, long startupDeadline) {
    RuntimeException last = null;
    do {
      try {
        long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(startupDeadline - System.nanoTime()));
        List<PartitionInfo> infos =
            consumer.partitionsFor(config.replyTopic(), Duration.ofMillis(Math.min(left, 5000)));
        if (infos != null && !infos.isEmpty()) {
          return infos.size();
        }
      } catch (KafkaException e) {
        last = e;
      }
    } while (System.nanoTime() - startupDeadline < 0);
    throw new DecisionClientException(
        "reply topic "
            + config.replyTopic()
            + " not found within startupTimeout ("
            + config.startupTimeout().toMillis()
            + " ms)"
            + (last == null ? "" : ": " + last.getMessage()),
        last);
  }

  /**
   * Asks for a decision on {@code key}. Returns at once; the future completes exactly once, with
   * the service's decision or by policy (see the class comment for cost and failure modes).
   *
   * @param key the rate-limited key, 1-512 characters
   * @param metadata request attributes rules may constrain, at most 64 entries, or null; read
   *     during this call (and copied with {@link FailurePolicy#LOCAL_FALLBACK}), not kept otherwise
   * @param cost permits to spend, 0 (check only, spends nothing) to 1,000,000,000
   * @return a future completed exactly once, never exceptionally under the contract
   * @throws IllegalArgumentException naming the offending argument
   */
  public CompletableFuture<ClientDecision> check(
      String key, Map<String, String> metadata, long cost) {
    String error = CheckRequest.validate(null, key, metadata, cost);
    if (error != null) {
      throw new IllegalArgumentException(error);
    }
    Map<String, String> md =
        metadata == null || metadata.isEmpty()
            ? Map.of()
            : policy == FailurePolicy.LOCAL_FALLBACK || leases != null
                ? Map.copyOf(metadata)
                : metadata;
    return submit(ids.next(), key, md, cost, cost);
  }

  /**
   * Asks for a decision on a prepared request, using its id as the correlation id when it has one.
   * Same cost and failure modes as {@link #check(String, Map, long)}.
   *
   * @param request the validated request; not null
   * @return a future completed exactly once, never exceptionally under the contract
   * @throws IllegalArgumentException when a check with the same id is already in flight
   */
  public CompletableFuture<ClientDecision> check(CheckRequest request) {
    String id = request.id() == null ? ids.next() : request.id();
    return submit(id, request.key(), request.metadata(), request.cost(), request.maxCost());
  }

  /**
   * Blocking {@link #check(String, Map, long)}: waits for the decision, which always arrives within
   * about the timeout (the deadline thread completes it then). Not interruptible.
   *
   * @param key the rate-limited key, 1-512 characters
   * @param metadata request attributes, at most 64 entries, or null
   * @param cost permits to spend, 0 (check only, spends nothing) to 1,000,000,000
   * @return the decision, from the service or by policy; never null
   * @throws IllegalArgumentException for the same invalid arguments as {@link #check(String, Map,
   *     long)}
   * @throws java.util.concurrent.CompletionException only if the client itself failed while
   *     completing the check (a bug: every path of the contract completes it normally)
   */
  public ClientDecision decide(String key, Map<String, String> metadata, long cost) {
    return check(key, metadata, cost).join();
  }

  /**
   * Blocking {@link #check(CheckRequest)}; see {@link #decide(String, Map, long)}.
   *
   * @param request the validated request; not null
   * @return the decision, from the service or by policy; never null
   * @throws IllegalArgumentException when a check with the same id is already in flight
   */
  public ClientDecision decide(CheckRequest request) {
    return check(request).join();
  }

  /**
   * A snapshot of this client's counters. Cheap (sums a few striped counters); not meant per check.
   *
   * @return a new immutable snapshot
   */
  public ClientMetrics metrics() {
    int[] parts = replyPartitions;
    List<Integer> partitionList = Arrays.stream(parts).boxed().toList();
    LocalLimiter ll = localLimiter;
    PendingTable.Counts table = pending.counts();
    long overloadedNow = overloaded.sum();
    long noPartitionNow = noReplyPartition.sum();
    LeaseTable lt = leases;
    long waitersNeverSent = lt == null ? 0 : lt.notSent();
    long localHits = lt == null ? 0 : lt.localHits();
    long bypassedNow = lt == null ? 0 : lt.bypassed();
    // A check answered by a lease at once, or sent on its own past the lease table, never entered
    // the table through the lease path; waiters entered it but were not sent.
    return new ClientMetrics(
        table.added()
            + overloadedNow
            + noPartitionNow
            + closedAtSubmit.sum()
            + (lt == null ? 0 : lt.instantHits()),
        table.added() - waitersNeverSent,
        table.removedById(),
        table.expired(),
        sendFailures.sum(),
        overloadedNow,
        noPartitionNow,
        closedChecks.sum(),
        unknownReplies.sum(),
        lateReplies.sum(),
        undecodableReplies.sum(),
        table.pending(),
        partitionList,
        ll == null ? 0 : ll.rules(),
        ll == null ? 0 : ll.rejected(),
        ll == null ? 0 : ll.counters(),
        localHits,
        lt == null ? 0 : lt.leaseRequests(),
        lt == null ? 0 : lt.grantedPermits(),
        lt == null ? 0 : lt.expiredPermits(),
        bypassedNow,
        lt == null ? 0 : lt.pairs());
  }

  /**
   * The configuration this client runs with.
   *
   * @return the config given to {@link #create}
   */
  public DecisionClientConfig config() {
    return config;
  }

  /**
   * Completes every check in flight by policy ({@link FailureCause#CLOSED}), then stops the threads
   * and closes the Kafka clients without sending requests still buffered (their checks are already
   * answered). Later checks complete by policy at once. Idempotent; a concurrent second call waits
   * for the first. Takes up to a few seconds (the consumers leave their group politely).
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      awaitUninterruptibly(closed);
      return;
    }
    try {
      for (PendingCheck p : pending.closeAndDrain()) {
        closedChecks.increment();
        completeByPolicy(p, FailureCause.CLOSED);
      }
      if (replyReader != null) {
        replyReader.shutdown();
      }
      if (rulesReader != null) {
        rulesReader.shutdown();
      }
      deadlines.stop();
      LockSupport.unpark(deadlineThread);
      join(replyThread);
      join(rulesThread);
      join(deadlineThread);
      if (producer != null) {
        // Zero: requests still buffered belong to checks that were just answered by policy.
        producer.close(Duration.ZERO);
      }
      LOG.info("{} closed: {}", name, metrics());
    } finally {
      closed.countDown();
    }
  }

  // ---- the request path

  private CompletableFuture<ClientDecision> submit(
      String id, String key, Map<String, String> metadata, long cost, long maxCost) {
    if (leases != null
        && cost > 0
        && maxCost == cost
        && replyPartitions.length > 0
        && !closing.get()) {
      return leases.check(id, key, metadata, cost);
    }
    return submitPlain(id, key, metadata, cost, maxCost);
  }

  private CompletableFuture<ClientDecision> submitPlain(
      String id, String key, Map<String, String> metadata, long cost, long maxCost) {
    PendingCheck p =
        new PendingCheck(this, id, key, metadata, cost, maxCost, System.nanoTime() + timeoutNanos);
    if (replyPartitions.length == 0 && !closing.get()) {
      noReplyPartition.increment();
      completeByPolicy(p, FailureCause.NO_REPLY_PARTITION);
      return p;
    }
    PendingTable.AddResult added = pending.add(p);
    if (added != PendingTable.AddResult.ADDED) {
      return refused(p, added);
    }
    send(p, maxCost);
    return p;
  }

  /** A check the pending table did not take. */
  private CompletableFuture<ClientDecision> refused(PendingCheck p, PendingTable.AddResult added) {
    switch (added) {
      case FULL -> {
        overloaded.increment();
        completeByPolicy(p, FailureCause.OVERLOADED);
      }
      case CLOSED -> {
        closedChecks.increment();
        closedAtSubmit.increment();
        completeByPolicy(p, FailureCause.CLOSED);
      }
      case DUPLICATE_ID ->
          throw new IllegalArgumentException(
              "id: a check with id " + p.id + " is already in flight");
      case ADDED -> throw new IllegalStateException("not refused");
    }
    return p;
  }

  /**
   * Sends the request of {@code p}, which is in the pending table, asking for up to {@code maxCost}
   * permits (more than its cost only for a lease request).
   */
  private void send(PendingCheck p, long maxCost) {
    int[] parts = replyPartitions;
    if (parts.length == 0) {
      // Revoked since the check was admitted (leases: a waiter promoted later).
      if (pending.remove(p)) {
        noReplyPartition.increment();
        completeByPolicy(p, FailureCause.NO_REPLY_PARTITION);
      }
      return;
    }
    int partition = parts[(roundRobin.getAndIncrement() & Integer.MAX_VALUE) % parts.length];
    String id = p.id;
    String key = p.key;
    long cost = p.cost;
    try {
      byte[] value =
          directRequests
              ? RequestEncoder.encode(
                  id, key, p.metadata, cost, maxCost, partition, stampedReplyTopic)
              : null;
      if (value == null) {
        value =
            requestFormat.encode(
                new RateLimitRequest(
                    id,
                    key,
                    p.metadata,
                    cost == 1 ? null : cost,
                    partition,
                    stampedReplyTopic,
                    maxCost == cost ? null : maxCost));
      }
      producer.send(new ProducerRecord<>(requestsTopic, key, value), p);
    } catch (RuntimeException e) {
      onSendFailed(p, e);
    }
  }

  /** What the lease table uses of this client. */
  private final class LeaseHost implements LeaseTable.Host {
    @Override
    public PendingCheck newCheck(String id, String key, Map<String, String> metadata, long cost) {
      return new PendingCheck(
          DecisionClient.this, id, key, metadata, cost, cost, System.nanoTime() + timeoutNanos);
    }

    @Override
    public PendingTable.AddResult admit(PendingCheck p) {
      return pending.add(p);
    }

    @Override
    public boolean release(PendingCheck p) {
      return pending.remove(p);
    }

    @Override
    public CompletableFuture<ClientDecision> refused(
        PendingCheck p, PendingTable.AddResult result) {
      return DecisionClient.this.refused(p, result);
    }

    @Override
    public void send(PendingCheck p, long maxCost) {
      DecisionClient.this.send(p, maxCost);
    }

    @Override
    public CompletableFuture<ClientDecision> submitPlain(
        String id, String key, Map<String, String> metadata, long cost) {
      return DecisionClient.this.submitPlain(id, key, metadata, cost, cost);
    }
  }

  // ---- completion paths (each removes the check from the table first; only the winner completes)

  /** Reply thread: one record from the reply topic. */
  void onReply(byte[] value) {
    Verdict v;
    try {
      // Single-object replies take the direct fast path; registry-framed ones need the format.
      v =
          AvroCodec.looksLikeSingleObject(value)
              ? replyDecoder.decode(value)
              : DecisionCodec.fromAvro(decisionFormat.decode(value));
    } catch (CodecException | SchemaRegistryException e) {
      // A registry outage while reading a reply: the check times out into the failure policy.
      undecodableReplies.increment();
      return;
    }
    String id = v.requestId();
    PendingCheck p = id == null ? null : pending.remove(id, v.key());
    if (p == null) {
      if (id != null && recentlyExpired.remove(id, System.nanoTime())) {
        lateReplies.increment();
      } else {
        unknownReplies.increment();
      }
      return;
    }
    if (p.lease != null) {
      leases.onReply(p, v);
      return;
    }
    p.complete(ClientDecision.fromService(v));
  }

  /** Producer I/O thread (or the caller's, when {@code send} itself threw). */
  void onSendFailed(PendingCheck p, Exception e) {
    sendFailures.increment();
    long now = System.nanoTime();
    long last = lastSendFailureLog.get();
    if (now - last >= SEND_FAILURE_LOG_INTERVAL_NANOS
        && lastSendFailureLog.compareAndSet(last, now)) {
      LOG.warn("{}: sending a request failed (logged at most every 10 s): {}", name, e.toString());
    }
    if (pending.remove(p)) {
      completeByPolicy(p, FailureCause.SEND_FAILED);
    }
  }

  /** Reply thread: the partitions requests may be stamped with from now on. */
  void setReplyPartitions(int[] partitions) {
    replyPartitions = partitions;
  }

  /** Deadline thread: {@code p}'s deadline passed with no reply. */
  private void onExpired(PendingCheck p, long nowNanos) {
    recentlyExpired.add(p.id, nowNanos);
    completeByPolicy(p, FailureCause.TIMEOUT);
  }

  /**
   * Deadline thread, once per pass ({@link DeadlineLoop}): every few seconds, touches the
   * producer's metadata for the requests topic. With {@code max.block.ms=0} a send fails at once
   * when that metadata is missing, and the producer forgets a topic it has not used for a while
   * (and loses it during an outage); the touch keeps it cached while idle and re-fetches it
   * promptly after.
   */
  private void housekeeping() {
    maybeTouchMetadata();
    if (leases != null) {
      leases.maybeSweep();
    }
  }

  private void maybeTouchMetadata() {
    long now = System.nanoTime();
    if (now - nextMetadataTouch >= 0) {
      nextMetadataTouch = now + METADATA_TOUCH_NANOS;
      touchRequestsTopicMetadata();
    }
  }

  private void touchRequestsTopicMetadata() {
    Producer<String, byte[]> pr = producer;
    if (pr == null || closing.get()) {
      return;
    }
    try {
      pr.partitionsFor(requestsTopic);
    } catch (KafkaException e) {
      LOG.debug("{}: requests topic metadata not available: {}", name, e.toString());
    }
  }

  private void completeByPolicy(PendingCheck p, FailureCause cause) {
    if (p.lease != null) {
      leases.onFailed(p, cause);
    }
    ClientDecision d;
    try {
      long nowMs = System.currentTimeMillis();
      d =
          switch (policy) {
            case FAIL_OPEN -> ClientDecision.byStaticPolicy(true, p.id, p.key, nowMs, cause);
            case FAIL_CLOSED -> ClientDecision.byStaticPolicy(false, p.id, p.key, nowMs, cause);
            case LOCAL_FALLBACK ->
                localLimiter.decide(p.id, p.key, p.metadata, p.cost, p.maxCost, nowMs, cause);
          };
    } catch (RuntimeException e) {
      LOG.error("{}: the {} policy failed for check {}", name, policy, p.id, e);
      p.completeExceptionally(e);
      return;
    }
    p.complete(d);
  }

  private static void join(Thread t) {
    if (t == null || t == Thread.currentThread()) {
      return; // close() called from a completion stage on that very thread
    }
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
