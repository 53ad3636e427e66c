package dev.sluice.app;

import dev.sluice.client.CheckRequest;
import dev.sluice.client.ClientDecision;
import dev.sluice.client.DecisionClient;
import dev.sluice.client.DecisionSource;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code sluice check --key K [--meta k=v]... [--cost N] [--max-cost N] [--json]}: asks the running
 * service for one decision through the decision-client, exactly as an application would, and prints
 * it. {@code --cost 0} only checks (spends nothing); {@code --max-cost N} takes as many permits as
 * every limit of the rule allows, at least the cost and at most N (SPEC 2: N from the cost to 1e9,
 * and exactly 0 with cost 0). The output names the permits granted and the binding limit's index. A
 * denial is an answer (exit 0); no answer from the service within the timeout is a failure (exit
 * 1); arguments SPEC 2 refuses are a usage error naming the option (exit 2).
 */
public final class CheckCommand {
  static final String USAGE =
      "usage: sluice check --key K [--meta k=v]... [--cost N] [--max-cost N] [--json]"
          + " [--timeout-ms MS] "
          + ClientOptions.USAGE;

  private CheckCommand() {}

  /** Runs {@code sluice check ...}; returns the exit code. */
  public static int run(List<String> argv, Io io) {
    Set<String> single = new HashSet<>(ClientOptions.NAMES);
    single.addAll(Set.of("--key", "--cost", "--max-cost", "--timeout-ms"));
    Args args = Args.parse(argv, Set.of("--json"), single, Set.of("--meta"));
    args.positionals(0, "no positional arguments");
    String key = args.value("--key");
    if (key == null) {
      throw new UsageException("check needs --key K");
    }
    Map<String, String> metadata = args.keyValues("--meta");
    CheckRequest request = request(key, metadata, args);
    long timeoutMs = args.longValue("--timeout-ms", 5000, 1, 300_000);
    AppConfig config = ClientOptions.config(args, io);
    ClientDecision d;
    try (DecisionClient client = Decisions.client(config, Duration.ofMillis(timeoutMs))) {
      try {
        d = client.decide(request);
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
    }
    if (d.source() != DecisionSource.SERVICE) {
      throw new CliException(
          "no decision from the service ("
              + d.cause()
              + ") within "
              + timeoutMs
              + " ms: is a"
              + " Sluice instance running against "
              + config.bootstrapServers()
              + "?");
    }
    if (args.flag("--json")) {
      io.out().println(Decisions.toJson(d));
      return 0;
    }
    io.out().println(render(d));
    return 0;
  }

  /**
   * The check the options ask for, validated as SPEC 2 says before anything connects: {@code
   * --cost} 0 to 1e9 (default 1), {@code --max-cost} exactly 0 with cost 0, else the cost to 1e9
   * (default: the cost).
   *
   * @throws UsageException naming the option, its value and the constraint
   */
  static CheckRequest request(String key, Map<String, String> metadata, Args args) {
    long cost = args.longValue("--cost", 1, 0, 1_000_000_000L);
    String maxCostText = args.value("--max-cost");
    long maxCost = args.longValue("--max-cost", cost, Long.MIN_VALUE, Long.MAX_VALUE);
    try {
      return new CheckRequest(null, key, metadata, cost, maxCost);
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      if (maxCostText != null && message.startsWith("maxCost:")) {
        message = "--max-cost" + message.substring("maxCost".length());
      }
      throw new UsageException(message);
    }
  }

  static String render(ClientDecision d) {
    StringBuilder sb = new StringBuilder();
    sb.append(d.allowed() ? "ALLOWED" : "DENIED").append("  ").append(d.key()).append('\n');
    line(sb, "reason", d.reason().name() + (d.shadow() ? " (shadow rule: allowed anyway)" : ""));
    line(sb, "rule", d.ruleId() == null ? "-" : d.ruleId());
    line(sb, "remaining", Decisions.remaining(d));
    line(sb, "granted", d.granted() < 0 ? "-" : Long.toString(d.granted()));
    line(sb, "limit index", d.limitIndex() < 0 ? "-" : Integer.toString(d.limitIndex()));
    line(
        sb, "retry after", d.allowed() && !d.shadow() ? "-" : Decisions.duration(d.retryAfterMs()));
    line(sb, "reset after", d.resetAfterMs() < 0 ? "-" : Decisions.duration(d.resetAfterMs()));
    if (d.message() != null) {
      line(sb, "message", d.message());
    }
    line(sb, "request id", d.requestId());
    return sb.toString().stripTrailing();
  }

  private static void line(StringBuilder sb, String name, String value) {
    sb.append("  ").append(String.format("%-12s", name)).append(value).append('\n');
  }
}
