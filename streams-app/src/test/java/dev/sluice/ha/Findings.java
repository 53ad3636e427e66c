package dev.sluice.ha;

import dev.sluice.client.ClientDecision;
import dev.sluice.client.DecisionSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The figures of one scenario, from three sources that do not depend on each other: the load's
 * ledger (what each caller got, and when), the requests topic (what was actually asked) and the
 * decisions topic read at the source ({@link DecisionLog}).
 *
 * <ul>
 *   <li><b>no decision</b>: a check whose future never completed (the client's contract says this
 *       cannot happen), and a request written to the requests topic with no decision on the
 *       decisions topic (a decision lost at the source);
 *   <li><b>duplicates</b>: requests with more than one decision (none allowed under exactly-once;
 *       possible under at-least-once, where callers keep the first);
 *   <li><b>over-admission</b>: for keys under {@code FIXED_WINDOW} and {@code SLIDING_WINDOW}
 *       rules, whose check is exact: permits allowed beyond the limit in some window, counting each
 *       request once, by its first decision (what a caller acts on), at the decision's effective
 *       time {@code timestampMs};
 *   <li><b>latency</b>: from the check to its service decision at the caller, and from the check to
 *       the decision's arrival on the decisions topic.
 * </ul>
 */
final class Findings {
  /** A rule whose permits are counted exactly: every key starting with {@code keyPrefix}. */
  record Limit(String keyPrefix, String ruleId, String algorithm, long limit, long windowMs) {
    String json() {
      return "{\"id\":\""
          + ruleId
          + "\",\"key\":\""
          + keyPrefix
          + "*\",\"limit\":"
          + limit
          + ",\"windowSeconds\":"
          + windowMs / 1000
          + ",\"algorithm\":\""
          + algorithm
          + "\"}";
    }
  }

  /** An instance killed at {@code atNanos}, and the request partitions it was active for. */
  record Kill(String victim, long atNanos, Set<Integer> partitions) {}

  private Findings() {}

  /** n, p50, p99 and max of durations in nanoseconds, in milliseconds. */
  static Map<String, Object> distribution(Collection<Long> nanos) {
    List<Long> sorted = new ArrayList<>(nanos);
    sorted.sort(null);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("n", sorted.size());
    if (!sorted.isEmpty()) {
      out.put("p50Ms", Harness.ms(percentile(sorted, 50)));
      out.put("p99Ms", Harness.ms(percentile(sorted, 99)));
      out.put("maxMs", Harness.ms(sorted.get(sorted.size() - 1)));
    }
    return out;
  }

