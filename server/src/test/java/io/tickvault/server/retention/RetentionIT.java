package io.tickvault.server.retention;

import static io.tickvault.server.retention.RetentionCalls.DAY;
import static io.tickvault.server.retention.RetentionCalls.candles;
import static io.tickvault.server.retention.RetentionCalls.count;
import static io.tickvault.server.retention.RetentionCalls.minute;
import static io.tickvault.server.retention.RetentionCalls.trades;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Channel;
import io.tickvault.api.v1.Candle;
import io.tickvault.api.v1.IngestTradesAck;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.testing.MetricValues;
import io.tickvault.server.testing.QueryCalls;
import io.tickvault.server.testing.TestServer;
import io.tickvault.server.trade.TradeCalls;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Retention on a server whose raw data reaches further back than its window (a day): the old
 * trades and order books leave in batches of 500 while a stream writes fresh trades, the candles of
 * the removed trades stay as they were, and the horizon, counts and metrics say what was done.
 */
class RetentionIT {
  @RegisterExtension
  static TestServer server = TestServer.inProcess().configure(b -> b.retention(RetentionCalls.oneDay(500)));

  @Test
  void oldRowsLeaveInBatchesWhileAStreamWrites_andTheCandlesStayAsTheyWere() throws Exception {
    Channel channel = server.channel();
    Jdbc jdbc = server.database().jdbc();
    TradeCalls.registerMarket(channel, 1, 1, 2);
    long now = System.currentTimeMillis();
    long oldStart = minute(now - 3 * DAY);
    QueryCalls.ingestTrades(channel, trades(1, 1, "old-", oldStart, 7_000, 6_000));
    QueryCalls.ingestTrades(channel, trades(1, 2, "old-", oldStart, 13_000, 1_500));
    List<Trade> recent = trades(1, 1, "recent-", now - 3_600_000, 1_000, 1_000);
    QueryCalls.ingestTrades(channel, recent);
    List<OrderBookSnapshot> books = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      books.add(QueryCalls.snapshot(1, 1, oldStart + i * 60_000L, i, 5));
    }
    for (int i = 0; i < 10; i++) {
      books.add(QueryCalls.snapshot(1, 1, now - 60_000L * (10 - i), 1_000 + i, 5));
    }
    QueryCalls.ingestOrderBooks(channel, books);
    long hour = 3_600_000;
    long hoursFrom = oldStart / hour * hour;
    List<Candle> minutesBefore = candles(channel, 1, 1, oldStart, oldStart + DAY, 60_000);
    List<Candle> hoursBefore = candles(channel, 1, 1, hoursFrom, hoursFrom + DAY, hour);
    List<Candle> otherMarketBefore = candles(channel, 1, 2, hoursFrom, hoursFrom + DAY, hour);
    assertThat(minutesBefore).hasSizeGreaterThan(600);

    // 40 requests of 500 fresh trades, sent while the old ones leave.
    List<List<Trade>> fresh = new ArrayList<>();
    for (int r = 0; r < 40; r++) {
      fresh.add(trades(1, 1, "fresh-" + r + "-", now - 600_000 + r * 1_000L, 1, 500));
    }
    CompletableFuture<List<IngestTradesAck>> writer = CompletableFuture.supplyAsync(() -> TradeCalls.stream(channel, fresh));
    Map<String, Long> removed = server.app().retention().runOnce();
    List<IngestTradesAck> acks = writer.get(60, TimeUnit.SECONDS);

    assertThat(removed).containsEntry("trades", 7_500L).containsEntry("orderbook_snapshots", 120L)
        .containsEntry("orderbook_levels", 1_200L);
    assertThat(acks.stream().mapToLong(IngestTradesAck::getInserted).sum()).isEqualTo(20_000);
    assertThat(count(jdbc, "SELECT count(*) FROM trades WHERE trade_time_ms < ?", now - DAY)).isZero();
    assertThat(count(jdbc, "SELECT count(*) FROM trades")).isEqualTo(21_000);
    assertThat(count(jdbc, "SELECT count(*) FROM orderbook_snapshots")).isEqualTo(10);
    assertThat(count(jdbc, "SELECT count(*) FROM orderbook_levels")).isEqualTo(100);
    // 6,000 trades of one market in batches of 500 and 1,500 of the other: at least 15 batches.
    var registry = server.app().metrics().registry();
    assertThat(MetricValues.counter(registry, "tickvault_retention_batches_total", "table", "trades")).isGreaterThanOrEqualTo(15);
    assertThat(MetricValues.counter(registry, "tickvault_retention_deleted_rows_total", "table", "trades")).isEqualTo(7_500);
    assertThat(MetricValues.counter(registry, "tickvault_retention_deleted_rows_total", "table", "orderbook_levels"))
        .isEqualTo(1_200);

    List<TableStatus> status = new RetentionRepository(jdbc).status();
    assertThat(status).extracting(TableStatus::table).containsExactly("trades", "orderbook_snapshots", "orderbook_levels");
    assertThat(status.get(0).horizonMs()).isBetween(now - DAY, System.currentTimeMillis() - DAY);
    assertThat(status).extracting(TableStatus::rowsRemoved).containsExactly(7_500L, 120L, 1_200L);
    assertThat(status.get(0).lastRunMs()).isGreaterThanOrEqualTo(now);
    assertThat(status.get(0).oldestKeptMs()).isEqualTo(recent.get(0).getTradeTimeMs());
    assertThat(status.get(1).oldestKeptMs()).isEqualTo(now - 600_000L);

    // The rollup kept every candle of the removed trades.
    assertThat(candles(channel, 1, 1, oldStart, oldStart + DAY, 60_000)).isEqualTo(minutesBefore);
    assertThat(candles(channel, 1, 1, hoursFrom, hoursFrom + DAY, hour)).isEqualTo(hoursBefore);
    assertThat(candles(channel, 1, 2, hoursFrom, hoursFrom + DAY, hour)).isEqualTo(otherMarketBefore);

    // A second run finds nothing more to remove.
    assertThat(server.app().retention().runOnce()).containsEntry("trades", 0L).containsEntry("orderbook_snapshots", 0L);
  }
}
