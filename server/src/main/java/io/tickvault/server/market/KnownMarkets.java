package io.tickvault.server.market;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The markets (exchange, currency pair) that ingested records may name, shared by every record
 * kind. A market once seen registered is remembered for the life of the server: pairs are never
 * deleted, so a hit needs no query. A miss asks PostgreSQL about that one market by its primary
 * key, so a pair registered a moment ago (on any replica) is accepted at once; misses are not
 * remembered, because a rejection is final and must not come from a stale cache.
 */
public final class KnownMarkets {
  /** Asks the source of truth whether a pair is registered. */
  @FunctionalInterface
  public interface Registry {
    boolean isRegistered(int exchangeId, int currencyPairNo);
  }

  private final Registry registry;
  private final Set<Long> known = ConcurrentHashMap.newKeySet();

  /** Markets as PostgreSQL has them. */
  public KnownMarkets(MarketRepository markets) {
    this(markets::currencyPairExists);
  }

  /** Markets as {@code registry} says; unit tests of the record rules hand in a set of their own. */
  public KnownMarkets(Registry registry) {
    this.registry = registry;
  }

  /**
   * True when the pair is registered. Throws {@link io.tickvault.server.db.DataAccessException}
   * when the database cannot say, so that an outage fails the call (UNAVAILABLE) rather than
   * rejecting records for good.
   */
  public boolean isKnown(int exchangeId, int currencyPairNo) {
    long key = ((long) exchangeId << 32) | (currencyPairNo & 0xffffffffL);
    if (known.contains(key)) {
      return true;
    }
    if (exchangeId <= 0 || currencyPairNo <= 0) {
      return false; // the schema forbids them: no need to ask
    }
    if (registry.isRegistered(exchangeId, currencyPairNo)) {
      known.add(key);
      return true;
    }
    return false;
  }

  /** The reason given for a record whose market is not registered. */
  public static String unknownReason(int exchangeId, int currencyPairNo) {
    return "market " + exchangeId + "/" + currencyPairNo + " is not registered: PutCurrencyPair first";
  }
}
