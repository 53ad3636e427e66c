package dev.sluice.app;

import dev.sluice.client.ClientDecision;
import dev.sluice.client.DecisionClient;
import dev.sluice.client.DecisionSource;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code sluice check --key K [--meta k=v]... [--cost N] [--json]}: asks the running service for
 * one decision through the decision-client, exactly as an application would, and prints it. A
 * denial is an answer (exit 0); no answer from the service within the timeout is a failure (exit
 * 1).
 */
public final class CheckCommand {
  static final String USAGE =
      "usage: sluice check --key K [--meta k=v]... [--cost N] [--json] [--timeout-ms MS] "
          + ClientOptions.USAGE;

  private CheckCommand() {}

  /** Runs {@code sluice check ...}; returns the exit code. */
  public static int run(List<String> argv, Io io) {
    Set<String> single = new HashSet<>(ClientOptions.NAMES);
    single.addAll(Set.of("--key", "--cost", "--timeout-ms"));
    Args args = Args.parse(argv, Set.of("--json"), single, Set.of("--meta"));
    args.positionals(0, "no positional arguments");
    String key = args.value("--key");
    if (key == null) {
      throw new UsageException("check needs --key K");
    }
    Map<String, String> metadata = args.keyValues("--meta");
    long cost = args.longValue("--cost", 1, 1, 1_000_000_000L);
    long timeoutMs = args.longValue("--timeout-ms", 5000, 1, 300_000);
    AppConfig config = ClientOptions.config(args, io);
    ClientDecision d;
    try (DecisionClient client = Decisions.client(config, Duration.ofMillis(timeoutMs))) {
      try {
        d = client.decide(key, metadata, cost);
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

  static String render(ClientDecision d) {
    StringBuilder sb = new StringBuilder();
    sb.append(d.allowed() ? "ALLOWED" : "DENIED").append("  ").append(d.key()).append('\n');
    line(sb, "reason", d.reason().name() + (d.shadow() ? " (shadow rule: allowed anyway)" : ""));
    line(sb, "rule", d.ruleId() == null ? "-" : d.ruleId());
    line(sb, "remaining", Decisions.remaining(d));
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
