package dev.sluice.app;

import dev.sluice.core.rule.LimitRule;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One line per rule for people: id, key, every limit, and whatever is not a default. {@code rules
 * validate} prints it for every rule of a file, {@code rules apply} for every rule it publishes.
 *
 * <pre>
 *   login  login:*  3/1m FIXED_WINDOW
 *   api    api:*    #0 20/1s TOKEN_BUCKET, #1 10000/1d FIXED_WINDOW  priority 5
 * </pre>
 *
 * A limit reads {@code permits/window algorithm}, the window in the largest whole unit (s, m, h,
 * d). A rule written in the {@code limits} form numbers its limits {@code #index}, the index its
 * counters, its decisions' {@code limitIndex} and its {@code RateLimit-Policy} names carry.
 */
final class RuleSummary {
  private RuleSummary() {}

  /** Every limit of {@code rule}, as in the class comment. */
  static String limits(LimitRule rule) {
    List<String> parts = new ArrayList<>(rule.limits().size());
    for (int i = 0; i < rule.limits().size(); i++) {
      LimitRule.Limit l = rule.limits().get(i);
      String limit = l.limit() + "/" + window(l.windowSeconds()) + " " + l.algorithm();
      parts.add(rule.limitsForm() ? "#" + i + " " + limit : limit);
    }
    return String.join(", ", parts);
  }

  /** One aligned line per rule: id, key, limits, then non-default priority, metadata, shadow. */
  static List<String> lines(Collection<LimitRule> rules) {
    int idWidth = rules.stream().mapToInt(r -> r.id().length()).max().orElse(0);
    int keyWidth = rules.stream().mapToInt(r -> r.key().length()).max().orElse(0);
    List<String> out = new ArrayList<>(rules.size());
    for (LimitRule r : rules) {
      StringBuilder sb = new StringBuilder("  ");
      sb.append(pad(r.id(), idWidth)).append("  ").append(pad(r.key(), keyWidth)).append("  ");
      sb.append(limits(r));
      if (r.priority() != 0) {
        sb.append("  priority ").append(r.priority());
      }
      if (!r.metadata().isEmpty()) {
        sb.append("  metadata ")
            .append(
                r.metadata().entrySet().stream()
                    .map(m -> m.getKey() + "=" + m.getValue())
                    .collect(Collectors.joining(",")));
      }
      if (r.shadow()) {
        sb.append("  shadow");
      }
      out.add(sb.toString());
    }
    return out;
  }

  /** {@code 1s}, {@code 90s}, {@code 1m}, {@code 2h}, {@code 1d}: the largest whole unit. */
  static String window(long seconds) {
    if (seconds % 86_400 == 0) {
      return seconds / 86_400 + "d";
    }
    if (seconds % 3_600 == 0) {
      return seconds / 3_600 + "h";
    }
    if (seconds % 60 == 0) {
      return seconds / 60 + "m";
    }
    return seconds + "s";
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }
}
