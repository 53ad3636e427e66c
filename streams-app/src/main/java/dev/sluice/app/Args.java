package dev.sluice.app;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed command line: options ({@code --name value}, {@code --name=value}), flags ({@code
 * --name}) and positional arguments. Each command declares what it accepts; anything else is a
 * {@link UsageException}. {@code --} ends the options.
 */
public final class Args {
  private final Map<String, List<String>> values;
  private final Set<String> flags;
  private final List<String> positionals;

  private Args(Map<String, List<String>> values, Set<String> flags, List<String> positionals) {
    this.values = values;
    this.flags = flags;
    this.positionals = positionals;
  }

  /**
   * Parses {@code argv}.
   *
   * @param flagNames options that take no value ({@code --json})
   * @param singleNames options that take one value, given at most once
   * @param repeatedNames options that take one value and may be repeated
   * @throws UsageException for an unknown option, a missing value or a repeated single option
   */
  public static Args parse(
      List<String> argv,
      Set<String> flagNames,
      Set<String> singleNames,
      Set<String> repeatedNames) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    Set<String> flags = new java.util.HashSet<>();
    List<String> positionals = new ArrayList<>();
    boolean optionsEnded = false;
    for (int i = 0; i < argv.size(); i++) {
      String arg = argv.get(i);
      if (optionsEnded || !arg.startsWith("--")) {
        positionals.add(arg);
        continue;
      }
      if (arg.equals("--")) {
        optionsEnded = true;
        continue;
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg : arg.substring(0, eq);
      if (flagNames.contains(name)) {
        if (eq >= 0) {
          throw new UsageException(name + " takes no value");
        }
        flags.add(name);
      } else if (singleNames.contains(name) || repeatedNames.contains(name)) {
        String value;
        if (eq >= 0) {
          value = arg.substring(eq + 1);
        } else if (i + 1 < argv.size()) {
          value = argv.get(++i);
        } else {
          throw new UsageException(name + " needs a value");
        }
        List<String> list = values.computeIfAbsent(name, k -> new ArrayList<>());
        if (!list.isEmpty() && singleNames.contains(name)) {
          throw new UsageException(name + " given twice");
        }
        list.add(value);
      } else {
        throw new UsageException("unknown option " + name);
      }
    }
    return new Args(values, Set.copyOf(flags), List.copyOf(positionals));
  }

  /** True when the flag was given. */
  public boolean flag(String name) {
    return flags.contains(name);
  }

  /** The option's value, or null when not given. */
  public String value(String name) {
    List<String> list = values.get(name);
    return list == null ? null : list.get(0);
  }

  /** Every value of a repeated option, in order; empty when not given. */
  public List<String> values(String name) {
    return List.copyOf(values.getOrDefault(name, List.of()));
  }

  /** Arguments that are not options, in order. */
  public List<String> positionals() {
    return positionals;
  }

  /**
   * The option's value as a long within {@code [min, max]}, or {@code fallback} when not given.
   *
   * @throws UsageException when it is not a whole number in range
   */
  public long longValue(String name, long fallback, long min, long max) {
    String v = value(name);
    if (v == null) {
      return fallback;
    }
    long n;
    try {
      n = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new UsageException(name + " must be a whole number (got '" + v + "')");
    }
    if (n < min || n > max) {
      throw new UsageException(
          name + " must be between " + min + " and " + max + " (got " + n + ")");
    }
    return n;
  }

  /**
   * Repeated {@code k=v} values as a map, in order.
   *
   * @throws UsageException when a value has no {@code =} or an empty key, or a key repeats
   */
  public Map<String, String> keyValues(String name) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String kv : values(name)) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new UsageException(name + " takes key=value (got '" + kv + "')");
      }
      if (out.put(kv.substring(0, eq), kv.substring(eq + 1)) != null) {
        throw new UsageException(name + " key '" + kv.substring(0, eq) + "' given twice");
      }
    }
    return out;
  }

  /**
   * The positionals, checked to number exactly {@code count}.
   *
   * @param what how to name them in the error ({@code "FILE"})
   */
  public List<String> positionals(int count, String what) {
    if (positionals.size() < count) {
      throw new UsageException("missing " + what);
    }
    if (positionals.size() > count) {
      throw new UsageException(
          "unexpected argument(s) " + positionals.subList(count, positionals.size()));
    }
    return positionals;
  }
}
