package dev.sluice.bench.e2e;

import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code rls} target's transport: each request is one {@code ShouldRateLimit} call with one
 * descriptor {@code {user=<rank>}} in the domain {@link #DOMAIN}, sent with the generated async
 * stub over one HTTP/2 channel, as Envoy calls a rate-limit service. A call that fails (a gRPC
 * error, e.g. {@code UNAVAILABLE} when Sluice did not answer in time) is not a reply: it counts in
 * {@link #failures()} and leaves its request unanswered in the step's figures.
 */
final class RlsTransport implements LoadDriver.Transport {
  /** The domain of every call. */
  static final String DOMAIN = "rls";

  private final LoadDriver driver;
  private final ManagedChannel channel;
  private final RateLimitServiceGrpc.RateLimitServiceStub stub;
  private final AtomicLong failures = new AtomicLong();

  RlsTransport(LoadDriver driver, String host, int port) {
    this.driver = driver;
    // Replies are recorded on the event loop (a counter and a histogram entry): no executor hop.
    this.channel =
        ManagedChannelBuilder.forAddress(host, port).usePlaintext().directExecutor().build();
    this.stub = RateLimitServiceGrpc.newStub(channel);
  }

  /** The Sluice key of a bench key ({@code user:<rank>}) as the RLS server forms it. */
  static String sluiceKey(String benchKey) {
    return DOMAIN + "/user=" + benchKey.substring(benchKey.indexOf(':') + 1);
  }

  @Override
  public void send(long seq, String key) {
    RateLimitRequest request =
        RateLimitRequest.newBuilder()
            .setDomain(DOMAIN)
            .addDescriptors(
                RateLimitDescriptor.newBuilder()
                    .addEntries(
                        RateLimitDescriptor.Entry.newBuilder()
                            .setKey("user")
                            .setValue(key.substring(key.indexOf(':') + 1))))
            .build();
    stub.shouldRateLimit(
        request,
        new StreamObserver<RateLimitResponse>() {
          @Override
          public void onNext(RateLimitResponse value) {
            driver.replied(seq, System.nanoTime());
          }

          @Override
          public void onError(Throwable t) {
            failures.incrementAndGet();
            driver.stray(System.nanoTime());
          }

          @Override
          public void onCompleted() {}
        });
  }

  @Override
  public void flush() {
    // gRPC writes each call as it is made
  }

  /** Calls that ended in a gRPC error. */
  long failures() {
    return failures.get();
  }

  @Override
  public void close() {
    channel.shutdown();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    channel.shutdownNow();
  }
}
