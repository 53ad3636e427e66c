package dev.sluice.core.rule;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.sluice.core.Algorithm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The one entry point from a raw rule to a {@link LimitRule} or the full list of errors (SPEC 1).
 *
 * <p>Every field is checked and every error is reported, in field order ({@code id}, {@code key},
 * {@code limit}, {@code windowSeconds}, {@code limits} with its entries in index order, {@code
 * priority}, {@code metadata}, {@code algorithm}, {@code shadow}, then unknown fields by name),
 * each as a {@link FieldError} naming the field, the value and the constraint, e.g. {@code limit:
 * must be an integer from 0 to 1000000000 (got 1000000001)} or {@code limits[1].windowSeconds: is
 * required}.
 *
 * <p>Decisions where SPEC 1 is silent:
 *
 * <ul>
 *   <li><b>Unknown fields</b> make the rule invalid (SPEC 1), in a rule and in a {@code limits}
 *       entry, the service and the publishing tools alike; the message suggests the closest field
 *       when one is within two edits ({@code prority: is not a rule field; did you mean
 *       priority?}). A field given as JSON {@code null} is absent: the default for an optional
 *       field, "is required" for a required one, "not given" for a field of the two forms; a
 *       misspelt field is an error even when null. The Avro form of a rule cannot carry unknown
 *       fields at all.
 *   <li><b>The two forms</b>: {@code limits} together with {@code limit} or {@code windowSeconds},
 *       or none of the three, is one error against {@code limits}; the given top-level fields are
 *       still checked. Without {@code limits}, a missing {@code limit} or {@code windowSeconds} is
 *       "is required" against that field. A {@code limits} entry that duplicates the effective
 *       {@code (algorithm, windowSeconds)} of an earlier one is an error against the later entry.
 *       When the rule's {@code algorithm} is invalid, the entries that would inherit it are not
 *       checked for duplicates or the {@code SLIDING_WINDOW} bound.
 *   <li>Integers: JSON integral numbers only; {@code 10.0}, {@code 1e3} and {@code "10"} are type
 *       errors even when their value is whole. An integer too large for 64 bits is reported against
 *       the field's range. {@code priority} must fit 32 bits.
 *   <li>Metadata values may be any string, the empty string included (the request must then carry
 *       the key with the empty value); {@code *} means any value. Metadata keys must be non-empty;
 *       neither keys nor values have a length limit beyond the 32-entry bound. A metadata value of
 *       {@code "*"} is the only pattern; {@code *} inside a longer value is literal.
 *   <li>{@code algorithm} names are exact and case-sensitive; {@code UNKNOWN} (what an Avro reader
 *       of an older schema sees for a newer algorithm) is rejected like any other unknown name.
 *   <li>{@code SLIDING_WINDOW} with a limit above 10,000 is a {@code limit} error; it is checked
 *       only when the limit is otherwise in range and the algorithm is valid.
 *   <li>A string value longer than 100 characters is shown cut to its first 100 characters,
 *       followed by its length, so one bad key cannot flood a log.
 * </ul>
 *
 * <p>A valid rule gets generation 0 and an unmodifiable metadata map sorted by key. Nothing here is
 * cached; every method is thread-safe.
 */
public final class RuleValidator {
  /** Longest id, in characters. */
  public static final int MAX_ID_LENGTH = 128;

  /** Longest key, in characters. */
  public static final int MAX_KEY_LENGTH = 512;

  /** Largest limit. */
  public static final long MAX_LIMIT = 1_000_000_000L;

  /** Largest limit for {@link Algorithm#SLIDING_WINDOW}, which keeps a log of every permit. */
  public static final long MAX_SLIDING_WINDOW_LIMIT = 10_000L;

  /** Longest window, 31 days in seconds. */
  public static final long MAX_WINDOW_SECONDS = 2_678_400L;

  /** Most metadata entries a rule may carry. */
  public static final int MAX_METADATA_ENTRIES = 32;

