package dev.sluice.app;

import dev.sluice.topology.ReplyTopics;
import dev.sluice.topology.SluiceConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instance-wide answer to "may decisions be written to this reply topic now?" ({@link
 * ReplyTopics}), kept by one background thread so that no stream thread ever waits for topic
 * metadata.
 *
 * <p>Design note. Two bounded maps, each of at most {@link
 * SluiceConfig#replyTopicCacheMaxEntries()} entries: the writable topics, and the unwritable ones
 * with the reason (absent, not describable, no WRITE permission). Both are ordered by when a
 * request last asked about a topic. Every {@link SluiceConfig#replyTopicCheckIntervalMs()} the
 * thread lists the topics under the allowed prefixes and describes them with their authorised
 * operations: a topic created since becomes writable (while there is room), one deleted or whose
 * WRITE permission was revoked becomes unwritable, within one interval. A topic asked about that
 * neither map holds (created after the last check, never heard of, or not remembered for want of
 * room) is looked up at once in the background; until the answer arrives it counts as unwritable,
 * so the request naming it is answered on the decisions topic rather than risking a stalled
 * partition. When the writable map is full, a topic a request asked about takes the place of the
 * least recently asked one; the unwritable map drops its least recently asked entry, so a flood of
 * made-up names pushes out only other made-up names, never a writable topic. A failed send ({@link
 * #writeFailed}) moves a topic to the unwritable map until the next check.
 *
 * <p>Authorisation: without an authorizer the broker reports no authorised operations, and the
 * topic counts as writable; with one, the service's principal must be allowed WRITE (which implies
 * DESCRIBE) on the topic.
 */
final class ReplyTopicCache implements ReplyTopics, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReplyTopicCache.class);

  /** The reason given while a topic has not been looked up yet. */
  static final String NOT_YET_KNOWN =
      "is not known to exist yet (looked up now; a reply topic created after the instance started"
          + " is found within "
          + SluiceConfig.REPLY_TOPIC_CHECK_INTERVAL_MS
          + ")";

  static final String ABSENT = "does not exist";
  static final String NOT_DESCRIBABLE = "does not exist or the service may not describe it";
  static final String NOT_WRITABLE = "the service may not write to it (no WRITE permission)";

  private final SluiceConfig config;
  private final Admin admin;
  private final int maxEntries;
  private final long timeoutMs;

  /** Writable topics, least recently asked first; never more than {@code maxEntries}. */
  private final Map<String, Boolean> writable =
      java.util.Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true));

  private final Map<String, String> unwritable;
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean lookupQueued = new AtomicBoolean();
  private final ScheduledExecutorService thread;

  ReplyTopicCache(SluiceConfig config, Admin admin) {
    this.config = config;
    this.admin = admin;
    this.maxEntries = config.replyTopicCacheMaxEntries();
    this.timeoutMs = Math.max(1_000, config.replyTopicCheckIntervalMs());
    this.unwritable =
        java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
              private static final long serialVersionUID = 1L;

              @Override
              protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                return size() > maxEntries;
              }
            });
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-reply-topics");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts the periodic check, waiting up to {@code firstCheck} for the first one so that topics
   * that exist at start-up are known before the first request (a broker that does not answer in
   * time only delays that: the instance starts anyway). Does nothing when no reply-topic prefix is
   * allowed.
   */
  void start(Duration firstCheck) {
    if (config.replyTopicPrefixes().isEmpty()) {
      return; // only the decisions topic may be named: nothing to check
    }
    var first = thread.submit(this::check);
    try {
      first.get(firstCheck.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn("First reply-topic check did not complete; going on: {}", e.toString());
    }
    long every = config.replyTopicCheckIntervalMs();
    thread.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
  }

  @Override
  public String unavailable(String topic) {
    if (writable.get(topic) != null) {
      return null;
    }
    String why = unwritable.get(topic);
    if (why != null) {
      return why;
    }
    lookUpSoon(topic);
    return NOT_YET_KNOWN;
  }

  @Override
  public void writeFailed(String topic, Exception cause) {
    writable.remove(topic);
    unwritable.put(topic, "could not be written (" + cause + ")");
  }

  @Override
  public boolean isReplyTopic(String topic) {
    return !topic.equals(config.decisionsTopic()) && config.replyTopicAllowed(topic);
  }

  /** Topics known writable now (tests, diagnostics). */
  Set<String> writable() {
    synchronized (writable) {
      return Set.copyOf(writable.keySet());
    }
  }

  /** How many topics are remembered as unwritable now (tests, diagnostics). */
  int unwritableCount() {
    return unwritable.size();
  }

  private void lookUpSoon(String topic) {
    if (!isReplyTopic(topic) || pending.size() >= maxEntries || !pending.add(topic)) {
      return;
    }
    if (lookupQueued.compareAndSet(false, true)) {
      try {
        thread.execute(this::lookUpPending);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        lookupQueued.set(false); // closing
      }
    }
  }

  private void lookUpPending() {
    lookupQueued.set(false);
    List<String> names = new ArrayList<>(pending);
    pending.removeAll(names);
    if (!names.isEmpty()) {
      describe(names, Set.of(), true);
    }
  }

  /** The periodic check: every reply topic under the allowed prefixes, and those asked about. */
  private void check() {
    Set<String> listed;
    try {
      listed = new HashSet<>();
      for (String name : admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS)) {
        if (isReplyTopic(name)) {
          listed.add(name);
        }
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("Cannot list reply topics; keeping what is known: {}", e.toString());
      return;
    }
    Set<String> gone = new HashSet<>(writable());
    gone.removeAll(listed);
    // Listed topics are described for their permissions; writable ones no longer listed are gone
    // (or no longer describable). Unwritable ones not listed keep their reason.
    describe(listed, gone, false);
  }

  /**
   * Describes {@code names} with their authorised operations and records each answer; {@code gone}
   * (writable, but absent from the listing) become unwritable without a call.
   *
   * @param asked whether {@code names} were asked about by requests (else only listed)
   */
  private void describe(Collection<String> names, Collection<String> gone, boolean asked) {
    for (String topic : gone) {
      writable.remove(topic);
      unwritable.put(topic, NOT_DESCRIBABLE);
    }
    if (names.isEmpty()) {
      return;
    }
    Map<String, KafkaFuture<TopicDescription>> answers =
        admin
            .describeTopics(names, new DescribeTopicsOptions().includeAuthorizedOperations(true))
            .topicNameValues();
    for (Map.Entry<String, KafkaFuture<TopicDescription>> a : answers.entrySet()) {
      String topic = a.getKey();
      String why;
      try {
        Set<AclOperation> ops =
            a.getValue().get(timeoutMs, TimeUnit.MILLISECONDS).authorizedOperations();
        why =
            ops == null || ops.contains(AclOperation.WRITE) || ops.contains(AclOperation.ALL)
                ? null
                : NOT_WRITABLE;
      } catch (ExecutionException e) {
        if (e.getCause() instanceof UnknownTopicOrPartitionException) {
          why = ABSENT;
        } else if (e.getCause() instanceof TopicAuthorizationException) {
          why = NOT_DESCRIBABLE;
        } else {
          LOG.warn("Cannot describe reply topic {}: {}", topic, e.getCause().toString());
          continue; // still unknown: looked up again when next asked about
        }
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
          return;
        }
        LOG.warn("Cannot describe reply topic {}: {}", topic, e.toString());
        continue;
      }
      record(topic, why, asked);
    }
  }

  /**
   * Records a writable topic ({@code why} null) or an unwritable one. When the writable map is
   * full, a topic a request asked about takes the place of the least recently asked one; a topic
   * that is only listed is not remembered (it is looked up when first asked about).
   */
  private void record(String topic, String why, boolean asked) {
    if (why == null) {
      synchronized (writable) {
        if (writable.containsKey(topic) || writable.size() < maxEntries) {
          writable.put(topic, Boolean.TRUE);
        } else if (asked) {
          String eldest = writable.keySet().iterator().next();
          writable.remove(eldest);
          writable.put(topic, Boolean.TRUE);
          LOG.warn(
              "More reply topics in use than {} ({}); {} forgotten for {}",
              maxEntries,
              SluiceConfig.REPLY_TOPIC_CACHE_MAX_ENTRIES,
              eldest,
              topic);
        } else {
          return;
        }
      }
      unwritable.remove(topic);
      return;
    }
    writable.remove(topic);
    String before = unwritable.put(topic, why);
    if (!why.equals(before)) {
      LOG.info("Reply topic {} cannot be written: {}", topic, why);
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
