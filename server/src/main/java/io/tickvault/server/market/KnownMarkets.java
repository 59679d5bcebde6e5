package io.tickvault.server.market;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which markets (exchange_id, currency_pair_no) are registered, as ingestion asks for every
 * record. A known market is remembered for good (pairs are never deleted). A miss asks PostgreSQL
 * for that one pair, so a pair registered a moment ago, on any replica, is accepted at once; an
 * unknown answer is remembered for {@link #DEFAULT_UNKNOWN_TTL} so that a stream full of records
 * of one unregistered market costs one query, not one per record.
 */
public final class KnownMarkets {
  public static final Duration DEFAULT_UNKNOWN_TTL = Duration.ofSeconds(1);

  private final MarketRepository markets;
  private final Clock clock;
  private final long unknownTtlMillis;
  private final Set<Long> known = ConcurrentHashMap.newKeySet();
  private final Map<Long, Long> unknownUntil = new ConcurrentHashMap<>();

  public KnownMarkets(MarketRepository markets, Clock clock, Duration unknownTtl) {
    this.markets = markets;
    this.clock = clock;
    this.unknownTtlMillis = unknownTtl.toMillis();
  }

  /**
   * True when the pair is registered. May query PostgreSQL, and so throw
   * {@link io.tickvault.server.db.DataAccessException} when it is unreachable.
   */
  public boolean isKnown(int exchangeId, int currencyPairNo) {
    long key = ((long) exchangeId << 32) | (currencyPairNo & 0xffff_ffffL);
    if (known.contains(key)) {
      return true;
    }
    long now = clock.millis();
    Long until = unknownUntil.get(key);
    if (until != null && now < until) {
      return false;
    }
    if (exchangeId > 0 && currencyPairNo > 0 && markets.currencyPairExists(exchangeId, currencyPairNo)) {
      known.add(key);
      unknownUntil.remove(key);
      return true;
    }
    if (unknownUntil.size() > 100_000) {
      unknownUntil.clear(); // a client sending endless made-up markets must not grow this forever
    }
    unknownUntil.put(key, now + unknownTtlMillis);
    return false;
  }
}