  /** The fields a rule may have, in the order errors are reported. */
  public static final List<String> FIELDS =
      List.of(
          "id",
          "key",
          "limit",
          "windowSeconds",
          "limits",
          "priority",
          "metadata",
          "algorithm",
          "shadow");

  /** The fields a {@code limits} entry may have, in the order errors are reported. */
  public static final List<String> LIMIT_FIELDS = List.of("limit", "windowSeconds", "algorithm");

  private static final int SHOWN_CHARACTERS = 100;
  private static final String ID_CHARACTERS = "A-Z, a-z, 0-9, '.', '_', ':' and '-'";
  private static final String ALGORITHMS =
      Arrays.stream(Algorithm.values()).map(Enum::name).collect(Collectors.joining(", "));
  private static final String NOT_AN_INTEGER = "must be an integer without a fraction or exponent";

  /** Rejects duplicate fields, which a lenient parser would resolve silently (last one wins). */
  private static final ObjectMapper STRICT_JSON =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private RuleValidator() {}

  /**
   * Validates a rule given as field values, as the Avro adapter produces them: strings as any
   * {@link CharSequence}; {@code limit} and {@code windowSeconds} as {@link Long} or {@link
   * Integer}; {@code priority} as {@link Integer} (or a {@link Long} within 32 bits); {@code
   * shadow} as {@link Boolean}; {@code metadata} as a {@link Map} of strings to strings; {@code
   * algorithm} as its name or an enum constant (whose {@link Enum#name()} is taken); {@code limits}
   * as a {@link List} of such maps with the fields {@code limit}, {@code windowSeconds} and {@code
   * algorithm}; null or absent for a default. A value of another type is an error naming the field,
   * and so is an unknown field.
   *
   * @param fields field name to value; not null
   * @return the valid rule (generation 0), or every error found; never null
   * @throws NullPointerException when {@code fields} is null
   */
  public static RuleValidation validate(Map<String, ?> fields) {
    Objects.requireNonNull(fields, "fields");
    return check(new MapSource(fields));
  }

  /**
   * Validates a rule given as a JSON object; a value of the wrong JSON type is an error, and so are
   * an unknown field and a node that is not an object (reported against the field {@code rule}).
   *
   * @param node the rule object; not null
   * @return the valid rule (generation 0), or every error found; never null
   * @throws NullPointerException when {@code node} is null
   */
  public static RuleValidation validateJson(JsonNode node) {
    Objects.requireNonNull(node, "node");
    if (!node.isObject()) {
      return invalid(new FieldError("rule", render(node), "must be a JSON object"));
    }
    return check(new JsonSource(node));
  }

  /**
   * Validates a rule given as JSON text. Text that is not one JSON value (including a duplicated
   * field or trailing content) is an error against the field {@code rule}, with the parser's reason
   * and position.
   *
   * @param json the rule as JSON text; not null
   * @return the valid rule (generation 0), or every error found; never null
   * @throws NullPointerException when {@code json} is null
   */
  public static RuleValidation validateJson(String json) {
    Objects.requireNonNull(json, "json");
    try (JsonParser parser = STRICT_JSON.createParser(json)) {
      JsonNode node = STRICT_JSON.readTree(parser);
      if (node == null) {
        return invalid(new FieldError("rule", null, "is not valid JSON: no content"));
      }
      if (parser.nextToken() != null) {
        return invalid(
            new FieldError(
                "rule",
                null,
                "is not valid JSON: content after the rule object"
                    + where(parser.currentTokenLocation())));
      }
      return validateJson(node);
    } catch (JsonProcessingException e) {
      return invalid(
          new FieldError(
              "rule",
              null,
              "is not valid JSON: " + e.getOriginalMessage() + where(e.getLocation())));
    } catch (IOException e) {
      // Reading a String performs no I/O; this is only the parser API's checked signature.
      throw new UncheckedIOException(e);
    }
  }

  private static String where(JsonLocation at) {
    return at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
  }

  private static RuleValidation invalid(FieldError error) {
    return new RuleValidation(null, List.of(error), null);
  }

  // ---------------------------------------------------------------------------------------------
  // The checks, shared by both sources.

