package dev.sluice.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A second, deliberately naive reading of SPEC version 2, used only to cross-check {@code
 * simulate}. It shares no code with production: its own rule and request checks (for the input
 * space the conformance test generates), linear scans instead of an index, counters kept as full
 * charge histories (the token bucket as its two numbers), generations tracked by explicit epochs
 * per limit index, and least waits found by trying every millisecond instead of by closed forms
 * (the test keeps windows short so that stays cheap).
 *
 * <p>Invalid requests are recognised for the cases the generator produces one error at a time, and
 * only the field named in the message is predicted, not its wording.
 */
final class SpecModel {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_COST = 1_000_000_000L;
  private static final long MAX_TIME = 1L << 53;
  private static final Set<String> RULE_FIELDS =
      Set.of(
          "id",
          "key",
          "limit",
          "windowSeconds",
          "limits",
          "priority",
          "metadata",
          "algorithm",
          "shadow");
  private static final Set<String> ENTRY_FIELDS = Set.of("limit", "windowSeconds", "algorithm");
  private static final Set<String> ALGORITHMS =
      Set.of("FIXED_WINDOW", "SLIDING_WINDOW", "SLIDING_WINDOW_COUNTER", "TOKEN_BUCKET");

  /** One limit: permits per window, window in ms, effective algorithm. */
  record Lim(long limit, long windowMs, String algorithm) {}

  /** A valid rule as the model keeps it. */
  record Rule(
      String id,
      String key,
      int priority,
      TreeMap<String, String> metadata,
      boolean shadow,
      List<Lim> limits) {}

  private record Active(Rule rule, long[] epochs) {}

  /** A counter: the charges it was given (time, amount), its clock, and a token bucket's level. */
  private static final class Counter {
    final List<long[]> charges = new ArrayList<>();
    long clock;
    long tokensScaled; // TOKEN_BUCKET only: tokens * W
  }

  private final Map<String, Active> rules = new LinkedHashMap<>();
  private final Map<String, Counter> counters = new HashMap<>();
  private long epochs;

  /** Applies a rule object as the rules topic would: an invalid one changes nothing. */
  void upsert(JsonNode json) {
    Rule r = parseRule(json);
    if (r == null) {
      return;
    }
    Active prev = rules.get(r.id());
    long[] e = new long[r.limits().size()];
    for (int i = 0; i < e.length; i++) {
      boolean keep =
          prev != null
              && i < prev.rule().limits().size()
              && prev.rule().limits().get(i).algorithm().equals(r.limits().get(i).algorithm())
              && prev.rule().limits().get(i).windowMs() == r.limits().get(i).windowMs();
      e[i] = keep ? prev.epochs()[i] : ++epochs;
    }
    rules.put(r.id(), new Active(r, e));
  }

  void delete(String id) {
    rules.remove(id);
  }

