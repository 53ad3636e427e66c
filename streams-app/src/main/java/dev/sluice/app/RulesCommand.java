package dev.sluice.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.avro.Rule;
import dev.sluice.core.rule.FieldError;
import dev.sluice.core.rule.LimitRule;
import dev.sluice.core.rule.RuleValidation;
import dev.sluice.core.rule.RuleValidator;
import dev.sluice.schema.AvroCodec;
import dev.sluice.schema.CodecException;
import dev.sluice.schema.RuleCodec;
import dev.sluice.schema.registry.SchemaRegistryException;
import dev.sluice.schema.registry.WireFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * {@code sluice rules validate|apply|list|delete}: the operator's view of the rules.
 *
 * <ul>
 *   <li>{@code validate FILE}: offline; reports every error of every rule, exit 1 if any; when all
 *       are valid, one line per rule with each of its limits ({@link RuleSummary}).
 *   <li>{@code apply FILE [--prune] [--dry-run]}: reads the rules topic's current state and
 *       publishes only the rules that differ (as Avro, key = id); {@code --prune} tombstones the
 *       rules on the topic that the file does not have. All or nothing: one invalid rule in the
 *       file and nothing is published.
 *   <li>{@code list [--json]}: the rules as the service holds them (the validated rules topic, with
 *       their counter generation).
 *   <li>{@code delete ID}: publishes a tombstone for the rule.
 * </ul>
 */
public final class RulesCommand {
  static final String USAGE =
      String.join(
          "\n",
          "usage: sluice rules validate FILE",
          "       sluice rules apply FILE [--prune] [--dry-run] " + ClientOptions.USAGE,
          "       sluice rules list [--json] " + ClientOptions.USAGE,
          "       sluice rules delete ID " + ClientOptions.USAGE);

  private RulesCommand() {}

  /** Runs {@code sluice rules ...}; returns the exit code. */
  public static int run(List<String> argv, Io io) {
    if (argv.isEmpty()) {
      throw new UsageException("rules needs a subcommand: validate, apply, list or delete");
    }
    List<String> rest = argv.subList(1, argv.size());
    return switch (argv.get(0)) {
      case "validate" -> validate(Args.parse(rest, Set.of(), Set.of(), Set.of()), io);
      case "apply" ->
          apply(
              Args.parse(rest, Set.of("--prune", "--dry-run"), ClientOptions.NAMES, Set.of()), io);
      case "list" -> list(Args.parse(rest, Set.of("--json"), ClientOptions.NAMES, Set.of()), io);
      case "delete" -> delete(Args.parse(rest, Set.of(), ClientOptions.NAMES, Set.of()), io);
      default -> throw new UsageException("unknown rules subcommand '" + argv.get(0) + "'");
    };
  }

  static int validate(Args args, Io io) {
    RulesFile file = RulesFile.read(Path.of(args.positionals(1, "FILE").get(0)));
    if (!file.isValid()) {
      file.errors().forEach(io.err()::println);
      io.err()
          .println(
              file.file()
                  + ": "
                  + file.errors().size()
                  + " error(s) in "
                  + file.ruleCount()
                  + " rule(s)");
      return 1;
    }
    io.out().println(file.file() + ": " + file.ruleCount() + " rule(s), all valid");
    RuleSummary.lines(file.rules().values()).forEach(io.out()::println);
    return 0;
  }

  static int apply(Args args, Io io) {
    RulesFile file = RulesFile.read(Path.of(args.positionals(1, "FILE").get(0)));
    if (!file.isValid()) {
      file.errors().forEach(io.err()::println);
      throw new CliException(
          file.file()
              + ": "
              + file.errors().size()
              + " error(s); nothing published (fix every rule, then apply again)");
    }
    AppConfig config = ClientOptions.config(args, io);
    String topic = config.sluice().rulesTopic();
    RulesApplier.Plan plan =
        RulesApplier.plan(currentRules(config, topic), file.rules(), args.flag("--prune"));
    boolean dryRun = args.flag("--dry-run");
    if (!dryRun) {
      RulesApplier.publish(config, topic, plan);
    }
    plan.created()
        .forEach(id -> io.out().println("  created    " + published(plan.toPublish().get(id))));
    plan.updated()
        .forEach(id -> io.out().println("  updated    " + published(plan.toPublish().get(id))));
    plan.deleted().forEach(id -> io.out().println("  deleted    " + id));
    io.out()
        .println((dryRun ? "dry run, nothing published: " : "") + topic + ": " + plan.summary());
    if (!plan.kept().isEmpty()) {
      io.out()
          .println(
              "  kept "
                  + plan.kept().size()
                  + " rule(s) not in the file (--prune deletes them): "
                  + String.join(", ", plan.kept()));
    }
    return 0;
  }

  /** {@code id key limits...} of a rule being published. */
  private static String published(LimitRule rule) {
    return RuleSummary.lines(List.of(rule)).get(0).strip();
  }

