package io.tickvault.server.app;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tickvault.api.v1.Channel;
import io.tickvault.server.config.ReadSettings;
import io.tickvault.server.coverage.CoverageReader;
import io.tickvault.server.coverage.CoverageRepository;
import io.tickvault.server.coverage.FeedFreshness;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.grpc.BlockingCalls;
import io.tickvault.server.market.KnownMarkets;
import io.tickvault.server.marketstate.MarketStateCache;
import io.tickvault.server.marketstate.MarketStateNearCache;
import io.tickvault.server.marketstate.MarketStateRedis;
import io.tickvault.server.marketstate.MarketStateSink;
import io.tickvault.server.metrics.FeedMetrics;
import io.tickvault.server.metrics.QueryMetrics;
import io.tickvault.server.orderbook.OrderBookReader;
import io.tickvault.server.orderbook.OrderBookSubscriptions;
import io.tickvault.server.read.ReadArguments;
import io.tickvault.server.grpc.MemoryBudget;
import io.tickvault.server.read.ReadStreams;
import io.tickvault.server.redis.LazyRedisConnection;
import io.tickvault.server.redis.RedisConnection;
import io.tickvault.server.retention.Horizons;
import io.tickvault.server.retention.RetentionReport;
import io.tickvault.server.service.QueryGrpcService;
import io.tickvault.server.trade.CandleBackfill;
import io.tickvault.server.trade.CandleReader;
import io.tickvault.server.trade.TradeReader;
import io.tickvault.server.trade.TradeSubscriptions;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read side, wired: the readers over PostgreSQL, the hot market state in Redis, and the gRPC
 * service over both (docs/reading.md). Ingestion feeds {@link #marketState()} through
 * {@link MarketStateSink}; the other paged reads (the audit log) share {@link #streams()}.
 */
public record ReadSide(QueryGrpcService service, MarketStateCache marketState, ReadStreams streams) {
  private static final Logger log = LoggerFactory.getLogger(ReadSide.class);
  /** How often the feed freshness gauges are read again: stale by at most this, one query each time. */
  static final long FEED_REFRESH_SECONDS = 10;

  /**
   * Wires the read side on a Redis connection of its own (started here, so a slow market state
   * never queues behind API key lookups), and repairs the market state every second. History reads
   * (ReadTrades, ReadOrderBooks, GetOrderBook, GetCandles, GetCoverage) go to {@code history}, a read replica
   * when one is configured; the market state falls back to {@code primary}, so GetMarketState never
   * answers older than what ingestion has committed.
   */
  public static ReadSide start(ReadSettings settings, Jdbc primary, Jdbc history, KnownMarkets markets,
      LazyRedisConnection<RedisConnection<String, byte[]>> redis, ScheduledExecutorService scheduler,
      BlockingCalls blocking, PrometheusRegistry registry, CandleBackfill candleBackfill, TradeSubscriptions subscriptions,
      OrderBookSubscriptions orderBookSubscriptions, Horizons horizons, RetentionReport retention, Clock clock) {
    redis.start(scheduler);
    QueryMetrics metrics = new QueryMetrics(registry);
    ReadStreams streams = readStreams(settings, scheduler, metrics, registry);
    MarketStateCache state = new MarketStateCache(new MarketStateRedis(redis, clock),
        new MarketStateNearCache(MarketStateNearCache.TTL, clock), new TradeReader(primary), new OrderBookReader(primary),
        metrics, clock);
    ReadArguments arguments = new ReadArguments(markets);
    CoverageRepository coverage = new CoverageRepository(history);
    QueryGrpcService service = new QueryGrpcService(arguments, new TradeReader(history), new OrderBookReader(history),
        new CandleReader(history, candleBackfill, horizons), new CoverageReader(coverage, arguments, clock, horizons),
        new FeedFreshness(coverage), state, subscriptions, orderBookSubscriptions, blocking, streams, metrics, horizons,
        retention);
    // The gauges of feed freshness, from the primary: they say what ingestion committed.
    FeedFreshness freshness = new FeedFreshness(new CoverageRepository(primary));
    FeedMetrics.register(registry, () -> freshness.latest().stream()
        .map(f -> new FeedMetrics.Freshness(f.getExchangeId(), f.getCurrencyPairNo(),
            f.getChannel() == Channel.CHANNEL_TRADES ? "trades" : "orderbooks", f.getCoveredUntilMs(), f.getLastRecordTimeMs()))
        .toList());
    scheduler.scheduleWithFixedDelay(() -> refreshQuietly(freshness), 0, FEED_REFRESH_SECONDS, TimeUnit.SECONDS);
    scheduler.scheduleWithFixedDelay(state::repairStale, 1, 1, TimeUnit.SECONDS);
    return new ReadSide(service, state, streams);
  }

  /**
   * The bounds of the read streams: the byte budget (configured, or a quarter of the JVM's direct
   * memory limit), said once at start-up with the limit it comes from, and the stall timeout.
   */
  private static ReadStreams readStreams(ReadSettings settings, ScheduledExecutorService scheduler, QueryMetrics metrics,
                                         PrometheusRegistry registry) {
    long maxDirect = MemoryBudget.maxDirectMemory();
    // Netty takes its buffers from pools in chunks, and ingestion and other calls need direct
    // buffers too: a quarter leaves them room.
    MemoryBudget memory = new MemoryBudget(settings.bufferBytes() > 0 ? settings.bufferBytes() : maxDirect / 4);
    log.info("read streams hold at most {} MiB of pages in flight ({}; the JVM's direct memory limit is {} MiB), "
            + "and a stream whose client takes nothing for {} s is ended", memory.limitBytes() >> 20,
        settings.bufferBytes() > 0 ? "TICKVAULT_READ_BUFFER_MB" : "a quarter of the direct memory limit", maxDirect >> 20,
        settings.stallTimeout().toSeconds());
    QueryMetrics.registerReadBuffer(registry, memory::usedBytes, memory.limitBytes());
    return new ReadStreams(memory, settings.stallTimeout(), scheduler, System::nanoTime, metrics.readsStalled::inc);
  }

  /** A refresh that fails (PostgreSQL down) keeps the last figures; the scheduler must not stop repeating it. */
  private static void refreshQuietly(FeedFreshness freshness) {
    try {
      freshness.refresh();
    } catch (RuntimeException e) {
      // the health monitor reports the database; the gauges keep the last list meanwhile
    }
  }
}
