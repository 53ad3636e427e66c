package dev.sluice.client;

import java.util.List;

/**
 * A snapshot of one client's counters since it was created (monotonic except the gauges {@code
 * inFlight}, {@code replyPartitions}, {@code rules} and {@code localCounters}). Taking one reads a
 * handful of striped counters; cheap enough for a metrics scrape, not meant per check.
 *
 * @param checks checks accepted (valid arguments and id), whatever their outcome
 * @param sent checks that became requests: entered the pending table and were handed to the
 *     producer (a send failure is counted in {@code sendFailures} too)
 * @param answered checks completed by a service decision
 * @param timedOut checks completed by policy at their deadline
 * @param sendFailures producer errors reported for requests (including ones already timed out)
 * @param overloaded checks completed by policy at once because {@code maxInFlight} were pending
 * @param noReplyPartition checks completed by policy at once because the client owned no reply
 *     partition
 * @param closed checks completed by policy because the client was (being) closed
 * @param unknownReplies replies whose request id matched nothing pending or recently expired (e.g.
 *     duplicates, or replies to a partition this instance took over); dropped
 * @param lateReplies replies that arrived after their check's deadline had fired; dropped
 * @param undecodableReplies reply records that were not an Avro {@code Decision}; dropped
 * @param inFlight checks pending now
 * @param replyPartitions reply partitions this instance owns now, sorted
 * @param rules rules held by the local fallback (0 unless the policy is {@code LOCAL_FALLBACK})
 * @param rulesRejected invalid rule records the local fallback skipped
 * @param localCounters counters held by the local fallback now
 */
public record ClientMetrics(
    long checks,
    long sent,
    long answered,
    long timedOut,
    long sendFailures,
    long overloaded,
    long noReplyPartition,
    long closed,
    long unknownReplies,
    long lateReplies,
    long undecodableReplies,
    int inFlight,
    List<Integer> replyPartitions,
    int rules,
    long rulesRejected,
    int localCounters) {

  /**
   * Copies the partition list; the counters are taken as given.
   *
   * @param checks checks accepted
   * @param sent checks that became requests
   * @param answered checks completed by a service decision
   * @param timedOut checks completed by policy at their deadline
   * @param sendFailures producer errors reported for requests
   * @param overloaded checks completed by policy because {@code maxInFlight} were pending
   * @param noReplyPartition checks completed by policy because no reply partition was owned
   * @param closed checks completed by policy because the client was closing
   * @param unknownReplies replies that matched nothing pending or recently expired
   * @param lateReplies replies that arrived after their check's deadline
   * @param undecodableReplies reply records that were not an Avro {@code Decision}
   * @param inFlight checks pending now
   * @param replyPartitions reply partitions owned now; not null, no null element; copied
   * @param rules rules held by the local fallback
   * @param rulesRejected invalid rule records the local fallback skipped
   * @param localCounters counters held by the local fallback now
   * @throws NullPointerException when {@code replyPartitions} is or holds null
   */
  public ClientMetrics {
    replyPartitions = List.copyOf(replyPartitions);
  }
}
