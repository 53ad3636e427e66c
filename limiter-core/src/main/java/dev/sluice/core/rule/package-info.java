/**
 * Rules: what they are, how a raw rule becomes one, and which rule applies to a request.
 *
 * <ul>
 *   <li>{@link dev.sluice.core.rule.RuleValidator} turns a raw rule (JSON, or the field values of
 *       the Avro form) into a {@link dev.sluice.core.rule.LimitRule} or the complete list of {@link
 *       dev.sluice.core.rule.FieldError}s (SPEC 1); it is the only way to build a valid rule.
 *   <li>{@link dev.sluice.core.rule.RuleIndex} holds the current rules and answers "which rule
 *       applies to this request" (SPEC 3) for many reader threads at once, without locks, while one
 *       writer thread applies rule changes.
 *   <li>{@link dev.sluice.core.rule.RulePrecedence} is the single definition of the order in which
 *       matching rules compete.
 * </ul>
 *
 * <p>Everything here is pure: no I/O, no clock, no logging. Values are immutable.
 */
package dev.sluice.core.rule;
