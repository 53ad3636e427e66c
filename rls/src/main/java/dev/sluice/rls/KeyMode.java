package dev.sluice.rls;

/** How a descriptor's entries form the Sluice request key (docs/RLS.md, "Mapping"). */
public enum KeyMode {
  /**
   * The domain and every entry as {@code key=value}: {@code domain/k1=v1/k2=v2}. Each distinct
   * combination of values is its own key, so a rule with a prefix pattern counts each apart. The
   * default.
   */
  ENTRIES,
  /**
   * The domain and the entry keys only: {@code domain/k1/k2}; the values reach Sluice as metadata
   * only, so rules split counters by value with a {@code "*"} metadata constraint.
   */
  KEYS
}