  /** SPEC 1 for the shapes the test generates; null when invalid. */
  static Rule parseRule(JsonNode n) {
    if (!n.isObject()) {
      return null;
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      if (!RULE_FIELDS.contains(it.next())) {
        return null;
      }
    }
    JsonNode id = n.get("id");
    JsonNode key = n.get("key");
    if (id == null || !id.isTextual() || !id.textValue().matches("[A-Za-z0-9._:-]{1,128}")) {
      return null;
    }
    if (key == null || !key.isTextual()) {
      return null;
    }
    String k = key.textValue();
    if (k.isEmpty()
        || k.length() > 512
        || k.indexOf('*') >= 0 && k.indexOf('*') != k.length() - 1) {
      return null;
    }
    String algorithm = "SLIDING_WINDOW_COUNTER";
    JsonNode a = n.get("algorithm");
    if (a != null && !a.isNull()) {
      if (!a.isTextual() || !ALGORITHMS.contains(a.textValue())) {
        return null;
      }
      algorithm = a.textValue();
    }
    int priority = 0;
    JsonNode p = n.get("priority");
    if (p != null && !p.isNull()) {
      if (!p.isIntegralNumber() || !p.canConvertToInt()) {
        return null;
      }
      priority = p.intValue();
    }
    boolean shadow = false;
    JsonNode s = n.get("shadow");
    if (s != null && !s.isNull()) {
      if (!s.isBoolean()) {
        return null;
      }
      shadow = s.booleanValue();
    }
    TreeMap<String, String> metadata = new TreeMap<>();
    JsonNode m = n.get("metadata");
    if (m != null && !m.isNull()) {
      if (!m.isObject() || m.size() > 32) {
        return null;
      }
      for (Map.Entry<String, JsonNode> e : m.properties()) {
        if (e.getKey().isEmpty() || !e.getValue().isTextual()) {
          return null;
        }
        metadata.put(e.getKey(), e.getValue().textValue());
      }
    }
    JsonNode limit = n.get("limit");
    JsonNode window = n.get("windowSeconds");
    JsonNode limitsNode = n.get("limits");
    boolean topLevel = present(limit) || present(window);
    boolean list = present(limitsNode);
    if (topLevel == list) {
      return null;
    }
    List<Lim> limits = new ArrayList<>();
    if (topLevel) {
      Lim one = lim(limit, window, algorithm);
      if (one == null) {
        return null;
      }
      limits.add(one);
    } else {
      if (!limitsNode.isArray() || limitsNode.isEmpty() || limitsNode.size() > 8) {
        return null;
      }
      for (JsonNode entry : limitsNode) {
        if (!entry.isObject()) {
          return null;
        }
        for (Iterator<String> it = entry.fieldNames(); it.hasNext(); ) {
          if (!ENTRY_FIELDS.contains(it.next())) {
            return null;
          }
        }
        String entryAlgorithm = algorithm;
        JsonNode ea = entry.get("algorithm");
        if (ea != null && !ea.isNull()) {
          if (!ea.isTextual() || !ALGORITHMS.contains(ea.textValue())) {
            return null;
          }
          entryAlgorithm = ea.textValue();
        }
        Lim one = lim(entry.get("limit"), entry.get("windowSeconds"), entryAlgorithm);
        if (one == null) {
          return null;
        }
        for (Lim other : limits) {
          if (other.algorithm().equals(one.algorithm()) && other.windowMs() == one.windowMs()) {
            return null;
          }
        }
        limits.add(one);
      }
    }
    return new Rule(id.textValue(), k, priority, metadata, shadow, List.copyOf(limits));
  }

  private static boolean present(JsonNode n) {
    return n != null && !n.isNull();
  }

  private static Lim lim(JsonNode limit, JsonNode window, String algorithm) {
    if (!present(limit) || !present(window)) {
      return null;
    }
    if (!limit.isIntegralNumber() || !window.isIntegralNumber()) {
      return null;
    }
    if (!limit.canConvertToLong() || !window.canConvertToLong()) {
      return null;
    }
    long l = limit.longValue();
    long w = window.longValue();
    long maxLimit = algorithm.equals("SLIDING_WINDOW") ? 10_000 : MAX_COST;
    if (l < 0 || l > maxLimit || w < 1 || w > 2_678_400) {
      return null;
    }
    return new Lim(l, w * 1000, algorithm);
  }

