package dev.sluice.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.avro.AppliedRule;
import dev.sluice.core.rule.LimitRule;
import dev.sluice.core.rule.RuleValidation;
import dev.sluice.core.rule.RuleValidator;
import dev.sluice.schema.AvroCodec;
import dev.sluice.schema.CodecException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * {@code sluice rules validate|apply|list|delete}: the operator's view of the rules.
 *
 * <ul>
 *   <li>{@code validate FILE}: offline; reports every error of every rule, exit 1 if any.
 *   <li>{@code apply FILE [--prune] [--dry-run]}: reads the rules topic's current state and
 *       publishes only the rules that differ (as Avro, key = id); {@code --prune} tombstones the
 *       rules on the topic that the file does not have. All or nothing: one invalid rule in the
 *       file and nothing is published.
 *   <li>{@code list [--json]}: the rules as the service holds them (the validated rules topic,
 *       with their counter generation).
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
          apply(Args.parse(rest, Set.of("--prune", "--dry-run"), ClientOptions.NAMES, Set.of()), io);
      case "list" -> list(Args.parse(rest, Set.of("--json"), ClientOptions.NAMES, Set.of()), io);
      case "delete" -> delete(Args.parse(rest, Set.of(), ClientOptions.NAMES, Set.of()), io);
      default -> throw new UsageException("unknown rules subcommand '" + argv.get(0) + "'");
    };
  }

  static int validate(Args args, Io io) {
    RulesFile file = RulesFile.read(Path.of(args.positionals(1, "FILE").get(0)));
    if (!file.isValid()) {
      file.errors().forEach(io.err()::println);
      io.err().println(
          file.file() + ": " + file.errors().size() + " error(s) in " + file.ruleCount()
              + " rule(s)");
      return 1;
    }
    io.out().println(file.file() + ": " + file.ruleCount() + " rule(s), all valid");
    return 0;
  }

  static int apply(Args args, Io io) {
    RulesFile file = RulesFile.read(Path.of(args.positionals(1, "FILE").get(0)));
    if (!file.isValid()) {
      file.errors().forEach(io.err()::println);
      throw new CliException(
          file.file() + ": " + file.errors().size()
              + " error(s); nothing published (fix every rule, then apply again)");
    }
    AppConfig config = ClientOptions.config(args, io);
    String topic = config.sluice().rulesTopic();
    Map<String, RuleValidation> current = currentRules(config, topic);

    Map<String, LimitRule> toPublish = new LinkedHashMap<>();
    List<String> created = new ArrayList<>();
    List<String> updated = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();
    for (LimitRule rule : file.rules().values()) {
      RuleValidation now = current.get(rule.id());
      if (now == null) {
        created.add(rule.id());
        toPublish.put(rule.id(), rule);
      } else if (now.isValid() && now.rule().withGeneration(0).equals(rule.withGeneration(0))) {
        unchanged.add(rule.id());
      } else {
        updated.add(rule.id());
        toPublish.put(rule.id(), rule);
      }
    }
    List<String> extra =
        current.keySet().stream().filter(id -> !file.rules().containsKey(id)).sorted().toList();
    boolean prune = args.flag("--prune");
    List<String> deleted = prune ? extra : List.of();

    if (!args.flag("--dry-run")) {
      try (KafkaProducer<String, byte[]> producer = KafkaAccess.producer(config)) {
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        toPublish.forEach(
            (id, rule) ->
                sends.add(
                    producer.send(
                        new ProducerRecord<>(
                            topic, id, AvroCodec.RULE.encode(RuleJson.toAvro(rule))))));
        deleted.forEach(id -> sends.add(producer.send(new ProducerRecord<>(topic, id, null))));
        producer.flush();
        await(sends, topic);
      }
    }
    created.forEach(id -> io.out().println("  created    " + id));
    updated.forEach(id -> io.out().println("  updated    " + id));
    deleted.forEach(id -> io.out().println("  deleted    " + id));
    io.out().printf(
        "%s%s: created %d, updated %d, unchanged %d, deleted %d%n",
        args.flag("--dry-run") ? "dry run (nothing published) " : "",
        topic,
        created.size(),
        updated.size(),
        unchanged.size(),
        deleted.size());
    if (!prune && !extra.isEmpty()) {
      io.out().println(
          "  kept " + extra.size() + " rule(s) not in the file (use --prune to delete them): "
              + String.join(", ", extra));
    }
    return 0;
  }

  static int list(Args args, Io io) {
    args.positionals(0, "no arguments");
    AppConfig config = ClientOptions.config(args, io);
    Map<String, byte[]> raw = KafkaAccess.readLatest(config, config.sluice().rulesAppliedTopic());
    TreeMap<String, LimitRule> rules = new TreeMap<>();
    for (Map.Entry<String, byte[]> e : raw.entrySet()) {
      try {
        AppliedRule applied = AvroCodec.APPLIED_RULE.decode(e.getValue());
        RuleValidation v = RuleJson.validate(applied.getRule());
        if (v.isValid()) {
          rules.put(v.rule().id(), v.rule().withGeneration(applied.getGeneration()));
        } else {
          io.err().println("warning: applied rule " + e.getKey() + " no longer validates: "
              + v.errorMessage());
        }
      } catch (CodecException ex) {
        io.err().println("warning: cannot decode applied rule " + e.getKey() + ": "
            + ex.getMessage());
      }
    }
    if (args.flag("--json")) {
      ArrayNode array = RuleJson.MAPPER.createArrayNode();
      for (LimitRule rule : rules.values()) {
        ObjectNode node = RuleJson.toJson(rule);
        node.put("generation", rule.generation());
        array.add(node);
      }
      try {
        io.out().println(
            RuleJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(array));
      } catch (IOException e) {
        throw new CliException("cannot write JSON: " + e.getMessage(), e);
      }
      return 0;
    }
    TextTable table =
        new TextTable(
            "ID", "KEY", "LIMIT", "WINDOW", "ALGORITHM", "PRIORITY", "METADATA", "SHADOW",
            "GENERATION");
    for (LimitRule r : rules.values()) {
      table.add(
          r.id(),
          r.key(),
          r.limit(),
          r.windowSeconds() + "s",
          r.algorithm(),
          r.priority(),
          r.metadata().isEmpty()
              ? "-"
              : r.metadata().entrySet().stream()
                  .map(m -> m.getKey() + "=" + m.getValue())
                  .collect(Collectors.joining(",")),
          r.shadow() ? "yes" : "no",
          r.generation());
    }
    io.out().print(table);
    io.out().println(rules.size() + " rule(s) in " + config.sluice().rulesAppliedTopic());
    return 0;
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
      await(List.of(producer.send(new ProducerRecord<>(topic, id, null))), topic);
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
    KafkaAccess.readLatest(config, topic).forEach((id, bytes) -> out.put(id, decode(id, bytes)));
    return out;
  }

  static RuleValidation decode(String id, byte[] bytes) {
    try {
      if (AvroCodec.looksLikeSingleObject(bytes)) {
        return RuleJson.validate(AvroCodec.RULE.decode(bytes));
      }
      JsonNode node = RuleJson.MAPPER.readTree(new String(bytes, StandardCharsets.UTF_8));
      if (node != null && node.isObject()) {
        return RuleValidator.validateJson(node);
      }
    } catch (CodecException | IOException e) {
      // Falls through: an undecodable value is an invalid rule.
    }
    return new RuleValidation(
        null,
        List.of(new dev.sluice.core.rule.FieldError("value", null, "undecodable rule record")),
        id);
  }

  private static void await(List<Future<RecordMetadata>> sends, String topic) {
    Set<String> failures = new HashSet<>();
    for (Future<RecordMetadata> f : sends) {
      try {
        f.get();
      } catch (ExecutionException e) {
        failures.add(e.getCause().getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException("interrupted while publishing to " + topic, e);
      }
    }
    if (!failures.isEmpty()) {
      throw new CliException("publishing to " + topic + " failed: " + String.join("; ", failures));
    }
  }
}
