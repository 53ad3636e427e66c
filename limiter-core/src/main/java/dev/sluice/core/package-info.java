/**
 * The pure limiting maths of Sluice: values shared by every part ({@link
 * dev.sluice.core.Algorithm}, {@link dev.sluice.core.Reason}, {@link dev.sluice.core.Verdict}),
 * rule validation and matching ({@code dev.sluice.core.rule}), request validation ({@code
 * dev.sluice.core.request}) and the four algorithms ({@code dev.sluice.core.limit}).
 *
 * <p>Nothing here knows about Kafka, RocksDB, metrics or logging (the module's build bans those
 * dependencies), and nothing reads a clock: every decision takes its time as an argument.
 */
package dev.sluice.core;