  /** One request line (SPEC 2 and 7): its decision. */
  ObjectNode request(JsonNode n) {
    JsonNode idNode = n.get("id");
    JsonNode keyNode = n.get("key");
    String id = idNode != null && idNode.isTextual() ? idNode.textValue() : null;
    String key = keyNode != null && keyNode.isTextual() ? keyNode.textValue() : null;
    JsonNode ts = n.get("timestampMs");
    boolean tsInteger = ts != null && ts.isIntegralNumber();
    BigInteger tBig = tsInteger ? ts.bigIntegerValue() : null;

    String bad = null;
    if (id == null || id.isEmpty() || id.length() > 128) {
      bad = "id";
    } else if (key == null || key.isEmpty() || key.length() > 512) {
      bad = "key";
    }
    Map<String, String> metadata = new HashMap<>();
    JsonNode md = n.get("metadata");
    if (bad == null && md != null && !md.isNull()) {
      if (!md.isObject() || md.size() > 64) {
        bad = "metadata";
      } else {
        for (Map.Entry<String, JsonNode> e : md.properties()) {
          if (!e.getValue().isTextual()) {
            bad = "metadata";
            break;
          }
          metadata.put(e.getKey(), e.getValue().textValue());
        }
      }
    }
    long cost = 1;
    JsonNode c = n.get("cost");
    if (bad == null && present(c)) {
      if (!c.isIntegralNumber() || !c.canConvertToLong() || c.longValue() < 0) {
        bad = "cost";
      } else if (c.longValue() > MAX_COST) {
        bad = "cost";
      } else {
        cost = c.longValue();
      }
    }
    long maxCost = cost;
    JsonNode mc = n.get("maxCost");
    if (bad == null && present(mc)) {
      if (!mc.isIntegralNumber() || !mc.canConvertToLong()) {
        bad = "maxCost";
      } else {
        long v = mc.longValue();
        boolean ok = cost == 0 ? v == 0 : v >= cost && v <= MAX_COST;
        if (!ok) {
          bad = "maxCost";
        } else {
          maxCost = v;
        }
      }
    }
    if (bad == null
        && (!tsInteger || tBig.signum() < 0 || tBig.compareTo(BigInteger.valueOf(MAX_TIME)) > 0)) {
      bad = "timestampMs";
    }
    if (bad != null) {
      ObjectNode d = base(id, key);
      d.put("allowed", false).put("reason", "INVALID_REQUEST").putNull("ruleId");
      minusOnes(d);
      if (tsInteger) {
        d.put("timestampMs", tBig);
      } else {
        d.putNull("timestampMs");
      }
      d.put("shadow", false).put("message", bad);
      return d;
    }
    return decide(id, key, metadata, cost, maxCost, tBig.longValueExact());
  }

  private static ObjectNode base(String id, String key) {
    ObjectNode d = JSON.createObjectNode();
    d.put("requestId", id);
    d.put("key", key);
    return d;
  }

  private static void minusOnes(ObjectNode d) {
    d.put("limit", -1).put("remaining", -1).put("resetAfterMs", -1).put("retryAfterMs", -1);
    d.put("granted", -1).put("limitIndex", -1);
  }

  /** The decision for one valid request, SPEC 3 to 6. */
  ObjectNode decide(String id, String key, Map<String, String> metadata, long c, long m, long t) {
    Active best = null;
    for (Active a : rules.values()) {
      if (matches(a.rule(), key, metadata) && (best == null || before(a.rule(), best.rule()))) {
        best = a;
      }
    }
    ObjectNode d = base(id, key);
    if (best == null) {
      d.put("allowed", true).put("reason", "NO_MATCHING_RULE").putNull("ruleId");
      minusOnes(d);
      d.put("timestampMs", t).put("shadow", false).putNull("message");
      return d;
    }
    Rule r = best.rule();
    int n = r.limits().size();
    String[] ids = new String[n];
    Counter[] existing = new Counter[n];
    long tp = t;
    for (int i = 0; i < n; i++) {
      StringBuilder sb = new StringBuilder(r.id()).append('\u0000').append(i);
      sb.append('\u0000').append(best.epochs()[i]).append('\u0000').append(key);
      for (Map.Entry<String, String> e : r.metadata().entrySet()) {
        if (e.getValue().equals("*")) {
          sb.append('\u0000').append(metadata.get(e.getKey()));
        }
      }
      ids[i] = sb.toString();
      existing[i] = counters.get(ids[i]);
      if (existing[i] != null) {
        tp = Math.max(tp, existing[i].clock);
      }
    }
    // Each limit on its own counter at t'; absent counters evaluated as fresh.
    Counter[] view = new Counter[n];
    boolean allowed = true;
    long[] g = new long[n];
    boolean[] allows = new boolean[n];
    for (int i = 0; i < n; i++) {
      Lim lim = r.limits().get(i);
      view[i] = existing[i] != null ? copy(existing[i]) : fresh(lim);
      refill(view[i], lim, tp);
      allows[i] = allows(view[i], lim, tp, c);
      g[i] = largest(view[i], lim, tp);
      allowed &= allows[i];
    }
    long granted = 0;
    if (allowed) {
      granted = m;
      for (long gi : g) {
        granted = Math.min(granted, gi);
      }
      if (granted < c) {
        throw new AssertionError("model: granted below cost");
      }
    }
    // Charge (cost >= 1 only): create, move clocks, charge granted when allowed.
    Counter[] after = new Counter[n];
    for (int i = 0; i < n; i++) {
      Lim lim = r.limits().get(i);
      after[i] = c >= 1 ? view[i] : copy(view[i]);
      after[i].clock = tp;
      if (allowed && granted > 0) {
        charge(after[i], lim, tp, granted);
      }
      if (c >= 1) {
        counters.put(ids[i], after[i]);
      }
    }
    int binding = -1;
    long retry = 0;
    if (allowed) {
      long best2 = Long.MAX_VALUE;
      for (int i = 0; i < n; i++) {
        long rem = remaining(after[i], r.limits().get(i), tp);
        if (rem < best2) {
          best2 = rem;
          binding = i;
        }
      }
    } else {
      long bestWait = -2;
      boolean never = false;
      for (int i = 0; i < n; i++) {
        if (allows[i]) {
          continue;
        }
        Lim lim = r.limits().get(i);
        long w = c > lim.limit() ? Long.MAX_VALUE : leastWait(view[i], lim, tp, c);
        never |= w == Long.MAX_VALUE;
        if (w > bestWait) {
          bestWait = w;
          binding = i;
        }
      }
      retry = never ? -1 : bestWait;
    }
    Lim bl = r.limits().get(binding);
    d.put("allowed", allowed || r.shadow());
    d.put("reason", allowed ? "ALLOWED" : "RATE_LIMITED");
    d.put("ruleId", r.id());
    d.put("limit", bl.limit());
    d.put("remaining", remaining(after[binding], bl, tp));
    d.put("resetAfterMs", reset(after[binding], bl, tp));
    d.put("retryAfterMs", retry);
    d.put("granted", granted);
    d.put("limitIndex", binding);
    d.put("timestampMs", tp).put("shadow", r.shadow()).putNull("message");
    return d;
  }