  static long percentile(List<Long> sorted, int p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  /** What the callers got: by service, by policy (per source and cause), never. */
  static Map<String, Object> callers(List<Load.Check> checks) {
    Map<String, Object> out = new LinkedHashMap<>();
    long service = 0;
    long never = 0;
    long exceptional = 0;
    Map<String, Long> policy = new TreeMap<>();
    for (Load.Check c : checks) {
      ClientDecision d = c.decision;
      if (!c.done()) {
        never++;
      } else if (d == null) {
        exceptional++;
      } else if (d.source() == DecisionSource.SERVICE) {
        service++;
      } else {
        policy.merge(d.source() + "/" + d.cause(), 1L, Long::sum);
      }
    }
    out.put("checks", checks.size());
    out.put("decidedByService", service);
    out.put("completedByPolicy", policy.values().stream().mapToLong(Long::longValue).sum());
    out.put("policyBySourceAndCause", policy);
    out.put("neverCompleted", never);
    out.put("completedExceptionally", exceptional);
    return out;
  }

  /** Caller latency of service decisions. */
  static Map<String, Object> serviceLatency(List<Load.Check> checks) {
    List<Long> l = new ArrayList<>();
    for (Load.Check c : checks) {
      if (c.done() && c.decision != null && c.decision.source() == DecisionSource.SERVICE) {
        l.add(c.doneNanos - c.sentNanos);
      }
    }
    return distribution(l);
  }

  /**
   * At the source: of the checks' requests that reached the requests topic, how many have no
   * decision, one, or several on the decisions topic; and the time from each check to its first
   * decision there.
   */
  static Map<String, Object> source(
      List<Load.Check> checks, RequestsTopic.Contents requests, DecisionLog decisions) {
    long written = 0;
    long lost = 0;
    long duplicated = 0;
    long conflicting = 0;
    long notWritten = 0;
    long writtenTwice = 0;
    long beyondOnePerRecord = 0;
    List<String> lostIds = new ArrayList<>();
    List<Long> toDecision = new ArrayList<>();
    for (Load.Check c : checks) {
      if (!requests.byId().containsKey(c.id)) {
        notWritten++;
        continue;
      }
      written++;
      int records = requests.copies().getOrDefault(c.id, 1);
      if (records > 1) {
        writtenTwice++;
      }
      List<DecisionLog.Seen> seen = decisions.of(c.id);
      if (seen.size() > records) {
        beyondOnePerRecord++;
      }
      if (seen.isEmpty()) {
        lost++;
        if (lostIds.size() < 10) {
          lostIds.add(c.id);
        }
        continue;
      }
      toDecision.add(seen.get(0).seenNanos() - c.sentNanos);
      if (seen.size() > 1) {
        duplicated++;
        if (seen.stream().map(DecisionLog.Seen::allowed).distinct().count() > 1) {
          conflicting++;
        }
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("requestsWritten", written);
    out.put("checksNotWritten", notWritten);
    out.put("requestsWithoutDecision", lost);
    out.put("requestsWithoutDecisionExamples", lostIds);
    out.put("requestsWithSeveralDecisions", duplicated);
    out.put("severalDecisionsThatDisagree", conflicting);
    // A request the client's producer wrote twice (possible when a broker fails over while its
    // batch expires) is two records, each rightly decided: that is not a duplicate decision.
    out.put("requestsWrittenMoreThanOnce", writtenTwice);
    out.put("requestsWithMoreDecisionsThanRecords", beyondOnePerRecord);
    out.put("checkToDecisionOnTopic", distribution(toDecision));
    return out;
  }

  /**
   * Over-admission over every decision on the decisions topic for {@code keys}: per key, each
   * request counted once by its first decision; decisions by another rule counted apart.
   */
  static Map<String, Object> overAdmission(
      Collection<String> keys, List<Limit> limits, DecisionLog decisions) {
    long over = 0;
    long allowed = 0;
    long denied = 0;
    long otherRule = 0;
    long windows = 0;
    List<String> examples = new ArrayList<>();
    for (String key : keys) {
      Limit limit = limitOf(key, limits);
      if (limit == null) {
        continue;
      }
      Set<String> counted = new HashSet<>();
      List<Long> allowedTimes = new ArrayList<>();
      for (DecisionLog.Seen s : decisions.ofRecordKey(key)) {
        if (s.requestId() == null || !counted.add(s.requestId())) {
          continue;
        }
        if (!limit.ruleId().equals(s.ruleId())) {
          otherRule++;
        } else if (s.allowed()) {
          allowed++;
          allowedTimes.add(s.timestampMs());
        } else {
          denied++;
        }
      }
      allowedTimes.sort(null);
      long keyOver;
      if (limit.algorithm().equals("FIXED_WINDOW")) {
        Map<Long, Long> perWindow = new HashMap<>();
        for (long t : allowedTimes) {
          perWindow.merge(Math.floorDiv(t, limit.windowMs()), 1L, Long::sum);
        }
        windows += perWindow.size();
        keyOver = perWindow.values().stream().mapToLong(n -> Math.max(0, n - limit.limit())).sum();
      } else {
        // SLIDING_WINDOW: at each allowed decision, the allowed ones in (t - W, t].
        keyOver = 0;
        int from = 0;
        for (int i = 0; i < allowedTimes.size(); i++) {
          long t = allowedTimes.get(i);
          while (allowedTimes.get(from) <= t - limit.windowMs()) {
            from++;
          }
          // The i-th permit (in time order) is one too many when it is the (L+1)-th or later
          // in a window ending at its time.
          if (i - from + 1 > limit.limit()) {
            keyOver++;
          }
        }
        windows += allowedTimes.size();
      }
      if (keyOver > 0 && examples.size() < 10) {
        examples.add(key + ": " + keyOver + " over " + limit.limit());
      }
      over += keyOver;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("keysChecked", keys.size());
    out.put("allowed", allowed);
    out.put("denied", denied);
    out.put("windowsChecked", windows);
    out.put("overAdmitted", over);
    out.put("overAdmittedExamples", examples);
    out.put("decisionsByAnotherRule", otherRule);
    return out;
  }

  private static Limit limitOf(String key, List<Limit> limits) {
    for (Limit l : limits) {
      if (key.startsWith(l.keyPrefix())) {
        return l;
      }
    }
    return null;
  }

  /**
   * Per kill, per request partition the victim was active for: the time from the kill to the first
   * decision on the decisions topic for a check of that partition sent after the kill. Also the
   * worst check-to-decision time of the other partitions in the 20 s after each kill (read
   * committed readers of a decisions partition wait for every open transaction on it, so a dead
   * instance's transaction can hold up replies of keys it never owned).
   */
  static Map<String, Object> resumption(
      List<Kill> kills, List<Load.Check> checks, DecisionLog decisions) {
    List<Long> resume = new ArrayList<>();
    List<Map<String, Object>> perKill = new ArrayList<>();
    long unresolved = 0;
    List<Long> othersWorst = new ArrayList<>();
    for (Kill k : kills) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("victim", k.victim());
      one.put("partitions", new ArrayList<>(k.partitions()));
      Map<Integer, Double> byPartition = new TreeMap<>();
      for (int p : k.partitions()) {
        long first = Long.MAX_VALUE;
        for (Load.Check c : checks) {
          if (c.requestPartition != p || c.sentNanos < k.atNanos()) {
            continue;
          }
          List<DecisionLog.Seen> seen = decisions.of(c.id);
          if (!seen.isEmpty()) {
            first = Math.min(first, seen.get(0).seenNanos());
          }
        }
        if (first == Long.MAX_VALUE) {
          unresolved++;
        } else {
          resume.add(first - k.atNanos());
          byPartition.put(p, Harness.ms(first - k.atNanos()));
        }
      }
      one.put("resumeMsByPartition", byPartition);
      long worst = 0;
      long windowEnd = k.atNanos() + 20_000_000_000L;
      for (Load.Check c : checks) {
        if (k.partitions().contains(c.requestPartition)
            || c.sentNanos < k.atNanos()
            || c.sentNanos >= windowEnd) {
          continue;
        }
        List<DecisionLog.Seen> seen = decisions.of(c.id);
        if (!seen.isEmpty()) {
          worst = Math.max(worst, seen.get(0).seenNanos() - c.sentNanos);
        }
      }
      othersWorst.add(worst);
      one.put("otherPartitionsWorstMs", Harness.ms(worst));
      perKill.add(one);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("resumeAfterKill", distribution(resume));
    out.put("partitionsNeverResumed", unresolved);
    out.put("otherPartitionsWorstAfterKill", distribution(othersWorst));
    out.put("kills", perKill);
    return out;
  }
}