  private static RuleValidation check(Source in) {
    List<FieldError> errors = new ArrayList<>();
    String rawId = in.text("id");

    String id = requiredText(in, "id", errors);
    if (id != null) {
      checkId(in, id, errors);
    }
    String key = requiredText(in, "key", errors);
    if (key != null) {
      checkKey(in, key, errors);
    }
    Algorithm algorithm = in.present("algorithm") ? algorithm(in) : Algorithm.DEFAULT;
    boolean topLevel = in.present("limit") || in.present("windowSeconds");
    Long limit = null;
    Long windowSeconds = null;
    if (topLevel) {
      // With limits as well, only the given top-level fields are checked: the form error says why.
      boolean required = !in.present("limits");
      limit = limitValue(in, "limit", algorithm, required, errors);
      windowSeconds = windowValue(in, "windowSeconds", required, errors);
    }
    List<LimitRule.Limit> limits = null;
    if (in.present("limits")) {
      if (topLevel) {
        errors.add(
            new FieldError(
                "limits",
                in.render("limits"),
                "must not be given together with limit or windowSeconds: a rule has either the"
                    + " top-level limit and windowSeconds or limits"));
      }
      limits = limits(in, algorithm, errors);
    } else if (!topLevel) {
      errors.add(
          new FieldError(
              "limits",
              null,
              "is required unless limit and windowSeconds are given: a rule has either the"
                  + " top-level limit and windowSeconds or limits"));
    }
    int priority = priority(in, errors);
    SortedMap<String, String> metadata = metadata(in, errors);
    if (in.present("algorithm") && algorithm == null) {
      errors.add(
          new FieldError("algorithm", in.render("algorithm"), "must be one of " + ALGORITHMS));
    }
    boolean shadow = shadow(in, errors);
    unknownFields(in, "", FIELDS, "a rule field", errors);

    if (!errors.isEmpty()) {
      return new RuleValidation(null, errors, rawId);
    }
    LimitRule rule =
        limits == null
            ? new LimitRule(
                id, key, limit, windowSeconds, priority, metadata, algorithm, shadow, 0L)
            : new LimitRule(id, key, limits, true, priority, metadata, algorithm, shadow);
    return new RuleValidation(rule, List.of(), id);
  }

  /**
   * A {@code limit} field: required when {@code required}, else checked only when given; the {@code
   * SLIDING_WINDOW} bound only when the value is otherwise valid and the algorithm known.
   */
  private static Long limitValue(
      Source in, String name, Algorithm algorithm, boolean required, List<FieldError> errors) {
    if (!required && !in.present(name)) {
      return null;
    }
    return limitValue(in, name, name, algorithm, errors);
  }

  private static Long limitValue(
      Source in, String field, String name, Algorithm algorithm, List<FieldError> errors) {
    Long limit = requiredLong(in, field, name, 0, MAX_LIMIT, errors);
    if (limit != null
        && algorithm == Algorithm.SLIDING_WINDOW
        && limit > MAX_SLIDING_WINDOW_LIMIT) {
      errors.add(
          new FieldError(
              name,
              in.render(field),
              "must be at most " + MAX_SLIDING_WINDOW_LIMIT + " when algorithm is SLIDING_WINDOW"));
      return null;
    }
    return limit;
  }

  private static Long windowValue(
      Source in, String name, boolean required, List<FieldError> errors) {
    if (!required && !in.present(name)) {
      return null;
    }
    return requiredLong(in, name, name, 1, MAX_WINDOW_SECONDS, errors);
  }

