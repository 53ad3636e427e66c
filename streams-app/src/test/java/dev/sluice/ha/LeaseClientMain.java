package dev.sluice.ha;

import dev.sluice.client.ClientDecision;
import dev.sluice.client.ClientMetrics;
import dev.sluice.client.DecisionClient;
import dev.sluice.client.DecisionClientConfig;
import dev.sluice.client.DecisionSource;
import dev.sluice.client.FailurePolicy;
import dev.sluice.client.LeaseSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One leasing client instance in its own JVM, for {@link LeaseIntegrationTest}: from {@code
 * startAtMs} to {@code endAtMs} (wall clock) it checks every key once per millisecond (cost 1,
 * without waiting for the answers), then writes its admission log: one line per allowed decision of
 * a rule, {@code timestampMs source ruleId key} (and {@code timestampMs FAILED key key} for a check
 * the service did not answer in time), where {@code timestampMs} is the service's t' for a service
 * decision and this JVM's clock when a lease answered. The last line is {@code # metrics ...}.
 *
 * <p>Arguments: {@code bootstrap replyPartition startAtMs endAtMs horizonMs maxShare out key...}
 */
public final class LeaseClientMain {
  private LeaseClientMain() {}

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    int replyPartition = Integer.parseInt(args[1]);
    long startAt = Long.parseLong(args[2]);
    long endAt = Long.parseLong(args[3]);
    long horizonMs = Long.parseLong(args[4]);
    double maxShare = Double.parseDouble(args[5]);
    Path out = Path.of(args[6]);
    List<String> keys = List.of(args).subList(7, args.length);
    DecisionClientConfig config =
        DecisionClientConfig.builder(bootstrap)
            .replyPartitions(replyPartition)
            .timeout(Duration.ofSeconds(2))
            .failurePolicy(FailurePolicy.FAIL_CLOSED)
            .leasing(
                LeaseSettings.defaults()
                    .withHorizon(Duration.ofMillis(horizonMs))
                    .withMaxShare(maxShare)
                    .withMaxWaiters(1000))
            .build();
    ConcurrentLinkedQueue<String> admitted = new ConcurrentLinkedQueue<>();
    long checks = 0;
    ClientMetrics m;
    try (DecisionClient client = DecisionClient.create(config)) {
      System.out.println("ready");
      long wait = startAt - System.currentTimeMillis();
      if (wait > 0) {
        Thread.sleep(wait);
      }
      long next = System.nanoTime();
      while (System.currentTimeMillis() < endAt) {
        for (String key : keys) {
          checks++;
          client
              .check(key, Map.of(), 1)
              .thenAccept(
                  d -> {
                    if (d.allowed() && d.ruleId() != null) {
                      admitted.add(line(d));
                    } else if (d.source() == DecisionSource.FAIL_CLOSED) {
                      // Not answered in time (or refused as overloaded): the test leaves this
                      // key's window out of its admission floor. Local time, as the policy's.
                      admitted.add(d.timestampMs() + " FAILED " + key + " " + key);
                    }
                  });
        }
        next += TimeUnit.MILLISECONDS.toNanos(1);
        long sleep = next - System.nanoTime();
        if (sleep > 0) {
          LockSupport.parkNanos(sleep);
        }
      }
      // Let the checks in flight complete (answers or FAIL_CLOSED at their deadline).
      Thread.sleep(config.timeout().toMillis() + 500);
      m = client.metrics();
    }
    StringBuilder sb = new StringBuilder();
    for (String s : admitted) {
      sb.append(s).append('\n');
    }
    sb.append("# metrics checks=")
        .append(checks)
        .append(" leaseHits=")
        .append(m.leaseHits())
        .append(" leaseRequests=")
        .append(m.leaseRequests())
        .append(" leasedPermits=")
        .append(m.leasedPermits())
        .append(" expiredLeasePermits=")
        .append(m.expiredLeasePermits())
        .append(" leaseBypassed=")
        .append(m.leaseBypassed())
        .append(" timedOut=")
        .append(m.timedOut())
        .append(" overloaded=")
        .append(m.overloaded())
        .append('\n');
    try {
      Files.writeString(out, sb.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      e.printStackTrace();
      System.exit(3);
    }
    System.out.println("done " + sb.substring(sb.lastIndexOf("# metrics")));
    System.exit(0);
  }

  private static String line(ClientDecision d) {
    return d.timestampMs() + " " + d.source() + " " + d.ruleId() + " " + d.key();
  }
}
