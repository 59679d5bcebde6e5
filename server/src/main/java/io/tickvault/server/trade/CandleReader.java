package io.tickvault.server.trade;

import io.tickvault.api.v1.Candle;
import io.grpc.Status;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.retention.Dataset;
import io.tickvault.server.retention.Horizons;
import io.tickvault.server.service.QueryGrpcService;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * OHLCV candles, in numeric arithmetic: sums and products are exact, and open, high, low and close
 * are stored prices returned as stored. Buckets are {@code time / interval_ms}: aligned to the
 * epoch, and only buckets holding a trade come out of the GROUP BY. Open and close are the first
 * and last trade of the bucket by (trade_time_ms, trade_id) in "C" collation, the order of every
 * other read. Of equal prices spelled differently ("5.0", "5.00"), high and low give the one with
 * the most digits after the point: a rule both sources below follow, whatever order PostgreSQL
 * scans the rows in (plain max() and min() keep whichever tied spelling they meet last).
 *
 * <p>A whole number of minutes over a range that starts and ends on a minute is read from the
 * one-minute rollup {@code trade_candles_1m} (at most 60 rows per hour, however busy the market),
 * and gives the same candles, digit for digit, as the trades themselves; any other interval or
 * range is computed from {@code trades}, and so is every candle until the trades stored before the
 * rollup existed are rolled up ({@link CandleBackfill}). The ordered aggregates hold one bucket's
 * rows at a time; GetCandles bounds the range a call may cover
 * ({@link QueryGrpcService#MAX_CANDLES} buckets), not the trades in one bucket.
 *
 * <p>The rollup keeps the candles of trades removed by retention; the raw trades do not. A range
 * the rollup cannot serve that starts before the retention horizon is refused rather than
 * answered from the trades left, whose candles would look whole and be wrong (docs/retention.md).
 */
public final class CandleReader {
  private static final String FROM_TRADES = """
      SELECT trade_time_ms / ? AS bucket,
             (array_agg(price ORDER BY trade_time_ms, trade_id COLLATE "C"))[1]::text,
             (max(ARRAY[price, scale(price)]))[1]::text,
             (min(ARRAY[price, -scale(price)]))[1]::text,
             (array_agg(price ORDER BY trade_time_ms DESC, trade_id COLLATE "C" DESC))[1]::text,
             sum(quantity)::text,
             sum(price * quantity)::text,
             count(*)
        FROM trades
       WHERE exchange_id = ? AND currency_pair_no = ? AND trade_time_ms >= ? AND trade_time_ms < ?
       GROUP BY bucket
       ORDER BY bucket
      """;
  private static final String FROM_ROLLUP = """
      SELECT minute / ? AS bucket,
             (array_agg(open ORDER BY open_time_ms, open_trade_id))[1]::text,
             (max(ARRAY[high, scale(high)]))[1]::text,
             (min(ARRAY[low, -scale(low)]))[1]::text,
             (array_agg(close ORDER BY close_time_ms DESC, close_trade_id DESC))[1]::text,
             sum(volume)::text,
             sum(quote_volume)::text,
             sum(trade_count)::bigint
        FROM trade_candles_1m
       WHERE exchange_id = ? AND currency_pair_no = ? AND minute >= ? AND minute < ?
       GROUP BY bucket
       ORDER BY bucket
      """;

  private final Jdbc jdbc;
  private final CandleBackfill backfill;
  private final Horizons horizons;

  public CandleReader(Jdbc jdbc, CandleBackfill backfill) {
    this(jdbc, backfill, new Horizons(List::of));
  }

  public CandleReader(Jdbc jdbc, CandleBackfill backfill, Horizons horizons) {
    this.jdbc = jdbc;
    this.backfill = backfill;
    this.horizons = horizons;
  }

  /** The candles of the market's trades in {@code [start, end)}, oldest first; empty buckets left out. */
  public List<Candle> candles(int exchangeId, int currencyPairNo, long start, long end, long intervalMs) {
    boolean fromRollup = backfill.complete() && servedByRollup(start, end, intervalMs);
    long horizon = horizons.horizon(Dataset.TRADES);
    if (!fromRollup && start < horizon) {
      throw Status.FAILED_PRECONDITION.withDescription("the trades before " + java.time.Instant.ofEpochMilli(horizon)
          + " (" + horizon + " ms) were removed by retention (TICKVAULT_RETENTION_DAYS) and their candles are kept"
          + " per minute only: ask an interval_ms of whole minutes with start_time_ms and end_time_ms on minutes,"
          + " or start at or after " + horizon).asRuntimeException();
    }
    String sql = fromRollup ? FROM_ROLLUP : FROM_TRADES;
    return jdbc.query(sql, row -> candle(row, intervalMs), intervalMs, exchangeId, currencyPairNo, start, end);
  }

  /** The candles computed from {@code trades} whatever the interval: what the rollup must equal. */
  List<Candle> candlesFromTrades(int exchangeId, int currencyPairNo, long start, long end, long intervalMs) {
    return jdbc.query(FROM_TRADES, row -> candle(row, intervalMs), intervalMs, exchangeId, currencyPairNo, start, end);
  }

  /** Whether the rollup holds exactly these buckets: whole minutes of them, cut on minutes. */
  static boolean servedByRollup(long start, long end, long intervalMs) {
    long minute = MinuteCandles.MINUTE_MS;
    return intervalMs % minute == 0 && start % minute == 0 && end % minute == 0;
  }

  private static Candle candle(ResultSet row, long intervalMs) throws SQLException {
    return Candle.newBuilder()
        .setOpenTimeMs(row.getLong(1) * intervalMs)
        .setOpen(row.getString(2))
        .setHigh(row.getString(3))
        .setLow(row.getString(4))
        .setClose(row.getString(5))
        .setVolume(row.getString(6))
        .setQuoteVolume(row.getString(7))
        .setTradeCount(row.getLong(8))
        .build();
  }
}
