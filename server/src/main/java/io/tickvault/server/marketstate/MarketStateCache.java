package io.tickvault.server.marketstate;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tickvault.api.v1.GetMarketStateResponse;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.logging.RateLimitedLog;
import io.tickvault.server.metrics.QueryMetrics;
import io.tickvault.server.orderbook.OrderBookReader;
import io.tickvault.server.read.ReadArguments;
import io.tickvault.server.trade.TradeReader;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hot state of every market (its last trade and last order book): kept in Redis by ingestion,
 * read through to PostgreSQL, with a {@linkplain MarketStateNearCache near cache} of
 * {@link MarketStateNearCache#TTL} in front. Redis is never needed for a right answer, nor allowed
 * to slow one:
 *
 * <ul>
 *   <li>{@link #nearHit} answers from the near cache without blocking; the near cache is bypassed
 *       for markets marked stale and while Redis is failing ({@link MarketStateRedis#answering}).
 *   <li>{@link #get} asks Redis once, bounded by the command timeout; on a miss, an error or a
 *       timeout it answers from PostgreSQL, and after a miss fills Redis without waiting.
 *   <li>Ingestion {@linkplain #offerTrades offers} the newest record of each market after its batch
 *       commits, without waiting for Redis; Redis keeps it only if it is newer than what it holds
 *       ({@link MarketStateRedis}). Offers go coalesced, many markets a round trip, and at most
 *       {@link MarketStateOffers#MAX_WAITING} markets wait ({@link MarketStateOffers}); fills
 *       after a miss go one by one, at most {@link #MAX_IN_FLIGHT} at once. So a hanging Redis
 *       cannot pile up commands in memory.
 *   <li>A market whose offer failed is marked stale on this server: its state is read from
 *       PostgreSQL here, and {@link #repairStale} (run every second) writes Redis from PostgreSQL
 *       once Redis answers again, so other servers do not keep serving the state from before.
 * </ul>
 *
 * Failures are counted and logged at most once per {@link RateLimitedLog#DEFAULT_INTERVAL}.
 */
public final class MarketStateCache {
  private static final Logger log = LoggerFactory.getLogger(MarketStateCache.class);
  static final int MAX_IN_FLIGHT = 1_000;
  private static final byte[] NONE = new byte[0];

  private final MarketStateRedis redis;
  private final MarketStateNearCache near;
  private final TradeReader trades;
  private final OrderBookReader books;
  private final QueryMetrics metrics;
  private final RateLimitedLog redisLog;
  private final Set<Market> stale = ConcurrentHashMap.newKeySet();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final MarketStateOffers offers;

  private record Market(int exchangeId, int currencyPairNo) {}

  public MarketStateCache(MarketStateRedis redis, MarketStateNearCache near, TradeReader trades, OrderBookReader books,
      QueryMetrics metrics, Clock clock) {
    this.redis = redis;
    this.near = near;
    this.trades = trades;
    this.books = books;
    this.metrics = metrics;
    this.redisLog = new RateLimitedLog(log, RateLimitedLog.DEFAULT_INTERVAL, clock);
    this.offers = new MarketStateOffers(redis,
        (offer, why) -> failed(new Market(offer.exchangeId(), offer.currencyPairNo()), "offer", why));
  }

  /**
   * The market's state from the near cache, or null when it must be looked up ({@link #get}).
   * Never blocks. Not for a market marked stale (Redis and other servers may be behind what this
   * one committed), nor while Redis is failing (other servers' offers may not reach it): those
   * calls are looked up by {@link #get}, which reads PostgreSQL for them.
   */
  public GetMarketStateResponse nearHit(int exchangeId, int currencyPairNo) {
    if (!redis.answering() || stale.contains(new Market(exchangeId, currencyPairNo))) {
      return null;
    }
    GetMarketStateResponse state = near.get(exchangeId, currencyPairNo);
    if (state != null) {
      metrics.stateHit.inc();
      metrics.stateNearHits.inc();
    }
    return state;
  }

  /** The market's last trade and last order book (each unset when it has none). May block. */
  public GetMarketStateResponse get(int exchangeId, int currencyPairNo) {
    GetMarketStateResponse nearState = nearHit(exchangeId, currencyPairNo);
    if (nearState != null) {
      return nearState;
    }
    // Every answer goes through the near cache (fill), also those read from PostgreSQL while it
    // is bypassed: so the next one from it can never be older than this one.
    long started = near.now();
    if (stale.contains(new Market(exchangeId, currencyPairNo))) {
      metrics.stateError.inc(); // Redis may hold a state older than what this server committed
      return near.fill(exchangeId, currencyPairNo, fromDatabase(exchangeId, currencyPairNo), started);
    }
    MarketStateRedis.Stored stored;
    try {
      stored = redis.lookup(exchangeId, currencyPairNo);
    } catch (MarketStateRedis.UnavailableException e) {
      metrics.stateError.inc();
      metrics.redisErrors("lookup").inc();
      redisLog.warn("market state: " + e.getMessage() + "; answering from PostgreSQL");
      return near.fill(exchangeId, currencyPairNo, fromDatabase(exchangeId, currencyPairNo), started);
    }
    if (stored.complete()) {
      try {
        GetMarketStateResponse.Builder state = GetMarketStateResponse.newBuilder();
        if (stored.tradeKey().length > 0) {
          state.setLastTrade(Trade.parseFrom(stored.trade()));
        }
        if (stored.bookKey().length > 0) {
          state.setLastOrderBook(OrderBookSnapshot.parseFrom(stored.book()));
        }
        metrics.stateHit.inc();
        return near.fill(exchangeId, currencyPairNo, state.build(), started);
      } catch (InvalidProtocolBufferException e) {
        metrics.redisErrors("decode").inc();
        redisLog.warn("market state: unreadable entry in Redis (" + e.getMessage() + "); reading PostgreSQL");
      }
    }
    metrics.stateMiss.inc();
    GetMarketStateResponse state = fromDatabase(exchangeId, currencyPairNo);
    fill(exchangeId, currencyPairNo, parts(state));
    return near.fill(exchangeId, currencyPairNo, state, started);
  }

  /** After a batch committed: the newest trade of each market in it, to Redis in one round. */
  public void offerTrades(Collection<Trade> newest) {
    List<MarketStateRedis.Offer> toRedis = new ArrayList<>(newest.size());
    for (Trade trade : newest) {
      near.offerTrade(trade);
      toRedis.add(new MarketStateRedis.Offer(trade.getExchangeId(), trade.getCurrencyPairNo(), List.of(tradePart(trade))));
    }
    offers.offer(toRedis);
  }

  /** After a batch committed: the newest snapshot of each market in it, to Redis in one round. */
  public void offerOrderBooks(Collection<OrderBookSnapshot> newest) {
    List<MarketStateRedis.Offer> toRedis = new ArrayList<>(newest.size());
    for (OrderBookSnapshot snapshot : newest) {
      near.offerOrderBook(snapshot);
      toRedis.add(new MarketStateRedis.Offer(snapshot.getExchangeId(), snapshot.getCurrencyPairNo(),
          List.of(bookPart(snapshot))));
    }
    offers.offer(toRedis);
  }

  /**
   * Writes the state of the markets marked stale from PostgreSQL into Redis, through the same
   * forward-only script, so it can only bring Redis forward. Stops at the first failure: Redis is
   * still out, the rest waits for the next run.
   */
  public void repairStale() {
    for (Market m : stale) {
      if (!repair(m)) {
        return;
      }
    }
  }

  private boolean repair(Market m) {
    try {
      // Unmarked first: an offer failing from now on marks it again and is repaired next time.
      stale.remove(m);
      GetMarketStateResponse state = fromDatabase(m.exchangeId(), m.currencyPairNo());
      redis.offer(m.exchangeId(), m.currencyPairNo(), parts(state)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      stale.add(m);
      metrics.redisErrors("repair").inc();
      return false;
    }
  }

  private void fill(int exchangeId, int currencyPairNo, List<MarketStateRedis.Part> parts) {
    Market market = new Market(exchangeId, currencyPairNo);
    if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
      inFlight.decrementAndGet();
      failed(market, "fill", "more than " + MAX_IN_FLIGHT + " fills waiting for Redis");
      return;
    }
    redis.offer(exchangeId, currencyPairNo, parts).whenComplete((replaced, error) -> {
      inFlight.decrementAndGet();
      if (error != null) {
        failed(market, "fill", error.getMessage());
      }
    });
  }

  private void failed(Market market, String operation, String why) {
    // A failed fill changes nothing Redis held; a failed offer leaves Redis behind PostgreSQL.
    if (!operation.equals("fill")) {
      stale.add(market);
    }
    metrics.redisErrors(operation).inc();
    redisLog.warn("market state: " + operation + " of " + market.exchangeId() + "/" + market.currencyPairNo()
        + " in Redis failed (" + why + "); this server reads that market from PostgreSQL until Redis is repaired");
  }

  private GetMarketStateResponse fromDatabase(int exchangeId, int currencyPairNo) {
    metrics.stateDatabaseLoads.inc();
    GetMarketStateResponse.Builder state = GetMarketStateResponse.newBuilder();
    trades.last(exchangeId, currencyPairNo).ifPresent(state::setLastTrade);
    books.at(exchangeId, currencyPairNo, Long.MAX_VALUE, ReadArguments.MAX_DEPTH).ifPresent(state::setLastOrderBook);
    return state.build();
  }

  /** Both parts of a state read from PostgreSQL, "none" included, for a fill or a repair. */
  private static List<MarketStateRedis.Part> parts(GetMarketStateResponse state) {
    MarketStateRedis.Part trade = state.hasLastTrade()
        ? tradePart(state.getLastTrade())
        : new MarketStateRedis.Part(MarketStateRedis.TRADE, NONE, NONE);
    MarketStateRedis.Part book = state.hasLastOrderBook()
        ? bookPart(state.getLastOrderBook())
        : new MarketStateRedis.Part(MarketStateRedis.BOOK, NONE, NONE);
    return List.of(trade, book);
  }

  private static MarketStateRedis.Part tradePart(Trade t) {
    return new MarketStateRedis.Part(MarketStateRedis.TRADE,
        MarketStateRedis.tradeKey(t.getTradeTimeMs(), t.getTradeId()), t.toByteArray());
  }

  private static MarketStateRedis.Part bookPart(OrderBookSnapshot s) {
    return new MarketStateRedis.Part(MarketStateRedis.BOOK,
        MarketStateRedis.bookKey(s.getServerTimeMs(), s.getSequenceId()), s.toByteArray());
  }
}
