package dev.sluice.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Client-side quota leases (opt-in: {@link DecisionClientConfig.Builder#leasing}). With leasing on,
 * a plain check (cost 1 or more, {@code maxCost} equal to the cost) is answered from a block of
 * permits this client obtained from the service in one request ({@code maxCost} = the lease size)
 * and spends locally, until the lease runs out or expires. Check-only (cost 0) and partial-grant
 * checks always go to the service. See docs/DESIGN.md, "Client-side leases", for the bound each
 * algorithm keeps and when leasing is worth it.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>component</th><th>property</th><th>default</th><th>constraint</th></tr>
 *   <tr><td>horizon</td><td>sluice.client.lease.horizon.ms</td><td>250 ms</td>
 *       <td>1 ms to 1 s</td></tr>
 *   <tr><td>maxShare</td><td>sluice.client.lease.max.share</td><td>0.1</td>
 *       <td>0 &lt; share &lt;= 1</td></tr>
 *   <tr><td>maxPairs</td><td>sluice.client.lease.max.pairs</td><td>10000</td>
 *       <td>1 to 1,000,000</td></tr>
 *   <tr><td>maxWaiters</td><td>sluice.client.lease.max.waiters</td><td>256</td>
 *       <td>1 to 10,000</td></tr>
 *   <tr><td>denialCacheMax</td><td>sluice.client.lease.denial.cache.max.ms</td><td>5 s</td>
 *       <td>0 to 60 s</td></tr>
 *   <tr><td>noRuleCache</td><td>sluice.client.lease.no.rule.cache.ms</td><td>1 s</td>
 *       <td>0 to 60 s</td></tr>
 * </table>
 *
 * Leasing itself is switched on by {@code sluice.client.lease.enabled=true} (properties) or by
 * giving the builder a {@code LeaseSettings}.
 *
 * @param horizon the longest a lease lives, counted from when its request was sent (it also ends
 *     before the next whole second of the service's clock, see DESIGN.md); the {@code H} of the
 *     bounds: a non-fixed-window limit may admit the permits leased in the {@code H} before a
 *     window on top of its limit
 * @param maxShare the largest lease as a share of the binding limit's {@code limit} (at least 1
 *     permit): with N client instances, {@code 1/N} or less keeps one instance from taking a whole
 *     window
 * @param maxPairs the most (key, metadata) pairs holding lease state; beyond it, checks of new
 *     pairs go to the service one by one until idle pairs are swept
 * @param maxWaiters the most checks waiting for one pair's lease request; beyond it, a check
 *     completes by the failure policy at once ({@code OVERLOADED}): the request has been out long
 *     enough for that many checks to arrive, so the service is not keeping up
 * @param denialCacheMax the longest a denial is answered locally: until its {@code retryAfterMs},
 *     at most this ({@code retryAfterMs} -1, a cost above the limit, also this long); 0 turns the
 *     denial cache off
 * @param noRuleCache how long a {@code NO_MATCHING_RULE} (or shadow) answer is remembered for its
 *     pair: the former is answered locally, the latter sends that pair's checks one by one; 0 turns
 *     it off
 */
public record LeaseSettings(
    Duration horizon,
    double maxShare,
    int maxPairs,
    int maxWaiters,
    Duration denialCacheMax,
    Duration noRuleCache) {

  private static final Duration MAX_HORIZON = Duration.ofSeconds(1);
  private static final Duration MAX_CACHE = Duration.ofSeconds(60);

  /**
   * Validates every component at once.
   *
   * @param horizon 1 ms to 1 s, whole milliseconds
   * @param maxShare in (0, 1]
   * @param maxPairs 1 to 1,000,000
   * @param maxWaiters 1 to 10,000
   * @param denialCacheMax 0 to 60 s, whole milliseconds
   * @param noRuleCache 0 to 60 s, whole milliseconds
   * @throws IllegalArgumentException listing every invalid component by both names, with its value
   *     and constraint
   */
  public LeaseSettings {
    List<String> errors = new ArrayList<>();
    DecisionClientConfig.duration(
        errors,
        "horizon (sluice.client.lease.horizon.ms)",
        horizon,
        Duration.ofMillis(1),
        MAX_HORIZON);
    if (!(maxShare > 0.0 && maxShare <= 1.0)) {
      errors.add(
          "maxShare (sluice.client.lease.max.share): must be > 0 and <= 1 (got " + maxShare + ")");
    }
    if (maxPairs < 1 || maxPairs > 1_000_000) {
      errors.add(
          "maxPairs (sluice.client.lease.max.pairs): must be 1 to 1000000 (got " + maxPairs + ")");
    }
    if (maxWaiters < 1 || maxWaiters > 10_000) {
      errors.add(
          "maxWaiters (sluice.client.lease.max.waiters): must be 1 to 10000 (got "
              + maxWaiters
              + ")");
    }
    DecisionClientConfig.duration(
        errors,
        "denialCacheMax (sluice.client.lease.denial.cache.max.ms)",
        denialCacheMax,
        Duration.ZERO,
        MAX_CACHE);
    DecisionClientConfig.duration(
        errors,
        "noRuleCache (sluice.client.lease.no.rule.cache.ms)",
        noRuleCache,
        Duration.ZERO,
        MAX_CACHE);
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid LeaseSettings: " + String.join("; ", errors));
    }
  }

  /**
   * The defaults: horizon 250 ms, share 0.1, 10,000 pairs, 256 waiters per pair, denials cached at
   * most 5 s, no-rule answers 1 s.
   *
   * @return the default settings
   */
  public static LeaseSettings defaults() {
    return new LeaseSettings(
        Duration.ofMillis(250), 0.1, 10_000, 256, Duration.ofSeconds(5), Duration.ofSeconds(1));
  }

  /**
   * A copy with another horizon.
   *
   * @param value 1 ms to 1 s
   * @return the new settings
   * @throws IllegalArgumentException when out of range
   */
  public LeaseSettings withHorizon(Duration value) {
    return new LeaseSettings(value, maxShare, maxPairs, maxWaiters, denialCacheMax, noRuleCache);
  }

  /**
   * A copy with another share cap.
   *
   * @param value in (0, 1]
   * @return the new settings
   * @throws IllegalArgumentException when out of range
   */
  public LeaseSettings withMaxShare(double value) {
    return new LeaseSettings(horizon, value, maxPairs, maxWaiters, denialCacheMax, noRuleCache);
  }

  /**
   * A copy with another pair bound.
   *
   * @param value 1 to 1,000,000
   * @return the new settings
   * @throws IllegalArgumentException when out of range
   */
  public LeaseSettings withMaxPairs(int value) {
    return new LeaseSettings(horizon, maxShare, value, maxWaiters, denialCacheMax, noRuleCache);
  }

  /**
   * A copy with another waiter bound.
   *
   * @param value 1 to 10,000
   * @return the new settings
   * @throws IllegalArgumentException when out of range
   */
  public LeaseSettings withMaxWaiters(int value) {
    return new LeaseSettings(horizon, maxShare, maxPairs, value, denialCacheMax, noRuleCache);
  }

  /**
   * A copy with another denial-cache cap.
   *
   * @param value 0 to 60 s
   * @return the new settings
   * @throws IllegalArgumentException when out of range
   */
  public LeaseSettings withDenialCacheMax(Duration value) {
    return new LeaseSettings(horizon, maxShare, maxPairs, maxWaiters, value, noRuleCache);
  }

  /**
   * A copy with another no-rule cache time.
   *
   * @param value 0 to 60 s
   * @return the new settings
   * @throws IllegalArgumentException when out of range
   */
  public LeaseSettings withNoRuleCache(Duration value) {
    return new LeaseSettings(horizon, maxShare, maxPairs, maxWaiters, denialCacheMax, value);
  }
}
