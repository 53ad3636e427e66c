package dev.sluice.client;

import java.util.List;

/**
 * A snapshot of one client's counters since it was created (monotonic except the gauges {@code
 * inFlight}, {@code replyPartitions}, {@code rules}, {@code localCounters} and {@code leasePairs}).
 * Taking one reads a handful of striped counters; cheap enough for a metrics scrape, not meant per
 * check.
 *
 * @param checks checks accepted (valid arguments and id), whatever their outcome
 * @param sent checks that became requests: entered the pending table and were handed to the
 *     producer (a send failure is counted in {@code sendFailures} too); with leasing, checks that
 *     waited for a pair's lease request and were answered from it are not counted
 * @param answered checks completed by a service decision matched by request id (with leasing, each
 *     lease request's reply counts once; the waiters it answers count in {@code leaseHits})
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
 * @param leaseHits checks answered from lease state without a round trip of their own (a lease's
 *     permit, a cached denial or no-match; {@link DecisionSource#LEASE}); 0 unless leasing is on
 * @param leaseRequests lease requests sent (one request with {@code maxCost} = the lease size)
 * @param leasedPermits permits the service granted to lease requests, the requester's own cost
 *     included
 * @param expiredLeasePermits leased permits that expired unused (lost: the service charged them);
 *     counted when the client notices, at the pair's next check or sweep
 * @param leaseBypassed checks of the plain kind sent on their own although leasing is on (pair
 *     table full, or a shadow rule); a check finding its pair's wait list full counts as {@code
 *     overloaded}
 * @param leasePairs (key, metadata) pairs holding lease state now
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
    int localCounters,
    long leaseHits,
    long leaseRequests,
    long leasedPermits,
    long expiredLeasePermits,
    long leaseBypassed,
    int leasePairs) {

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
   * @param leaseHits checks answered from lease state
   * @param leaseRequests lease requests sent
   * @param leasedPermits permits granted to lease requests
   * @param expiredLeasePermits leased permits that expired unused
   * @param leaseBypassed plain checks sent on their own although leasing is on
   * @param leasePairs pairs holding lease state now
   * @throws NullPointerException when {@code replyPartitions} is or holds null
   */
  public ClientMetrics {
    replyPartitions = List.copyOf(replyPartitions);
  }
}
