package dev.sluice.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.StreamsConfig;

/**
 * {@code sluice acls [--config FILE] [--app-principal P] [--admin-principal P] [--client-principal
 * P] [--client-reads-rules] [--commands] [--apply]}: the ACLs Sluice's principals need ({@link
 * AclPlan}) for the topic names, {@code application.id} and allowed reply-topic prefixes of a
 * configuration, printed as the table docs/SECURITY.md shows (default), as {@code kafka-acls.sh}
 * commands ({@code --commands}), or created on the cluster ({@code --apply}, as the principal of
 * {@code --config}, which must be allowed to alter ACLs). Principals default to {@code
 * User:sluice-app}, {@code User:sluice-admin} and {@code User:sluice-client}.
 */
public final class AclsCommand {
  static final String USAGE =
      String.join(
          "\n",
          "usage: sluice acls [--config FILE] [--app-principal P] [--admin-principal P]",
          "                   [--client-principal P] [--client-reads-rules] [--commands | --apply]");

  private AclsCommand() {}

  /** Runs {@code sluice acls ...}; returns the exit code. */
  public static int run(List<String> argv, Io io) {
    Args args =
        Args.parse(
            argv,
            Set.of("--client-reads-rules", "--commands", "--apply"),
            Set.of(
                "--config",
                "--bootstrap-servers",
                "--app-principal",
                "--admin-principal",
                "--client-principal"),
            Set.of());
    args.positionals(0, "no positional arguments");
    if (args.flag("--commands") && args.flag("--apply")) {
      throw new UsageException("--commands and --apply exclude each other");
    }
    AppConfig config = ClientOptions.config(args, io);
    String applicationId =
        config.sluice().passThrough().getOrDefault(StreamsConfig.APPLICATION_ID_CONFIG, "sluice");
    AclPlan plan = plan(config, applicationId, args);
    if (args.flag("--apply")) {
      try (Admin admin = KafkaAccess.admin(config)) {
        LocalSecurity.applyAcls(admin, plan);
      } catch (IllegalStateException e) {
        throw new CliException(e.getMessage(), e);
      }
      io.out()
          .println(
              "created "
                  + plan.bindings().size()
                  + " ACL(s) for "
                  + principals(plan)
                  + " on "
                  + config.bootstrapServers());
      return 0;
    }
    if (args.flag("--commands")) {
      io.out().print(plan.toKafkaAclsCommands(config.bootstrapServers()));
    } else {
      io.out().print(plan.toMarkdown());
    }
    return 0;
  }

  static AclPlan plan(AppConfig config, String applicationId, Args args) {
    String app = principal(args, "--app-principal", AclPlan.APP_USER);
    String admin = principal(args, "--admin-principal", AclPlan.ADMIN_USER);
    String client = principal(args, "--client-principal", AclPlan.CLIENT_USER);
    List<AclPlan.Grant> grants = new ArrayList<>();
    grants.addAll(AclPlan.app(app, config.sluice(), applicationId));
    grants.addAll(AclPlan.admin(admin, config.sluice()));
    grants.addAll(
        AclPlan.client(
            client,
            AclPlan.ClientAccess.standard(config.sluice(), args.flag("--client-reads-rules"))));
    return AclPlan.of(grants);
  }

  private static String principal(Args args, String option, String defaultUser) {
    String p = args.value(option);
    if (p == null) {
      return AclPlan.principal(defaultUser);
    }
    if (!p.matches("[A-Za-z]+:.+")) {
      throw new UsageException(option + " takes a Kafka principal, TYPE:NAME (got '" + p + "')");
    }
    return p;
  }

  private static String principals(AclPlan plan) {
    return String.join(
        ", ", plan.grants().stream().map(AclPlan.Grant::principal).distinct().toList());
  }
}
