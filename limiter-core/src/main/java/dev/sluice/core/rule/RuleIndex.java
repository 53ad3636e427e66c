package dev.sluice.core.rule;

import java.util.Map;

/**
 * Finds the rule SPEC 3 applies to a request. One writer thread calls {@link #upsert} and {@link
 * #remove}; any number of reader threads call {@link #match} without locks.
 */
public final class RuleIndex {
  /** Adds the rule, replacing any rule with the same id. */
  public void upsert(LimitRule rule) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Removes the rule with this id; returns whether one was there. */
  public boolean remove(String id) {
    throw new UnsupportedOperationException("TODO");
  }

  /** The applied rule for this request, or null when none matches. */
  public LimitRule match(String key, Map<String, String> metadata) {
    throw new UnsupportedOperationException("TODO");
  }

  /** The rule with this id, or null. */
  public LimitRule get(String id) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Number of rules held. */
  public int size() {
    throw new UnsupportedOperationException("TODO");
  }
}
