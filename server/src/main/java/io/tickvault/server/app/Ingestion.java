package io.tickvault.server.app;

import io.tickvault.api.v1.Channel;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.config.IngestSettings;
import io.tickvault.server.coverage.CoverageClaims;
import io.tickvault.server.coverage.CoverageRepository;
import io.tickvault.server.coverage.GapReports;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.ingest.IdleTimeout;
import io.tickvault.server.ingest.IngestLimits;
import io.tickvault.server.grpc.MemoryBudget;
import io.tickvault.server.ingest.StreamIngestor;
import io.tickvault.server.market.KnownMarkets;
import io.tickvault.server.marketstate.MarketStateCache;
import io.tickvault.server.marketstate.MarketStateSink;
import io.tickvault.server.metrics.IngestMetrics;
import io.tickvault.server.orderbook.OrderBookCommitLog;
import io.tickvault.server.orderbook.OrderBookRepository;
import io.tickvault.server.orderbook.OrderBookSink;
import io.tickvault.server.read.ReadArguments;
import io.tickvault.server.retention.Dataset;
import io.tickvault.server.retention.Horizons;
import io.tickvault.server.retention.RetentionGuard;
import io.tickvault.server.service.IngestGrpcService;
import io.tickvault.server.trade.CandleBackfill;
import io.tickvault.server.trade.TradeCommitLog;
import io.tickvault.server.trade.TradeRepository;
import io.tickvault.server.trade.TradeSink;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Ingestion, wired: one {@link StreamIngestor} per record kind, each with the sink (rules) and
 * repository (SQL) of its kind, behind one gRPC service (docs/ingestion.md). Every committed batch
 * also brings the markets' hot state forward ({@link MarketStateSink}, docs/reading.md).
 */
final class Ingestion {
  private Ingestion() {}

  static IngestGrpcService service(IngestSettings settings, Jdbc jdbc, KnownMarkets markets, MarketStateCache marketState,
                                   Executor writers, ScheduledExecutorService scheduler, IngestMetrics metrics,
                                   CandleBackfill candleBackfill, TradeCommitLog commitLog,
                                   OrderBookCommitLog orderBookLog, Horizons horizons, Clock clock) {
    // One byte budget for every stream of every kind: the heap is shared.
    // By default an eighth of the heap: a parsed record takes several times its serialized size.
    // Each stream may hold one 4 MiB message beyond the budget; the per-stream limit and the
    // per-connection stream limit bound those.
    MemoryBudget memory = new MemoryBudget(settings.bufferBytes() > 0
        ? settings.bufferBytes() : Runtime.getRuntime().maxMemory() / 8);
    IdleTimeout idle = new IdleTimeout(scheduler, settings.streamIdleTimeout());
    CoverageRepository coverage = new CoverageRepository(jdbc);
    StreamIngestor<Trade> trades = new StreamIngestor<>(
        MarketStateSink.trades(new TradeSink(markets, new TradeRepository(jdbc, candleBackfill, commitLog,
            new RetentionGuard(Dataset.TRADES, horizons, clock)), clock, horizons), marketState, clock),
        new CoverageClaims(coverage, markets, Channel.CHANNEL_TRADES, clock), writers, IngestLimits.DEFAULT, memory, idle, "trades", metrics, IngestMetrics.Kind.TRADE);
    StreamIngestor<OrderBookSnapshot> orderBooks = new StreamIngestor<>(
        MarketStateSink.orderBooks(new OrderBookSink(markets, new OrderBookRepository(jdbc, orderBookLog,
            new RetentionGuard(Dataset.ORDER_BOOKS, horizons, clock)), settings.maxBookLevels(), clock, horizons), marketState, clock),
        new CoverageClaims(coverage, markets, Channel.CHANNEL_ORDER_BOOKS, clock), writers, OrderBookSink.LIMITS, memory, idle, "snapshots", metrics, IngestMetrics.Kind.ORDERBOOK);
    GapReports gaps = new GapReports(coverage, new ReadArguments(markets), clock);
    return new IngestGrpcService(trades, orderBooks, gaps);
  }
}
