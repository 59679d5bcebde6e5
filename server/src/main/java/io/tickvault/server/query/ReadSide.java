package io.tickvault.server.query;

import io.lettuce.core.api.StatefulRedisConnection;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.ingest.KnownMarkets;
import io.tickvault.server.redis.LazyRedisConnection;
import java.time.Clock;

/**
 * The read side, wired: the readers over PostgreSQL, the hot market state in Redis, and the gRPC
 * service over both. Ingestion feeds {@link #marketState()} through {@link MarketStateSink}; the
 * server runs {@link MarketStateCache#repairStale()} every second.
 */
public record ReadSide(QueryGrpcService service, MarketStateCache marketState) {
  public static ReadSide create(Jdbc jdbc, KnownMarkets markets,
      LazyRedisConnection<StatefulRedisConnection<String, byte[]>> redis, PrometheusRegistry registry, Clock clock) {
    QueryMetrics metrics = new QueryMetrics(registry);
    TradeReader trades = new TradeReader(jdbc);
    OrderBookReader books = new OrderBookReader(jdbc);
    MarketStateCache state = new MarketStateCache(new MarketStateRedis(redis, clock), trades, books, metrics, clock);
    QueryGrpcService service = new QueryGrpcService(new ReadArguments(markets), trades, books, new CandleReader(jdbc),
        state, metrics);
    return new ReadSide(service, state);
  }
}
