package io.tickvault.server.marketstate;

import io.tickvault.api.v1.GetMarketStateResponse;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.market.MarketKey;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This server's copy of each market's state, in front of Redis, so that GetMarketState answers
 * without a Redis round trip or a hand-off to another thread.
 *
 * <ul>
 *   <li><b>Filled</b> from what a lookup found (Redis, or PostgreSQL: after a miss, for a stale
 *       market, while Redis fails). The entry is
 *       then served for {@link #TTL} from the moment the lookup began: what another server wrote
 *       looks at most that much older here than in Redis.
 *   <li><b>This server's own offers</b> (after their batch committed) bring the entry forward at
 *       once, so a worker that writes through this server reads its own last trade at once. They
 *       do not extend the TTL: another server's writes still show within it.
 *   <li><b>Forward only</b>, part by part (trade, book), by the order keys Redis compares: a fill
 *       that found an older part than the entry holds (Redis behind this server's offer, or a
 *       slower lookup finishing last) keeps the newer one, and answers it. So this server's answers
 *       never move back; an expired entry stays as the floor until it is filled again.
 *   <li><b>Bounded</b>: at most {@link #MAX_ENTRIES} markets; past it the map is emptied (the hot
 *       markets come back at their next lookup).
 * </ul>
 * The caller bypasses it for markets marked stale and while Redis is failing
 * ({@link MarketStateCache}).
 */
public final class MarketStateNearCache {
  /** How long a filled entry is served; how much older another server's writes may look here. */
  public static final Duration TTL = Duration.ofMillis(200);
  static final int MAX_ENTRIES = 10_000;

  /** A part the market has none of, as PostgreSQL or Redis said; null is "not known here". */
  private static final Trade NO_TRADE = Trade.getDefaultInstance();
  private static final OrderBookSnapshot NO_BOOK = OrderBookSnapshot.getDefaultInstance();

  /** The parts known here; {@code answer} is built once both are known. */
  private record Entry(Trade trade, OrderBookSnapshot book, long freshUntilMillis, GetMarketStateResponse answer) {
    static Entry of(Trade trade, OrderBookSnapshot book, long freshUntilMillis) {
      GetMarketStateResponse answer = null;
      if (trade != null && book != null) {
        GetMarketStateResponse.Builder b = GetMarketStateResponse.newBuilder();
        if (trade != NO_TRADE) {
          b.setLastTrade(trade);
        }
        if (book != NO_BOOK) {
          b.setLastOrderBook(book);
        }
        answer = b.build();
      }
      return new Entry(trade, book, freshUntilMillis, answer);
    }
  }

  private final ConcurrentHashMap<Long, Entry> entries = new ConcurrentHashMap<>();
  private final long ttlMillis;
  private final Clock clock;

  public MarketStateNearCache(Duration ttl, Clock clock) {
    this.ttlMillis = ttl.toMillis();
    this.clock = clock;
  }

  long now() {
    return clock.millis();
  }

  /** The state to answer, or null when it must be looked up (not here, expired, or a part unknown). */
  GetMarketStateResponse get(int exchangeId, int currencyPairNo) {
    Entry entry = entries.get(MarketKey.of(exchangeId, currencyPairNo));
    if (entry == null || entry.answer() == null || clock.millis() >= entry.freshUntilMillis()) {
      return null;
    }
    return entry.answer();
  }

  /**
   * Keeps what a lookup that began at {@code startedMillis} found, merged forward with what is
   * here, and returns the merged state: the one to answer.
   */
  GetMarketStateResponse fill(int exchangeId, int currencyPairNo, GetMarketStateResponse found, long startedMillis) {
    Trade trade = found.hasLastTrade() ? found.getLastTrade() : NO_TRADE;
    OrderBookSnapshot book = found.hasLastOrderBook() ? found.getLastOrderBook() : NO_BOOK;
    return merge(exchangeId, currencyPairNo, trade, book, startedMillis + ttlMillis).answer();
  }

  /** This server committed the trade: the entry moves forward to it, if it is newer. */
  void offerTrade(Trade trade) {
    merge(trade.getExchangeId(), trade.getCurrencyPairNo(), trade, null, Long.MIN_VALUE);
  }

  /** This server committed the snapshot: the entry moves forward to it, if it is newer. */
  void offerOrderBook(OrderBookSnapshot snapshot) {
    merge(snapshot.getExchangeId(), snapshot.getCurrencyPairNo(), null, snapshot, Long.MIN_VALUE);
  }

  int size() {
    return entries.size();
  }

  private Entry merge(int exchangeId, int currencyPairNo, Trade trade, OrderBookSnapshot book, long freshUntilMillis) {
    long key = MarketKey.of(exchangeId, currencyPairNo);
    if (entries.size() >= MAX_ENTRIES && !entries.containsKey(key)) {
      entries.clear(); // crude but bounded
    }
    return entries.compute(key, (k, old) -> old == null
        ? Entry.of(trade, book, freshUntilMillis)
        : Entry.of(newer(old.trade(), trade), newer(old.book(), book),
            Math.max(old.freshUntilMillis(), freshUntilMillis)));
  }

  /** The newer of two trades; null (unknown) loses to anything, "none" to any trade; a tie keeps the first. */
  static Trade newer(Trade a, Trade b) {
    if (a == null || a == NO_TRADE) {
      return b == null ? a : b;
    }
    if (b == null || b == NO_TRADE) {
      return a;
    }
    return MarketStateSink.TRADE_ORDER.compare(a, b) >= 0 ? a : b;
  }

  /** The newer of two snapshots, as {@link #newer(Trade, Trade)}. */
  static OrderBookSnapshot newer(OrderBookSnapshot a, OrderBookSnapshot b) {
    if (a == null || a == NO_BOOK) {
      return b == null ? a : b;
    }
    if (b == null || b == NO_BOOK) {
      return a;
    }
    return MarketStateSink.BOOK_ORDER.compare(a, b) >= 0 ? a : b;
  }
}