  /** The {@code limits} entries, or null (with the errors) when any is invalid. */
  private static List<LimitRule.Limit> limits(
      Source in, Algorithm ruleAlgorithm, List<FieldError> errors) {
    List<Entry> entries = in.entries("limits");
    if (entries == null) {
      errors.add(
          new FieldError(
              "limits",
              in.render("limits"),
              "must be an array of 1 to " + LimitRule.MAX_LIMITS + " limit objects"));
      return null;
    }
    int before = errors.size();
    if (entries.isEmpty() || entries.size() > LimitRule.MAX_LIMITS) {
      errors.add(
          new FieldError(
              "limits",
              entries.size() + " entries",
              "must have 1 to " + LimitRule.MAX_LIMITS + " entries"));
    }
    List<LimitRule.Limit> limits = new ArrayList<>(entries.size());
    Algorithm[] effective = new Algorithm[entries.size()];
    Long[] windows = new Long[entries.size()];
    for (int i = 0; i < entries.size(); i++) {
      String at = "limits[" + i + "]";
      Source entry = entries.get(i).source();
      if (entry == null) {
        errors.add(
            new FieldError(
                at,
                entries.get(i).rendered(),
                "must be an object with limit, windowSeconds and optionally algorithm"));
        continue;
      }
      Algorithm algorithm = entry.present("algorithm") ? algorithm(entry) : ruleAlgorithm;
      Long limit = limitValue(entry, "limit", at + ".limit", algorithm, errors);
      Long window =
          requiredLong(
              entry, "windowSeconds", at + ".windowSeconds", 1, MAX_WINDOW_SECONDS, errors);
      if (entry.present("algorithm") && algorithm == null) {
        errors.add(
            new FieldError(
                at + ".algorithm", entry.render("algorithm"), "must be one of " + ALGORITHMS));
      }
      unknownFields(entry, at + ".", LIMIT_FIELDS, "a limits entry field", errors);
      effective[i] = algorithm;
      windows[i] = window;
      if (limit != null && window != null && algorithm != null) {
        limits.add(new LimitRule.Limit(limit, window, algorithm, 0L));
      }
    }
    for (int j = 0; j < entries.size(); j++) {
      for (int i = 0; i < j; i++) {
        if (effective[j] != null
            && windows[j] != null
            && effective[j] == effective[i]
            && windows[j].equals(windows[i])) {
          errors.add(
              new FieldError(
                  "limits[" + j + "]",
                  entries.get(j).rendered(),
                  "duplicates limits["
                      + i
                      + "]: no two limits may have the same algorithm and windowSeconds (both "
                      + effective[j]
                      + ", "
                      + windows[j]
                      + ")"));
          break;
        }
      }
    }
    return errors.size() == before ? limits : null;
  }

  private static String requiredText(Source in, String field, List<FieldError> errors) {
    if (!in.present(field)) {
      errors.add(new FieldError(field, null, "is required"));
      return null;
    }
    String value = in.text(field);
    if (value == null) {
      errors.add(new FieldError(field, in.render(field), "must be a string"));
    }
    return value;
  }

