package dev.sluice.client;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * One check in flight. It is at once the caller's future, the producer's send callback and a node
 * of {@link PendingTable}'s deadline list, so a check allocates no wrapper, timer task or lambda of
 * its own (see {@link DecisionClient} for the per-check cost).
 *
 * <p>Completion happens exactly once because every path first removes the check from the table
 * (under its lock) and only the path that removed it completes it.
 */
final class PendingCheck extends CompletableFuture<ClientDecision> implements Callback {
  final DecisionClient owner;
  final String id;
  final String key;
  final Map<String, String> metadata;
  final long cost;
  final long maxCost;
  final long deadlineNanos;

  // Guarded by the PendingTable's lock.
  PendingCheck prev;
  PendingCheck next;
  boolean linked;

  PendingCheck(
      DecisionClient owner,
      String id,
      String key,
      Map<String, String> metadata,
      long cost,
      long maxCost,
      long deadlineNanos) {
    this.owner = owner;
    this.id = id;
    this.key = key;
    this.metadata = metadata;
    this.cost = cost;
    this.maxCost = maxCost;
    this.deadlineNanos = deadlineNanos;
  }

  /** Runs on the producer's I/O thread once the broker acknowledged or the send failed. */
  @Override
  public void onCompletion(RecordMetadata metadata, Exception exception) {
    if (exception != null) {
      owner.onSendFailed(this, exception);
    }
  }
}