  static int list(Args args, Io io) {
    args.positionals(0, "no arguments");
    AppConfig config = ClientOptions.config(args, io);
    Map<String, byte[]> raw = KafkaAccess.readLatest(config, config.sluice().rulesAppliedTopic());
    TreeMap<String, LimitRule> rules = new TreeMap<>();
    for (Map.Entry<String, byte[]> e : raw.entrySet()) {
      try {
        LimitRule rule = RuleCodec.fromApplied(AvroCodec.APPLIED_RULE.decode(e.getValue()));
        rules.put(rule.id(), rule);
      } catch (CodecException ex) {
        io.err()
            .println("warning: cannot decode applied rule " + e.getKey() + ": " + ex.getMessage());
      }
    }
    if (args.flag("--json")) {
      ArrayNode array = RuleJson.MAPPER.createArrayNode();
      for (LimitRule rule : rules.values()) {
        ObjectNode node = RuleJson.toJson(rule);
        node.put("generation", rule.generation());
        if (rule.limitsForm()) {
          ArrayNode generations = node.putArray("limitGenerations");
          rule.limits().forEach(l -> generations.add(l.generation()));
        }
        array.add(node);
      }
      try {
        io.out()
            .println(RuleJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(array));
      } catch (IOException e) {
        throw new CliException("cannot write JSON: " + e.getMessage(), e);
      }
      return 0;
    }
    TextTable table =
        new TextTable(
            "ID",
            "KEY",
            "LIMIT",
            "WINDOW",
            "ALGORITHM",
            "PRIORITY",
            "METADATA",
            "SHADOW",
            "GENERATION");
    for (LimitRule r : rules.values()) {
      table.add(
          r.id(),
          r.key(),
          joined(r, l -> String.valueOf(l.limit())),
          joined(r, l -> l.windowSeconds() + "s"),
          r.limitsForm() ? joined(r, l -> l.algorithm().name()) : r.algorithm(),
          r.priority(),
          r.metadata().isEmpty()
              ? "-"
              : r.metadata().entrySet().stream()
                  .map(m -> m.getKey() + "=" + m.getValue())
                  .collect(Collectors.joining(",")),
          r.shadow() ? "yes" : "no",
          joined(r, l -> String.valueOf(l.generation())));
    }
    io.out().print(table);
    io.out().println(rules.size() + " rule(s) in " + config.sluice().rulesAppliedTopic());
    return 0;
  }

  /** One column of a rule's limits, comma-separated by index (one value for the top-level form). */
  private static String joined(LimitRule r, Function<LimitRule.Limit, String> column) {
    return r.limits().stream().map(column).collect(Collectors.joining(","));
  }

  static int delete(Args args, Io io) {
    String id = args.positionals(1, "ID").get(0);
    AppConfig config = ClientOptions.config(args, io);
    String topic = config.sluice().rulesTopic();
    Map<String, RuleValidation> current = currentRules(config, topic);
    if (!current.containsKey(id)) {
      throw new CliException("no rule with id '" + id + "' on " + topic + "; nothing deleted");
    }
    try (KafkaProducer<String, byte[]> producer = KafkaAccess.producer(config)) {
      RulesApplier.await(List.of(producer.send(new ProducerRecord<>(topic, id, null))), topic);
    }
    io.out().println("deleted " + id + " (tombstone on " + topic + ")");
    return 0;
  }

  /**
   * The rules topic's state: latest value per id, decoded (Avro or JSON) and validated. An
   * undecodable value counts as an invalid rule, so that {@code apply} replaces it.
   */
  static Map<String, RuleValidation> currentRules(AppConfig config, String topic) {
    Map<String, RuleValidation> out = new LinkedHashMap<>();
    WireFormat<Rule> format = RulesApplier.rulesFormat(config, topic);
    KafkaAccess.readLatest(config, topic)
        .forEach((id, bytes) -> out.put(id, decode(id, bytes, format)));
    return out;
  }

  static RuleValidation decode(String id, byte[] bytes) {
    return decode(id, bytes, WireFormat.embedded(AvroCodec.RULE));
  }

  /**
   * A rules-topic value in any of its forms; {@code format} reads the Avro ones.
   *
   * @throws CliException when the schema registry cannot answer
   */
  static RuleValidation decode(String id, byte[] bytes, WireFormat<Rule> format) {
    try {
      WireFormat.Encoding encoding = WireFormat.sniff(bytes);
      if (encoding == WireFormat.Encoding.SINGLE_OBJECT
          || encoding == WireFormat.Encoding.REGISTRY) {
        return RuleCodec.validate(format.decode(bytes));
      }
      JsonNode node = RuleJson.MAPPER.readTree(new String(bytes, StandardCharsets.UTF_8));
      if (node != null && node.isObject()) {
        return RuleValidator.validateJson(node);
      }
    } catch (CodecException | IOException e) {
      // Falls through: an undecodable value is an invalid rule.
    } catch (SchemaRegistryException e) {
      if (e.isRetriable()) {
        throw new CliException("cannot read rule " + id + ": " + e.getMessage(), e);
      }
    }
    return new RuleValidation(
        null, List.of(new FieldError("value", null, "undecodable rule record")), id);
  }
}
