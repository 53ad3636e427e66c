package dev.sluice.app;

import dev.sluice.simulate.SimulateCommand;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

/**
 * The {@code sluice} command line: {@code sluice <command> [args]}. Each command is one entry in
 * {@link #COMMANDS}, implemented in its own class; this class only dispatches, maps failures to
 * exit codes (0 ok, 1 failure, 2 bad usage) and prints them without stack traces.
 */
public final class SluiceMain {
  /** A subcommand: takes its arguments and the streams, returns the exit status. */
  @FunctionalInterface
  interface Command {
    int run(String[] args, PrintStream out, PrintStream err) throws Exception;
  }

  static final String USAGE =
      String.join(
          "\n",
          "usage: sluice <command> [args]",
          "",
          "  local [--secure] [--duration S] [--port P] [--http-port P] [--rules FILE]",
          "                         a whole Sluice on this machine: embedded Kafka, one instance,",
          "                         examples/rules.json (or --rules) and a live demo; until Ctrl-C",
          "                         (--secure: SASL/SCRAM users and ACLs, docs/SECURITY.md)",
          "  run --config FILE [--create-topics [--partitions N]] [--allow-create-time]",
          "                         one production instance against an existing cluster",
          "  rules validate FILE    check a rules file offline, every error reported",
          "  rules apply FILE [--prune] [--dry-run]",
          "                         publish what changed (all or nothing)",
          "  rules list [--json]    the rules as the service holds them",
          "  rules delete ID        delete a rule",
          "  check --key K [--meta k=v]... [--cost N] [--max-cost N] [--json] [--timeout-ms MS]",
          "                         ask the service for one decision (--cost 0: check only;",
          "                         --max-cost: take up to N permits)",
          "  acls [--config FILE] [--commands | --apply]",
          "                         the ACLs each principal needs (docs/SECURITY.md)",
          "  simulate --rules RULES.json --requests REQUESTS.jsonl",
          "                         decisions without a broker (docs/SIMULATE.md)",
          "  bench [--rates 1000,10000,50000,max] [--guarantee ...] [--out DIR] ...",
          "                         end-to-end benchmark against a raw relay (docs/PERFORMANCE.md)",
          "  rls [--port P] [--http-port P] [--config FILE]",
          "                         Envoy's rate-limit gRPC API and HTTP /json (docs/RLS.md)",
          "",
          "Commands that talk to Kafka take --config FILE and --bootstrap-servers HOST:PORT",
          "(default localhost:9092, where `sluice local` listens). SLUICE_* environment variables",
          "override settings: SLUICE_BOOTSTRAP_SERVERS sets bootstrap.servers.");

  private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

  static {
    COMMANDS.put("local", (args, out, err) -> LocalCommand.run(list(args), io(out, err)));
    COMMANDS.put("run", (args, out, err) -> RunCommand.run(list(args), io(out, err)));
    COMMANDS.put("rules", (args, out, err) -> RulesCommand.run(list(args), io(out, err)));
    COMMANDS.put("check", (args, out, err) -> CheckCommand.run(list(args), io(out, err)));
    COMMANDS.put("acls", (args, out, err) -> AclsCommand.run(list(args), io(out, err)));
    COMMANDS.put("simulate", SimulateCommand::run);
    COMMANDS.put("bench", (args, out, err) -> BenchCommand.run(list(args), io(out, err)));
  }

  private SluiceMain() {}

  /** Entry point; exits with the command's status. */
  public static void main(String[] args) throws Exception {
    configureLogging(args.length == 0 ? "" : args[0]);
    int status = dispatch(args, System.out, System.err);
    System.out.flush();
    System.exit(status);
  }

  /**
   * Runs one command line and returns its exit status: 0 success, 1 failure (message on {@code
   * err}), 2 bad usage (message and usage on {@code err}).
   */
  static int dispatch(String[] args, PrintStream out, PrintStream err) throws Exception {
    if (args.length == 0
        || args[0].equals("--help")
        || args[0].equals("-h")
        || args[0].equals("help")) {
      (args.length == 0 ? err : out).println(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    Command command = COMMANDS.get(args[0]);
    if (command == null) {
      err.println("sluice: unknown command '" + args[0] + "'");
      err.println(USAGE);
      return 2;
    }
    String usage = usageOf(args[0]);
    if (usage != USAGE && Arrays.stream(args).skip(1).anyMatch(SluiceMain::asksForHelp)) {
      out.println(usage);
      return 0;
    }
    try {
      return command.run(Arrays.copyOfRange(args, 1, args.length), out, err);
    } catch (UsageException e) {
      err.println("sluice " + args[0] + ": " + e.getMessage());
      err.println(usageOf(args[0]));
      return e.exitCode();
    } catch (CliException e) {
      err.println("sluice " + args[0] + ": " + e.getMessage());
      return e.exitCode();
    } catch (AuthenticationException e) {
      err.println(
          "sluice "
              + args[0]
              + ": Kafka refused the login: "
              + e.getMessage()
              + " (check security.protocol, sasl.* and ssl.* in --config; docs/SECURITY.md)");
      return 1;
    } catch (AuthorizationException e) {
      err.println(
          "sluice "
              + args[0]
              + ": Kafka refused the request: "
              + e.getMessage()
              + " (the principal of --config lacks an ACL; docs/SECURITY.md lists what each"
              + " principal needs)");
      return 1;
    }
  }

  private static boolean asksForHelp(String arg) {
    return arg.equals("--help") || arg.equals("-h");
  }

  /** The usage of a command that has its own, else {@link #USAGE} (the same instance). */
  private static String usageOf(String command) {
    return switch (command) {
      case "local" -> LocalCommand.USAGE;
      case "run" -> RunCommand.USAGE;
      case "rules" -> RulesCommand.USAGE;
      case "check" -> CheckCommand.USAGE;
      case "acls" -> AclsCommand.USAGE;
      default -> USAGE;
    };
  }

  /**
   * Quiet library logging for commands whose output is for people or pipes (slf4j-simple reads
   * these properties once, before the first logger); {@code -D} settings on the command line win.
   */
  private static void configureLogging(String command) {
    String level =
        switch (command) {
          // Decisions go to stdout and messages to stderr: keep library logging out of both.
          case "simulate" -> "off";
          case "run" -> "warn";
          default -> "error";
        };
    setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", level);
    if (command.equals("run")) {
      setIfAbsent("org.slf4j.simpleLogger.log.dev.sluice", "info");
      setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
    }
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  private static List<String> list(String[] args) {
    return List.of(args);
  }

  private static Io io(PrintStream out, PrintStream err) {
    return new Io(out, err, System.getenv());
  }
}
