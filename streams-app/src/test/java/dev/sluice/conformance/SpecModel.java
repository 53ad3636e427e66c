package dev.sluice.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.Algorithm;
import dev.sluice.core.limit.ReferenceCounter;
import dev.sluice.core.rule.LimitRule;
import dev.sluice.core.rule.RuleValidation;
import dev.sluice.core.rule.RuleValidator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A second, deliberately naive reading of SPEC 1-7 used only to cross-check {@code simulate}:
 * linear scans instead of an index, full histories instead of compact counters (through {@link
 * ReferenceCounter}), and generations tracked by explicit reset events instead of offsets. It
 * answers valid requests only; tests feed it inputs whose requests are valid. Rule validation is
 * the production validator, which has its own fixture tests.
 */
final class SpecModel {
  private static final ObjectMapper JSON = new ObjectMapper();

  private record Active(LimitRule rule, int epoch) {}

  private final Map<String, Active> rules = new LinkedHashMap<>();
  private final Map<String, ReferenceCounter> counters = new HashMap<>();
  private int epochs;

  /** Applies a rule object as the rules topic would: invalid ones change nothing. */
  void upsert(JsonNode ruleJson) {
    RuleValidation v = RuleValidator.validateJson(ruleJson);
    if (!v.isValid()) {
      return;
    }
    LimitRule r = v.rule();
    Active prev = rules.get(r.id());
    boolean keep = prev != null && r.keepsCountersOf(prev.rule());
    rules.put(r.id(), new Active(r, keep ? prev.epoch() : ++epochs));
  }

  void delete(String id) {
    rules.remove(id);
  }

  /** The decision for one valid request, as SPEC 6 lays it out. */
  ObjectNode decide(String id, String key, Map<String, String> metadata, long cost, long t) {
    Active best = null;
    for (Active a : rules.values()) {
      if (a.rule().matches(key, metadata) && (best == null || before(a.rule(), best.rule()))) {
        best = a;
      }
    }
    ObjectNode d = JSON.createObjectNode();
    d.put("requestId", id);
    d.put("key", key);
    if (best == null) {
      d.put("allowed", true).put("reason", "NO_MATCHING_RULE").putNull("ruleId");
      d.put("limit", -1).put("remaining", -1).put("resetAfterMs", -1).put("retryAfterMs", -1);
      d.put("limitIndex", -1).put("granted", -1);
      d.put("timestampMs", t).put("shadow", false).putNull("message");
      return d;
    }
    LimitRule r = best.rule();
    StringBuilder counterId = new StringBuilder(r.id()).append('\u0000').append(key);
    for (String k : r.wildcardMetadataKeys()) {
      counterId.append('\u0000').append(metadata.get(k));
    }
    counterId.append('\u0000').append(best.epoch());
    ReferenceCounter c =
        counters.computeIfAbsent(
            counterId.toString(),
            x -> new ReferenceCounter(r.algorithm(), r.limit(), r.windowMillis()));
    c.setLimit(r.limit());
    ReferenceCounter.Result res = c.apply(t, cost);
    d.put("allowed", res.allowed() || r.shadow());
    d.put("reason", res.allowed() ? "ALLOWED" : "RATE_LIMITED");
    d.put("ruleId", r.id());
    d.put("limit", r.limit()).put("remaining", res.remaining());
    d.put("resetAfterMs", res.reset()).put("retryAfterMs", res.retry());
    // One limit (index 0), no maxCost: the cost is charged when allowed, nothing when denied.
    d.put("limitIndex", 0).put("granted", res.allowed() ? cost : 0);
    d.put("timestampMs", res.time()).put("shadow", r.shadow()).putNull("message");
    return d;
  }

  /** SPEC 3's order, written out tier by tier. */
  private static boolean before(LimitRule a, LimitRule b) {
    if (a.priority() != b.priority()) {
      return a.priority() > b.priority();
    }
    boolean aExact = !a.isPrefixPattern();
    boolean bExact = !b.isPrefixPattern();
    if (aExact != bExact) {
      return aExact;
    }
    if (!aExact && a.prefix().length() != b.prefix().length()) {
      return a.prefix().length() > b.prefix().length();
    }
    if (a.metadata().size() != b.metadata().size()) {
      return a.metadata().size() > b.metadata().size();
    }
    return a.id().compareTo(b.id()) < 0;
  }

  /** Runs a whole simulate input through the model. */
  static List<ObjectNode> run(List<JsonNode> rulesFile, List<String> requestLines)
      throws Exception {
    SpecModel m = new SpecModel();
    rulesFile.forEach(m::upsert);
    List<ObjectNode> out = new ArrayList<>();
    for (String line : requestLines) {
      JsonNode n = JSON.readTree(line);
      if (n.has("rule")) {
        m.upsert(n.get("rule"));
      } else if (n.has("deleteRuleId")) {
        m.delete(n.get("deleteRuleId").asText());
      } else {
        Map<String, String> md = new HashMap<>();
        if (n.hasNonNull("metadata")) {
          for (Map.Entry<String, JsonNode> e : n.get("metadata").properties()) {
            md.put(e.getKey(), e.getValue().asText());
          }
        }
        long cost = n.hasNonNull("cost") ? n.get("cost").asLong() : 1;
        out.add(
            m.decide(
                n.get("id").asText(),
                n.get("key").asText(),
                md,
                cost,
                n.get("timestampMs").asLong()));
      }
    }
    return out;
  }

  static Algorithm[] algorithms() {
    return Algorithm.values();
  }
}