  private static Counter fresh(Lim lim) {
    Counter f = new Counter();
    f.clock = Long.MIN_VALUE;
    f.tokensScaled = lim.limit() * lim.windowMs();
    return f;
  }

  private static Counter copy(Counter c) {
    Counter x = new Counter();
    for (long[] ch : c.charges) {
      x.charges.add(ch.clone());
    }
    x.clock = c.clock;
    x.tokensScaled = c.tokensScaled;
    return x;
  }

  /** The token bucket's refill step to time {@code t}; other algorithms keep their history. */
  private static void refill(Counter c, Lim lim, long t) {
    if (!lim.algorithm().equals("TOKEN_BUCKET")) {
      return;
    }
    if (c.clock != Long.MIN_VALUE) {
      long elapsed = Math.min(t - c.clock, lim.windowMs());
      c.tokensScaled =
          Math.min(
              lim.limit() * lim.windowMs(),
              Math.addExact(c.tokensScaled, Math.multiplyExact(elapsed, lim.limit())));
    }
    c.clock = t;
  }

  private static long sum(Counter c, long fromInclusive, long toExclusive) {
    long s = 0;
    for (long[] ch : c.charges) {
      if (ch[0] >= fromInclusive && ch[0] < toExclusive) {
        s += ch[1];
      }
    }
    return s;
  }

  /** The quantity each allow condition compares, scaled as SPEC 5 writes it. */
  private static boolean allows(Counter c, Lim lim, long t, long cost) {
    long w = lim.windowMs();
    long l = lim.limit();
    switch (lim.algorithm()) {
      case "FIXED_WINDOW" -> {
        long s = Math.floorDiv(t, w) * w;
        return sum(c, s, s + w) + cost <= l;
      }
      case "SLIDING_WINDOW" -> {
        return sum(c, t - w + 1, t + 1) + cost <= l;
      }
      case "SLIDING_WINDOW_COUNTER" -> {
        long s = Math.floorDiv(t, w) * w;
        long cur = sum(c, s, s + w);
        long prev = sum(c, s - w, s);
        return prev * (w - (t - s)) + (cur + cost) * w <= l * w;
      }
      default -> {
        return c.tokensScaled >= cost * w;
      }
    }
  }

