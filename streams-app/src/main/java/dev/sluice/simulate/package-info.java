/**
 * {@code sluice simulate}: the production topology run without a broker over a rules file and a
 * file of recorded requests, printing one JSON decision per request (SPEC 7, docs/SIMULATE.md).
 */
package dev.sluice.simulate;
