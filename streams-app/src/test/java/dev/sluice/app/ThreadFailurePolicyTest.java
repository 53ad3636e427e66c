package dev.sluice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class ThreadFailurePolicyTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final ThreadFailurePolicy policy = new ThreadFailurePolicy(now::get);

  private static StreamsException commitFailure() {
    return new StreamsException(
        "Error encountered trying to commit a transaction",
        new InvalidTxnStateException("invalid state"));
  }

  @Test
  void shouldReplaceTheThreadAfterATransientFailure() {
    assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, policy.handle(commitFailure()));
  }

  @Test
  void shouldShutDownOnAJvmErrorAnywhereInTheCauseChain() {
    assertEquals(
        StreamThreadExceptionResponse.SHUTDOWN_CLIENT,
        policy.handle(new StreamsException("store", new OutOfMemoryError("heap"))));
  }

  @Test
  void shouldShutDownWhenThreadsKeepFailingWithinTheWindow() {
    for (int i = 0; i < ThreadFailurePolicy.MAX_REPLACEMENTS; i++) {
      assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, policy.handle(commitFailure()));
      now.addAndGet(1_000_000_000L);
    }
    assertEquals(StreamThreadExceptionResponse.SHUTDOWN_CLIENT, policy.handle(commitFailure()));
  }

  @Test
  void shouldForgetFailuresOlderThanTheWindow() {
    for (int i = 0; i < ThreadFailurePolicy.MAX_REPLACEMENTS; i++) {
      policy.handle(commitFailure());
    }
    now.addAndGet(ThreadFailurePolicy.WINDOW.toNanos() + 1);
    assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, policy.handle(commitFailure()));
  }
}
