package io.tickvault.server.market;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;

/**
 * The markets (exchange, currency pair) that ingested records may name, shared by every record
 * kind. A market once seen registered is remembered for the life of the server: pairs are never
 * deleted, so a hit needs no query. A miss asks PostgreSQL about that one market by its primary
 * key (and, when the pair is not there, about its exchange, so that the answer names what to
 * register first), and is remembered for {@link #MISS_TTL}: a stream of records for an
 * unregistered market costs one or two queries per market and second, not one per record.
 * Registering any market through this server ({@link #forgetMisses()}) drops every remembered miss
 * at once, so a worker that registers and then sends is never refused; a pair registered through
 * another server is accepted here within {@link #MISS_TTL}.
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

  /** What is not registered: the field of a record or request that names it, and what to call first. */
  public record Unregistered(String field, String reason) {}

  /** A remembered miss: until when, and whether the exchange itself was registered. */
  private record Miss(long expiresAtMillis, boolean exchangeKnown) {}

  private final Registry registry;
  private final IntPredicate exchanges;
  private final Clock clock;
  // The keys of the markets seen registered, sorted; replaced whole when one is added (once per
  // market for the server's life). Every ingested record looks its market up here: a binary search
  // of a long[] boxes nothing, where a hash set of Long boxed the key of every record.
  private volatile long[] known = new long[0];
  private final Map<Long, Miss> misses = new ConcurrentHashMap<>();

  /** Markets as PostgreSQL has them. */
  public KnownMarkets(MarketRepository markets, Clock clock) {
    this(markets::currencyPairExists, markets::exchangeExists, clock);
  }

  /**
   * Markets as {@code registry} and {@code exchanges} say; unit tests of the record rules hand in
   * sets of their own.
   */
  public KnownMarkets(Registry registry, IntPredicate exchanges, Clock clock) {
    this.registry = registry;
    this.exchanges = exchanges;
    this.clock = clock;
  }

  /**
   * Null when the pair is registered; else what is not: the exchange ({@code exchange_id},
   * PutExchange first) or only the pair ({@code currency_pair_no}, PutCurrencyPair first). Throws
   * {@link io.tickvault.server.db.DataAccessException} when the database cannot say, so that an
   * outage fails the call (UNAVAILABLE) rather than rejecting records for good.
   */
  public Unregistered unregistered(int exchangeId, int currencyPairNo) {
    long key = MarketKey.of(exchangeId, currencyPairNo);
    if (isKnown(key)) {
      return null;
    }
    if (exchangeId <= 0 || currencyPairNo <= 0) {
      return unregistered(exchangeId, currencyPairNo, exchangeId > 0); // the schema forbids them: no need to ask
    }
    long now = clock.millis();
    Miss miss = misses.get(key);
    if (miss != null && now < miss.expiresAtMillis()) {
      return unregistered(exchangeId, currencyPairNo, miss.exchangeKnown());
    }
    if (registry.isRegistered(exchangeId, currencyPairNo)) {
      remember(key);
      misses.remove(key);
      return null;
    }
    boolean exchangeKnown = exchanges.test(exchangeId);
    rememberMiss(key, new Miss(now + MISS_TTL.toMillis(), exchangeKnown), now);
    return unregistered(exchangeId, currencyPairNo, exchangeKnown);
  }

  /** True when the pair is known to be registered here, without asking PostgreSQL (false: ask {@link #unregistered}). */
  public boolean isKnownWithoutAsking(int exchangeId, int currencyPairNo) {
    return isKnown(MarketKey.of(exchangeId, currencyPairNo));
  }

  private boolean isKnown(long key) {
    return Arrays.binarySearch(known, key) >= 0;
  }

  private synchronized void remember(long key) {
    long[] before = known;
    int at = Arrays.binarySearch(before, key);
    if (at >= 0) {
      return;
    }
    at = -at - 1;
    long[] after = new long[before.length + 1];
    System.arraycopy(before, 0, after, 0, at);
    after[at] = key;
    System.arraycopy(before, at, after, at + 1, before.length - at);
    known = after;
  }

  /** Called after a market or exchange is registered: the next lookup of any miss asks again. */
  public void forgetMisses() {
    misses.clear();
  }

  private void rememberMiss(long key, Miss miss, long now) {
    if (misses.size() >= MAX_MISSES) {
      misses.values().removeIf(m -> m.expiresAtMillis() <= now);
      if (misses.size() >= MAX_MISSES) {
        return; // many distinct unknown markets at once: bounded memory beats saved queries
      }
    }
    misses.put(key, miss);
  }

  /** What is said of a market that is not registered, its exchange being registered or not. */
  private static Unregistered unregistered(int exchangeId, int currencyPairNo, boolean exchangeKnown) {
    String market = exchangeId + "/" + currencyPairNo;
    return exchangeKnown
        ? new Unregistered("currency_pair_no", "market " + market + " is not registered: PutCurrencyPair first")
        : new Unregistered("exchange_id", "exchange " + exchangeId + " is not registered (market " + market
            + "): PutExchange first, then PutCurrencyPair");
  }
}
