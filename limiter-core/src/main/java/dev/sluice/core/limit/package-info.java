/**
 * The four counting algorithms of SPEC 5 as pure functions over immutable state ({@link
 * dev.sluice.core.limit.RateAlgorithm}), their compact byte encoding, and {@link
 * dev.sluice.core.limit.Limiter}, which applies a rule to a request against a stored counter.
 */
package dev.sluice.core.limit;
