package dev.sluice.app;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.core.rule.FieldError;
import dev.sluice.core.rule.LimitRule;
import dev.sluice.core.rule.RuleValidation;
import dev.sluice.core.rule.RuleValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rules file (a JSON array of SPEC 1 rule objects) read and validated offline, with every error
 * found: each invalid field of each rule, duplicate ids, and JSON that does not parse.
 *
 * @param file the file, as named in messages
 * @param rules the valid rules in file order, by id (only meaningful when {@link #isValid()})
 * @param errors one line per problem: {@code file: rule "id" (#n): field: constraint (got v)}
 * @param ruleCount how many entries the array held
 */
public record RulesFile(
    Path file, Map<String, LimitRule> rules, List<String> errors, int ruleCount) {

  // Strict: a duplicated field in one rule is ambiguous, so it is an error, not last-wins.
  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .build();

  /** True when every rule is valid and ids are unique. */
  public boolean isValid() {
    return errors.isEmpty();
  }

  /**
   * Reads and validates {@code file}. Never throws for bad content: problems land in {@link
   * #errors()}.
   *
   * @throws CliException when the file cannot be read at all
   */
  public static RulesFile read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CliException("rules file " + file + " does not exist");
    } catch (IOException e) {
      throw new CliException("cannot read rules file " + file + ": " + e.getMessage(), e);
    }
    JsonNode root;
    try (JsonParser parser = STRICT.getFactory().createParser(bytes)) {
      root = STRICT.readTree(parser);
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : ":" + e.getLocation().getLineNr() + ":" + e.getLocation().getColumnNr();
      return invalid(file, file + where + ": not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new CliException("cannot read rules file " + file + ": " + e.getMessage(), e);
    }
    if (root == null || !root.isArray()) {
      return invalid(file, file + ": must be a JSON array of rule objects");
    }
    Map<String, LimitRule> rules = new LinkedHashMap<>();
    Map<String, Integer> firstIndex = new HashMap<>();
    List<String> errors = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      JsonNode node = root.get(i);
      if (!node.isObject()) {
        errors.add(file + ": rule #" + (i + 1) + ": must be a JSON object (got " + node + ")");
        continue;
      }
      RuleValidation v = RuleValidator.validateJson(node);
      String name = describe(v.id(), i);
      if (v.id() != null) {
        Integer first = firstIndex.putIfAbsent(v.id(), i);
        if (first != null) {
          errors.add(file + ": " + name + ": id: duplicate of rule #" + (first + 1));
        }
      }
      if (v.isValid()) {
        rules.putIfAbsent(v.rule().id(), v.rule());
      } else {
        for (FieldError error : v.errors()) {
          errors.add(file + ": " + name + ": " + error.message());
        }
      }
    }
    return new RulesFile(file, rules, List.copyOf(errors), root.size());
  }

  private static RulesFile invalid(Path file, String error) {
    return new RulesFile(file, Map.of(), List.of(error), 0);
  }

  private static String describe(String id, int index) {
    return id == null ? "rule #" + (index + 1) : "rule \"" + id + "\" (#" + (index + 1) + ")";
  }
}
