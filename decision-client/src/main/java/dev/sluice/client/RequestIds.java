package dev.sluice.client;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Generates request ids shaped like random (version 4) UUIDs: 64 random bits per client instance
 * plus a random start for a per-instance counter. Unique within an instance for 2^62 ids and across
 * instances with the probability of a random UUID collision, and far cheaper than {@link
 * UUID#randomUUID()}, whose shared {@link SecureRandom} would serialise every caller thread.
 *
 * <p>The ids are not secret and need not be: they only correlate, and anyone able to write to the
 * reply topic can answer a check anyway (protect that topic with ACLs).
 */
final class RequestIds {
  private final long msb;
  private final long lsbBase;
  private final AtomicLong sequence = new AtomicLong();

  RequestIds() {
    SecureRandom random = new SecureRandom();
    this.msb = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
    this.lsbBase = random.nextLong();
  }

  String next() {
    long lsb = ((lsbBase + sequence.getAndIncrement()) & 0x3FFF_FFFF_FFFF_FFFFL) | Long.MIN_VALUE;
    return new UUID(msb, lsb).toString(); // variant bits 10
  }
}
