package dev.sluice.rls;

import dev.sluice.client.CheckRequest;
import dev.sluice.client.ClientDecision;
import dev.sluice.client.DecisionClient;
import dev.sluice.client.DecisionSource;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Answers one call, whatever its transport (gRPC or {@code /json}): maps the descriptors to checks,
 * sends them all at once through the decision client, and maps the decisions back when the last one
 * is in. Never blocks: the returned future completes on the client's reply or deadline thread (or
 * at once for a malformed call). At most {@code maxInFlight} calls are answered at once; more fail
 * with {@code RESOURCE_EXHAUSTED} rather than queue.
 *
 * <p>The checks of one call are independent Sluice requests, each decided and charged on its own: a
 * call whose second descriptor is over its limit still charged the first. Envoy's own ratelimit
 * service behaves the same way.
 */
final class RateLimitDecider {
  private final DescriptorMapping descriptors;
  private final ResponseMapping responses;
  private final Supplier<DecisionClient> client;
  private final ResponseMapping.Windows windows;
  private final int maxInFlight;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Timer latency;
  private final Counter ok;
  private final Counter overLimit;
  private final Counter invalid;
  private final Counter unavailable;
  private final Counter overloaded;
  private final Counter descriptorsSent;
  private final Counter policyDecisions;

  RateLimitDecider(
      RlsConfig config,
      Supplier<DecisionClient> client,
      ResponseMapping.Windows windows,
      MeterRegistry registry) {
    this.descriptors = new DescriptorMapping(config);
    this.responses = new ResponseMapping(config.failureMode(), config.responseHeaders());
    this.client = client;
    this.windows = windows;
    this.maxInFlight = config.maxInFlight();
    this.latency =
        Timer.builder("sluice.rls.call.duration")
            .description("Time to answer a ShouldRateLimit or /json call")
            .publishPercentileHistogram()
            .register(registry);
    this.ok = calls(registry, "ok");
    this.overLimit = calls(registry, "over_limit");
    this.invalid = calls(registry, "invalid_argument");
    this.unavailable = calls(registry, "unavailable");
    this.overloaded = calls(registry, "resource_exhausted");
    this.descriptorsSent =
        Counter.builder("sluice.rls.descriptors")
            .description("Descriptors asked of Sluice (one check each)")
            .register(registry);
    this.policyDecisions =
        Counter.builder("sluice.rls.descriptors.unanswered")
            .description("Descriptors Sluice gave no decision for in time (failure mode applied)")
            .register(registry);
    registry.gauge("sluice.rls.calls.in.flight", inFlight);
  }

  private static Counter calls(MeterRegistry registry, String result) {
    return Counter.builder("sluice.rls.calls")
        .description("Calls answered, by result")
        .tag("result", result)
        .register(registry);
  }

  CompletableFuture<Outcome> decide(RateLimitRequest request) {
    long start = System.nanoTime();
    List<CheckRequest> checks;
    try {
      checks = descriptors.checks(request);
    } catch (IllegalArgumentException e) {
      invalid.increment();
      return CompletableFuture.completedFuture(
          Outcome.failed(Status.INVALID_ARGUMENT.withDescription(e.getMessage())));
    }
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      overloaded.increment();
      return CompletableFuture.completedFuture(
          Outcome.failed(
              Status.RESOURCE_EXHAUSTED.withDescription(
                  maxInFlight + " calls in flight (sluice.rls.max.in.flight)")));
    }
    CompletableFuture<Outcome> result;
    DecisionClient c = client.get();
    if (c == null) {
      result =
          CompletableFuture.completedFuture(
              responses.withoutSluice(checks.size(), "not connected to Sluice yet"));
    } else {
      descriptorsSent.increment(checks.size());
      List<CompletableFuture<ClientDecision>> futures = new ArrayList<>(checks.size());
      try {
        for (CheckRequest check : checks) {
          futures.add(c.check(check));
        }
      } catch (RuntimeException e) {
        // Only a bug gets here (the checks are valid, their ids generated): answer, never leak
        // the in-flight slot.
        futures.add(CompletableFuture.failedFuture(e));
      }
      result =
          CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
              .thenApply(
                  ignored -> {
                    List<ClientDecision> decisions = new ArrayList<>(futures.size());
                    for (CompletableFuture<ClientDecision> f : futures) {
                      ClientDecision d = f.join();
                      if (d.source() == DecisionSource.FAIL_OPEN
                          || d.source() == DecisionSource.FAIL_CLOSED) {
                        policyDecisions.increment();
                      }
                      decisions.add(d);
                    }
                    return responses.response(decisions, windows);
                  });
    }
    return result
        .exceptionally(
            e ->
                Outcome.failed(
                    Status.INTERNAL.withDescription("internal error: " + e).withCause(e)))
        .whenComplete(
            (outcome, e) -> {
              inFlight.decrementAndGet();
              latency.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
              count(outcome);
            });
  }

  private void count(Outcome outcome) {
    if (outcome.error() == null) {
      if (outcome.response().getOverallCode() == RateLimitResponse.Code.OVER_LIMIT) {
        overLimit.increment();
      } else {
        ok.increment();
      }
    } else if (outcome.error().getCode() == Status.Code.UNAVAILABLE) {
      unavailable.increment();
    } else if (outcome.error().getCode() == Status.Code.INVALID_ARGUMENT) {
      invalid.increment();
    }
  }
}
