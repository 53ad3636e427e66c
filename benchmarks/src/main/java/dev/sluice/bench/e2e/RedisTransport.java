package dev.sluice.bench.e2e;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code redis} targets' transport: a fixed-window limiter as envoy's ratelimit service builds
 * it on Redis (its {@code src/redis/fixed_cache_impl.go}). Each check is one pipeline of {@code
 * INCRBY <key> 1} and {@code EXPIRE <key> <window>}, written to the socket in one flush, on the key
 * {@code <domain>_<key>_<window start>}; the check allows when the count is at most the limit, and
 * the reply is recorded when both answers are in. The limit and window are the bench rules' first
 * ({@value #LIMIT} per {@value #WINDOW_SECONDS} s), far above the load, as for Sluice.
 *
 * <p>Lettuce's asynchronous API over {@link #CONNECTIONS} connections used in turn (one per core of
 * the 2-core machine, each on its own event-loop thread); envoy's service keeps a pool of
 * connections the same way. The driver's sender is one thread, so turning auto-flush off on each
 * connection and flushing after each check's two commands is safe.
 */
final class RedisTransport implements LoadDriver.Transport {
  /** Connections (and Netty event-loop threads): one per core here. */
  static final int CONNECTIONS = 2;

  /** Permits per window, as the bench rules' one-limit form. */
  static final long LIMIT = 1_000_000;

  /** The fixed window, as the bench rules'. */
  static final long WINDOW_SECONDS = 60;

  private static final String DOMAIN = "bench";

  private final LoadDriver driver;
  private final ClientResources resources;
  private final RedisClient client;
  private final List<StatefulRedisConnection<String, String>> connections = new ArrayList<>();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong overLimit = new AtomicLong();

  RedisTransport(LoadDriver driver, String host, int port) {
    this.driver = driver;
    this.resources =
        DefaultClientResources.builder()
            .ioThreadPoolSize(CONNECTIONS)
            .computationThreadPoolSize(CONNECTIONS)
            .build();
    this.client =
        RedisClient.create(
            resources,
            RedisURI.builder()
                .withHost(host)
                .withPort(port)
                .withTimeout(Duration.ofSeconds(30))
                .build());
    for (int i = 0; i < CONNECTIONS; i++) {
      StatefulRedisConnection<String, String> c = client.connect();
      c.setAutoFlushCommands(false);
      connections.add(c);
    }
  }

  @Override
  public void send(long seq, String key) {
    StatefulRedisConnection<String, String> c = connections.get((int) (seq % CONNECTIONS));
    RedisAsyncCommands<String, String> redis = c.async();
    long now = System.currentTimeMillis() / 1000;
    String counter = DOMAIN + "_" + key + "_" + (now - now % WINDOW_SECONDS);
    RedisFuture<Long> count = redis.incrby(counter, 1);
    RedisFuture<Boolean> expire = redis.expire(counter, WINDOW_SECONDS);
    c.flushCommands();
    count
        .thenCombine(expire, (n, ignored) -> n)
        .whenComplete(
            (n, error) -> {
              long t = System.nanoTime();
              if (error != null) {
                failures.incrementAndGet();
                driver.stray(t);
                return;
              }
              if (n > LIMIT) {
                overLimit.incrementAndGet();
              }
              driver.replied(seq, t);
            });
  }

  @Override
  public void flush() {
    // every check is flushed as it is sent
  }

  /** Checks that ended in an error (no reply recorded). */
  long failures() {
    return failures.get();
  }

  /** Checks denied (over {@link #LIMIT}); 0 unless the load exceeds the bench rules' limit. */
  long overLimit() {
    return overLimit.get();
  }

  @Override
  public void close() {
    for (StatefulRedisConnection<String, String> c : connections) {
      c.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
    resources.shutdown(0, 5, TimeUnit.SECONDS);
  }
}
