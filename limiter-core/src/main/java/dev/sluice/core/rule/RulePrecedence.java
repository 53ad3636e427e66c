package dev.sluice.core.rule;

import java.util.Comparator;

/**
 * The order in which matching rules compete (SPEC 3): the first rule in this order is applied.
 *
 * <ol>
 *   <li>higher {@code priority} first;
 *   <li>an exact key before a prefix pattern; among patterns, the longer prefix first;
 *   <li>more metadata entries first;
 *   <li>smaller {@code id} first ({@link String#compareTo}).
 * </ol>
 *
 * <p>This is the only definition of the order: {@link RuleIndex} and every reference model in the
 * tests use it. It is a total order on rules with distinct ids. Two exact rules with different keys
 * never match the same request, so how they compare with each other does not matter; they fall
 * through to the later tiers.
 */
public final class RulePrecedence {
  /** The precedence order as a comparator: the rule that wins sorts first. */
  public static final Comparator<LimitRule> ORDER = RulePrecedence::compare;

  /** The tier-2 rank of an exact key: above every pattern. */
  static final int EXACT = Integer.MAX_VALUE;

  private RulePrecedence() {}

  /**
   * Compares two rules by precedence; the same order as {@link #ORDER}.
   *
   * @param a one rule; not null
   * @param b the other rule; not null
   * @return negative when {@code a} wins over {@code b}, positive when {@code b} wins, zero only
   *     for rules with the same id and the same precedence-relevant fields
   */
  public static int compare(LimitRule a, LimitRule b) {
    return compare(a, specificity(a), b, specificity(b));
  }

  /**
   * {@link #compare(LimitRule, LimitRule)} with each rule's tier-2 rank given (from {@link
   * #specificity} or from where the index found the rule), so that the index's hot path does not
   * have to read the key strings.
   */
  static int compare(LimitRule a, int specificityA, LimitRule b, int specificityB) {
    if (a.priority() != b.priority()) {
      return a.priority() > b.priority() ? -1 : 1;
    }
    if (specificityA != specificityB) {
      return specificityA > specificityB ? -1 : 1;
    }
    int ma = a.metadata().size();
    int mb = b.metadata().size();
    if (ma != mb) {
      return ma > mb ? -1 : 1;
    }
    return a.id().compareTo(b.id());
  }

  /**
   * Tier 2 as a number, larger wins: an exact key ranks {@link #EXACT}, above every pattern, and a
   * pattern ranks by its prefix length (keys are at most 512 characters, so no pattern reaches the
   * exact rank).
   */
  static int specificity(LimitRule rule) {
    String key = rule.key();
    int last = key.length() - 1;
    return last >= 0 && key.charAt(last) == '*' ? last : EXACT;
  }
}