  /** The largest cost the limit allows now (SPEC 5's g), found by its definition. */
  private static long largest(Counter c, Lim lim, long t) {
    long w = lim.windowMs();
    long l = lim.limit();
    return switch (lim.algorithm()) {
      case "FIXED_WINDOW" -> {
        long s = Math.floorDiv(t, w) * w;
        yield l - sum(c, s, s + w);
      }
      case "SLIDING_WINDOW" -> l - sum(c, t - w + 1, t + 1);
      case "SLIDING_WINDOW_COUNTER" -> {
        long s = Math.floorDiv(t, w) * w;
        long cur = sum(c, s, s + w);
        long prev = sum(c, s - w, s);
        yield Math.floorDiv(l * w - prev * (w - (t - s)) - cur * w, w);
      }
      default -> c.tokensScaled / w;
    };
  }

  private static void charge(Counter c, Lim lim, long t, long x) {
    if (lim.algorithm().equals("TOKEN_BUCKET")) {
      c.tokensScaled -= x * lim.windowMs();
    } else {
      c.charges.add(new long[] {t, x});
    }
  }

  private static long remaining(Counter c, Lim lim, long t) {
    return Math.max(0, largest(c, lim, t));
  }

  private static long reset(Counter c, Lim lim, long t) {
    long w = lim.windowMs();
    return switch (lim.algorithm()) {
      case "FIXED_WINDOW", "SLIDING_WINDOW_COUNTER" -> Math.floorDiv(t, w) * w + w - t;
      case "SLIDING_WINDOW" -> {
        long oldest = Long.MAX_VALUE;
        for (long[] ch : c.charges) {
          if (ch[0] > t - w && ch[0] <= t && ch[1] > 0) {
            oldest = Math.min(oldest, ch[0]);
          }
        }
        yield oldest == Long.MAX_VALUE ? 0 : oldest + w - t;
      }
      default -> {
        long l = lim.limit();
        yield l == 0 ? 0 : -Math.floorDiv(-(l * w - c.tokensScaled), l);
      }
    };
  }

  /** The least wait by trying each millisecond: nothing else arrives meanwhile. */
  private static long leastWait(Counter c, Lim lim, long t, long cost) {
    for (long d = 0; d <= 2 * lim.windowMs() + 1; d++) {
      Counter v = copy(c);
      refill(v, lim, t + d);
      if (allows(v, lim, t + d, cost)) {
        return d;
      }
    }
    throw new AssertionError("model: no wait found for " + lim);
  }

  private static boolean matches(Rule r, String key, Map<String, String> metadata) {
    if (r.key().endsWith("*")) {
      if (!key.startsWith(r.key().substring(0, r.key().length() - 1))) {
        return false;
      }
    } else if (!key.equals(r.key())) {
      return false;
    }
    for (Map.Entry<String, String> e : r.metadata().entrySet()) {
      String v = metadata.get(e.getKey());
      if (v == null || !e.getValue().equals("*") && !e.getValue().equals(v)) {
        return false;
      }
    }
    return true;
  }

  /** SPEC 3's order, written out tier by tier. */
  private static boolean before(Rule a, Rule b) {
    if (a.priority() != b.priority()) {
      return a.priority() > b.priority();
    }
    boolean aExact = !a.key().endsWith("*");
    boolean bExact = !b.key().endsWith("*");
    if (aExact != bExact) {
      return aExact;
    }
    if (!aExact && a.key().length() != b.key().length()) {
      return a.key().length() > b.key().length();
    }
    if (a.metadata().size() != b.metadata().size()) {
      return a.metadata().size() > b.metadata().size();
    }
    return a.id().compareTo(b.id()) < 0;
  }

  /** Runs a whole simulate input through the model: one decision per request line. */
  static List<ObjectNode> run(List<JsonNode> rulesFile, List<String> requestLines)
      throws Exception {
    SpecModel model = new SpecModel();
    rulesFile.forEach(model::upsert);
    List<ObjectNode> out = new ArrayList<>();
    for (String line : requestLines) {
      JsonNode n = JSON.readTree(line);
      if (n.has("rule")) {
        model.upsert(n.get("rule"));
      } else if (n.has("deleteRuleId")) {
        model.delete(n.get("deleteRuleId").asText());
      } else {
        out.add(model.request(n));
      }
    }
    return out;
  }
}
