package io.tickvault.server.market;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The markets (exchange, currency pair) that ingested records may name, shared by every record
 * kind. A market once seen registered is remembered for the life of the server: pairs are never
 * deleted, so a hit needs no query. A miss asks PostgreSQL about that one market by its primary
 * key, and is remembered for {@link #MISS_TTL}: a stream of records for an unregistered market
 * costs one query per market and second, not one per record. Registering any market through this
 * server ({@link #forgetMisses()}) drops every remembered miss at once, so a worker that registers
 * and then sends is never refused; a pair registered through another server is accepted here
 * within {@link #MISS_TTL}.
 */
public final class KnownMarkets {
  /** How long a miss is remembered. */
  public static final Duration MISS_TTL = Duration.ofSeconds(1);
  /** At most this many misses are remembered; past it, misses cost a query each again. */
  static final int MAX_MISSES = 10_000;

  /** Asks the source of truth whether a pair is registered. */
  @FunctionalInterface
  public interface Registry {
    boolean isRegistered(int exchangeId, int currencyPairNo);
  }

  private final Registry registry;
  private final Clock clock;
  private final Set<Long> known = ConcurrentHashMap.newKeySet();
  private final Map<Long, Long> missExpiresAtMillis = new ConcurrentHashMap<>();

  /** Markets as PostgreSQL has them. */
  public KnownMarkets(MarketRepository markets, Clock clock) {
    this(markets::currencyPairExists, clock);
  }

  /** Markets as {@code registry} says; unit tests of the record rules hand in a set of their own. */
  public KnownMarkets(Registry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
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
    long now = clock.millis();
    Long missExpires = missExpiresAtMillis.get(key);
    if (missExpires != null && now < missExpires) {
      return false;
    }
    if (registry.isRegistered(exchangeId, currencyPairNo)) {
      known.add(key);
      missExpiresAtMillis.remove(key);
      return true;
    }
    rememberMiss(key, now);
    return false;
  }

  /** True when the pair is known to be registered here, without asking PostgreSQL (false: ask {@link #isKnown}). */
  public boolean isKnownWithoutAsking(int exchangeId, int currencyPairNo) {
    return known.contains(((long) exchangeId << 32) | (currencyPairNo & 0xffffffffL));
  }

  /** Called after a market or exchange is registered: the next lookup of any miss asks again. */
  public void forgetMisses() {
    missExpiresAtMillis.clear();
  }

  private void rememberMiss(long key, long now) {
    if (missExpiresAtMillis.size() >= MAX_MISSES) {
      missExpiresAtMillis.values().removeIf(expires -> expires <= now);
      if (missExpiresAtMillis.size() >= MAX_MISSES) {
        return; // many distinct unknown markets at once: bounded memory beats saved queries
      }
    }
    missExpiresAtMillis.put(key, now + MISS_TTL.toMillis());
  }

  /** The reason given for a record whose market is not registered. */
  public static String unknownReason(int exchangeId, int currencyPairNo) {
    return "market " + exchangeId + "/" + currencyPairNo + " is not registered: PutCurrencyPair first";
  }
}
