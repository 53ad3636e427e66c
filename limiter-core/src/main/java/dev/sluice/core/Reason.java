package dev.sluice.core;

/** Why a decision came out as it did. */
public enum Reason {
  /** The applied rule had room for the request. */
  ALLOWED,
  /** The applied rule had no room (still reported for shadow rules, whose decision is allowed). */
  RATE_LIMITED,
  /** No rule matched the request; it is allowed. */
  NO_MATCHING_RULE,
  /** The request broke a constraint of SPEC 2; it is denied and charges nothing. */
  INVALID_REQUEST
}
