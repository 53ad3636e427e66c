/**
 * Request validation (SPEC 2): {@link dev.sluice.core.request.RequestValidator} checks a decoded
 * request's id, key, metadata, cost and time before any rule is matched, and names the first field
 * that breaks a bound. Pure: no I/O, no clock, no logging.
 */
package dev.sluice.core.request;
