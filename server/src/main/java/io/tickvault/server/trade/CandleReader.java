package io.tickvault.server.trade;

import io.tickvault.api.v1.Candle;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.service.QueryGrpcService;
import java.util.List;

/**
 * OHLCV candles computed by PostgreSQL from {@code trades}, in numeric arithmetic: sums and
 * products are exact, and open, high, low and close are stored prices returned as stored (min, max
 * and the ordered array_agg return one of their inputs, scale and all). Buckets are
 * {@code trade_time_ms / interval_ms}: aligned to the epoch, and only buckets holding a trade come
 * out of the GROUP BY. Open and close are the first and last trade of the bucket by
 * (trade_time_ms, trade_id) in "C" collation, the order of every other read.
 *
 * <p>The ordered aggregates hold one bucket's prices at a time; GetCandles bounds the range a
 * call may cover ({@link QueryGrpcService#MAX_CANDLES} buckets), not the trades in one bucket.
 */
public final class CandleReader {
  private static final String CANDLES = """
      SELECT trade_time_ms / ? AS bucket,
             (array_agg(price ORDER BY trade_time_ms, trade_id COLLATE "C"))[1]::text,
             max(price)::text,
             min(price)::text,
             (array_agg(price ORDER BY trade_time_ms DESC, trade_id COLLATE "C" DESC))[1]::text,
             sum(quantity)::text,
             sum(price * quantity)::text,
             count(*)
        FROM trades
       WHERE exchange_id = ? AND currency_pair_no = ? AND trade_time_ms >= ? AND trade_time_ms < ?
       GROUP BY bucket
       ORDER BY bucket
      """;

  private final Jdbc jdbc;

  public CandleReader(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** The candles of the market's trades in {@code [start, end)}, oldest first; empty buckets left out. */
  public List<Candle> candles(int exchangeId, int currencyPairNo, long start, long end, long intervalMs) {
    return jdbc.query(CANDLES, row -> Candle.newBuilder()
        .setOpenTimeMs(row.getLong(1) * intervalMs)
        .setOpen(row.getString(2))
        .setHigh(row.getString(3))
        .setLow(row.getString(4))
        .setClose(row.getString(5))
        .setVolume(row.getString(6))
        .setQuoteVolume(row.getString(7))
        .setTradeCount(row.getLong(8))
        .build(), intervalMs, exchangeId, currencyPairNo, start, end);
  }
}
