package io.tickvault.server.retention;

import io.grpc.Channel;
import io.tickvault.api.v1.Candle;
import io.tickvault.api.v1.GetCandlesRequest;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.config.RetentionSettings;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.testing.QueryCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Test helpers of retention: settings, trades spread over a time range, candles and counts. */
final class RetentionCalls {
  static final long DAY = Duration.ofDays(1).toMillis();

  private RetentionCalls() {}

  /** A day of trades and of order books kept, in small batches without a pause. */
  static RetentionSettings oneDay(int batchRows) {
    return new RetentionSettings(Optional.of(Duration.ofDays(1)), Optional.of(Duration.ofDays(1)), batchRows, Duration.ZERO);
  }

  /** {@code count} trades of the market from {@code fromMs}, one every {@code stepMs}, ids "prefix-i". */
  static List<Trade> trades(int exchangeId, int pairNo, String prefix, long fromMs, long stepMs, int count) {
    List<Trade> trades = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      trades.add(QueryCalls.trade(exchangeId, pairNo, prefix + i, fromMs + i * stepMs, (60_000 + i % 977) + "." + (i % 89),
          "0.0" + (1 + i % 700)));
    }
    return trades;
  }

  static List<Candle> candles(Channel channel, int exchangeId, int pairNo, long start, long end, long intervalMs) {
    return QueryServiceGrpc.newBlockingStub(channel).getCandles(GetCandlesRequest.newBuilder()
        .setExchangeId(exchangeId).setCurrencyPairNo(pairNo).setStartTimeMs(start).setEndTimeMs(end)
        .setIntervalMs(intervalMs).build()).getCandlesList();
  }

  static long count(Jdbc jdbc, String sql, Object... params) {
    return jdbc.queryOne(sql, row -> row.getLong(1), params).orElseThrow();
  }

  /** A minute boundary at or before {@code ms}. */
  static long minute(long ms) {
    return ms / 60_000 * 60_000;
  }
}