  private static void checkId(Source in, String id, List<FieldError> errors) {
    if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
      errors.add(
          new FieldError(
              "id", in.render("id"), "must be 1 to " + MAX_ID_LENGTH + " characters long"));
      return;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!isIdCharacter(c)) {
        errors.add(
            new FieldError(
                "id",
                in.render("id"),
                "may contain only "
                    + ID_CHARACTERS
                    + "; "
                    + describeCharacter(c)
                    + " at index "
                    + i
                    + " is not allowed"));
        return;
      }
    }
  }

  private static boolean isIdCharacter(char c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == ':'
        || c == '-';
  }

  private static String describeCharacter(char c) {
    if (c >= 0x20 && c < 0x7f) {
      return "'" + c + "'";
    }
    return String.format("U+%04X", (int) c);
  }

  private static void checkKey(Source in, String key, List<FieldError> errors) {
    if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
      errors.add(
          new FieldError(
              "key", in.render("key"), "must be 1 to " + MAX_KEY_LENGTH + " characters long"));
      return;
    }
    int star = key.indexOf('*');
    if (star >= 0 && star != key.length() - 1) {
      errors.add(
          new FieldError(
              "key",
              in.render("key"),
              "may contain '*' only as its last character; found one at index " + star));
    }
    int lone = loneSurrogate(key);
    if (lone >= 0) {
      errors.add(new FieldError("key", in.render("key"), loneSurrogateMessage(key, lone)));
    }
  }

  /**
   * The index of the first surrogate that is not half of a pair, or -1. Such a string has no UTF-8
   * form, so Avro (the rules-applied topic) and Kafka keys would turn it into another string: the
   * rule applied would silently differ from the rule published.
   */
  static int loneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  private static String loneSurrogateMessage(String s, int at) {
    return "must be well-formed Unicode; "
        + describeCharacter(s.charAt(at))
        + " at index "
        + at
        + " is half of a surrogate pair";
  }

  /** The value when present, an integer and in {@code [min, max]}; else null, with the error. */
  private static Long requiredLong(
      Source in, String field, String name, long min, long max, List<FieldError> errors) {
    if (!in.present(field)) {
      errors.add(new FieldError(name, null, "is required"));
      return null;
    }
    Long value = in.integer(field);
    if (value == null) {
      errors.add(new FieldError(name, in.render(field), NOT_AN_INTEGER));
      return null;
    }
    if (value < min || value > max) {
      errors.add(
          new FieldError(name, in.render(field), "must be an integer from " + min + " to " + max));
      return null;
    }
    return value;
  }

  private static int priority(Source in, List<FieldError> errors) {
    if (!in.present("priority")) {
      return 0;
    }
    Long value = in.integer("priority");
    if (value == null) {
      errors.add(new FieldError("priority", in.render("priority"), NOT_AN_INTEGER));
      return 0;
    }
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      errors.add(
          new FieldError(
              "priority",
              in.render("priority"),
              "must be a 32-bit integer, from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE));
      return 0;
    }
    return value.intValue();
  }

  private static SortedMap<String, String> metadata(Source in, List<FieldError> errors) {
    if (!in.present("metadata")) {
      return CompactSortedMap.EMPTY;
    }
    List<MetadataEntry> entries = in.metadata();
    if (entries == null) {
      errors.add(
          new FieldError(
              "metadata", in.render("metadata"), "must be an object whose values are strings"));
      return CompactSortedMap.EMPTY;
    }
    // A Map's iteration order may be arbitrary: report entry errors in key order from both sources.
    entries.sort(Comparator.comparing(MetadataEntry::renderedKey));
    int before = errors.size();
    if (entries.size() > MAX_METADATA_ENTRIES) {
      errors.add(
          new FieldError(
              "metadata",
              entries.size() + " entries",
              "must have at most " + MAX_METADATA_ENTRIES + " entries"));
    }
    Map<String, String> values = new TreeMap<>();
    for (MetadataEntry e : entries) {
      if (e.key() == null) {
        errors.add(new FieldError("metadata", e.renderedKey(), "keys must be strings"));
      } else if (e.key().isEmpty()) {
        errors.add(new FieldError("metadata", e.renderedKey(), "keys must be non-empty"));
      } else if (loneSurrogate(e.key()) >= 0) {
        errors.add(
            new FieldError(
                "metadata",
                e.renderedKey(),
                "keys " + loneSurrogateMessage(e.key(), loneSurrogate(e.key()))));
      } else if (e.value() == null) {
        errors.add(new FieldError("metadata." + e.key(), e.renderedValue(), "must be a string"));
      } else if (loneSurrogate(e.value()) >= 0) {
        errors.add(
            new FieldError(
                "metadata." + e.key(),
                e.renderedValue(),
                loneSurrogateMessage(e.value(), loneSurrogate(e.value()))));
      } else {
        values.put(e.key(), e.value());
      }
    }
    return errors.size() == before ? CompactSortedMap.copyOf(values) : CompactSortedMap.EMPTY;
  }

  /** The named algorithm, or null when the value names none. */
  private static Algorithm algorithm(Source in) {
    String name = in.algorithmName();
    if (name == null) {
      return null;
    }
    for (Algorithm a : Algorithm.values()) {
      if (a.name().equals(name)) {
        return a;
      }
    }
    return null;
  }

  private static boolean shadow(Source in, List<FieldError> errors) {
    if (!in.present("shadow")) {
      return false;
    }
    Boolean value = in.bool("shadow");
    if (value == null) {
      errors.add(new FieldError("shadow", in.render("shadow"), "must be a boolean"));
      return false;
    }
    return value;
  }

  private static void unknownFields(
      Source in, String prefix, List<String> known, String what, List<FieldError> errors) {
    TreeSet<String> unknown = new TreeSet<>();
    for (Iterator<String> it = in.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) {
        unknown.add(name);
      }
    }
    for (String name : unknown) {
      String suggestion = closestField(name, known);
      String constraint =
          suggestion == null
              ? "is not " + what + "; the fields are " + String.join(", ", known)
              : "is not " + what + "; did you mean " + suggestion + "?";
      errors.add(new FieldError(prefix + name, in.render(name), constraint));
    }
  }

  /** The known field within edit distance 2 of {@code name} (ignoring case), or null. */
  private static String closestField(String name, List<String> known) {
    String best = null;
    int bestDistance = 3;
    for (String field : known) {
      int d = editDistance(name.toLowerCase(Locale.ROOT), field.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = field;
        bestDistance = d;
      }
    }
    return best;
  }

  private static int editDistance(String a, String b) {
    if (Math.abs(a.length() - b.length()) > 2) {
      return 3;
    }
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] t = previous;
      previous = current;
      current = t;
    }
    return previous[b.length()];
  }

  // ---------------------------------------------------------------------------------------------
  // Rendering values for messages.

  /** A string as JSON text, cut to its first 100 characters (followed by its length) if longer. */
  static String quote(String s) {
    if (s.length() <= SHOWN_CHARACTERS) {
      return TextNode.valueOf(s).toString();
    }
    int cut = SHOWN_CHARACTERS;
    if (Character.isHighSurrogate(s.charAt(cut - 1))) {
      cut--;
    }
    return TextNode.valueOf(s.substring(0, cut)).toString() + "... (" + s.length() + " characters)";
  }

  private static String render(JsonNode node) {
    if (node.isTextual()) {
      return quote(node.textValue());
    }
    return cut(node.toString());
  }

  private static String cut(String text) {
    return text.length() <= SHOWN_CHARACTERS
        ? text
        : text.substring(0, SHOWN_CHARACTERS) + "... (" + text.length() + " characters)";
  }

  private static String renderObject(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof CharSequence cs) {
      return quote(cs.toString());
    }
    return cut(String.valueOf(value));
  }

  // ---------------------------------------------------------------------------------------------
  // The two sources of raw fields.

  /**
   * One metadata entry as given.
   *
   * @param key the key, or null when it was not a string
   * @param renderedKey the key as shown in messages
   * @param value the value, or null when it was not a string
   * @param renderedValue the value as shown in messages
   */
  private record MetadataEntry(
      String key, String renderedKey, String value, String renderedValue) {}

  /**
   * One element of an array field such as {@code limits}.
   *
   * @param source the element's fields, or null when it is not an object/map
   * @param rendered the element as shown in messages
   */
  private record Entry(Source source, String rendered) {}

  /** Raw rule fields, read by type; every accessor returns null for a value of another type. */
  private interface Source {
    /** Names of every field given, known or not. */
    Iterator<String> fieldNames();

    /** True when the field is given with a non-null value. */
    boolean present(String field);

    /** The field's value as shown in messages. */
    String render(String field);

    String text(String field);

    /** The integer value; one beyond 64 bits comes back as Long.MIN_VALUE or Long.MAX_VALUE. */
    Long integer(String field);

    Boolean bool(String field);

    String algorithmName();

    /** The entries, or null when the value is not a map/object. */
    List<MetadataEntry> metadata();

    /** The elements of an array/list field, or null when the value is not one. */
    List<Entry> entries(String field);
  }

  private static final class JsonSource implements Source {
    private final JsonNode node;

    JsonSource(JsonNode node) {
      this.node = node;
    }

    @Override
    public Iterator<String> fieldNames() {
      return node.fieldNames();
    }

    @Override
    public boolean present(String field) {
      JsonNode v = node.get(field);
      return v != null && !v.isNull();
    }

    @Override
    public String render(String field) {
      JsonNode v = node.get(field);
      return v == null ? null : RuleValidator.render(v);
    }

    @Override
    public String text(String field) {
      JsonNode v = node.get(field);
      return v != null && v.isTextual() ? v.textValue() : null;
    }

    @Override
    public Long integer(String field) {
      JsonNode v = node.get(field);
      if (v == null || !v.isIntegralNumber()) {
        return null;
      }
      if (v.canConvertToLong()) {
        return v.longValue();
      }
      return v.bigIntegerValue().signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }

    @Override
    public Boolean bool(String field) {
      JsonNode v = node.get(field);
      return v != null && v.isBoolean() ? v.booleanValue() : null;
    }

    @Override
    public String algorithmName() {
      return text("algorithm");
    }

    @Override
    public List<MetadataEntry> metadata() {
      JsonNode v = node.get("metadata");
      if (v == null || !v.isObject()) {
        return null;
      }
      List<MetadataEntry> entries = new ArrayList<>(v.size());
      for (Map.Entry<String, JsonNode> e : v.properties()) {
        JsonNode value = e.getValue();
        entries.add(
            new MetadataEntry(
                e.getKey(),
                quote(e.getKey()),
                value.isTextual() ? value.textValue() : null,
                RuleValidator.render(value)));
      }
      return entries;
    }

    @Override
    public List<Entry> entries(String field) {
      JsonNode v = node.get(field);
      if (v == null || !v.isArray()) {
        return null;
      }
      List<Entry> entries = new ArrayList<>(v.size());
      for (JsonNode e : v) {
        entries.add(new Entry(e.isObject() ? new JsonSource(e) : null, RuleValidator.render(e)));
      }
      return entries;
    }
  }

  private static final class MapSource implements Source {
    private final Map<?, ?> fields;

    MapSource(Map<?, ?> fields) {
      this.fields = fields;
    }

    @Override
    public Iterator<String> fieldNames() {
      List<String> names = new ArrayList<>(fields.size());
      for (Object name : fields.keySet()) {
        names.add(String.valueOf(name));
      }
      return names.iterator();
    }

    @Override
    public boolean present(String field) {
      return fields.get(field) != null;
    }

    @Override
    public String render(String field) {
      return renderObject(fields.get(field));
    }

    @Override
    public String text(String field) {
      return fields.get(field) instanceof CharSequence cs ? cs.toString() : null;
    }

    @Override
    public Long integer(String field) {
      Object v = fields.get(field);
      if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
        return ((Number) v).longValue();
      }
      if (v instanceof BigInteger b) {
        if (b.bitLength() < 64) {
          return b.longValue();
        }
        return b.signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
      }
      return null;
    }

    @Override
    public Boolean bool(String field) {
      return fields.get(field) instanceof Boolean b ? b : null;
    }

    @Override
    public String algorithmName() {
      Object v = fields.get("algorithm");
      if (v instanceof Enum<?> e) {
        return e.name();
      }
      return v instanceof CharSequence cs ? cs.toString() : null;
    }

    @Override
    public List<MetadataEntry> metadata() {
      if (!(fields.get("metadata") instanceof Map<?, ?> map)) {
        return null;
      }
      List<MetadataEntry> entries = new ArrayList<>(map.size());
      for (Map.Entry<?, ?> e : map.entrySet()) {
        Object k = e.getKey();
        Object v = e.getValue();
        entries.add(
            new MetadataEntry(
                k instanceof CharSequence cs ? cs.toString() : null,
                renderObject(k),
                v instanceof CharSequence cs ? cs.toString() : null,
                renderObject(v)));
      }
      return entries;
    }

    @Override
    public List<Entry> entries(String field) {
      if (!(fields.get(field) instanceof List<?> list)) {
        return null;
      }
      List<Entry> entries = new ArrayList<>(list.size());
      for (Object e : list) {
        entries.add(new Entry(e instanceof Map<?, ?> m ? new MapSource(m) : null, renderObject(e)));
      }
      return entries;
    }
  }
}
