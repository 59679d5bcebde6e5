package io.tickvault.server.trade;

import io.tickvault.api.v1.Trade;
import io.tickvault.server.db.Jdbc;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The only place that writes {@code trade_candles_1m}: the one-minute candles of the trades a
 * batch inserted are merged into it in the batch's own transaction, by one
 * {@code INSERT … ON CONFLICT DO UPDATE} of a few rows. Only inserted trades are counted (the
 * caller knows which: all of a COPY, the RETURNING of the staging path), so a replay changes no
 * candle, and a trade of any minute, however late, is counted once, the moment it is stored.
 *
 * <p>While trades stored before the rollup are still being rolled up, the merge first takes the
 * backfill's lock on each market ({@link CandleBackfill}).
 *
 * <p>The merge is associative and commutative (see V7__trade_candles_1m.sql), so batches may
 * commit in any order. Rows are written in key order, after the batch's trades: a transaction
 * merging candles waits only for others merging candles, which lock them in the same order.
 */
final class CandleRollup {
  private static final String MERGE_SQL = """
      INSERT INTO trade_candles_1m AS c (exchange_id, currency_pair_no, minute, open, open_time_ms, open_trade_id,
                                         high, low, close, close_time_ms, close_trade_id, volume, quote_volume,
                                         trade_count)
      SELECT * FROM unnest(?::integer[], ?::integer[], ?::bigint[], ?::numeric[], ?::bigint[], ?::text[],
                           ?::numeric[], ?::numeric[], ?::numeric[], ?::bigint[], ?::text[], ?::numeric[],
                           ?::numeric[], ?::bigint[])
      ON CONFLICT ON CONSTRAINT pk_trade_candles_1m DO UPDATE SET
          open = CASE WHEN (EXCLUDED.open_time_ms, EXCLUDED.open_trade_id COLLATE "C") < (c.open_time_ms, c.open_trade_id)
                      THEN EXCLUDED.open ELSE c.open END,
          open_trade_id = CASE WHEN (EXCLUDED.open_time_ms, EXCLUDED.open_trade_id COLLATE "C") < (c.open_time_ms, c.open_trade_id)
                               THEN EXCLUDED.open_trade_id ELSE c.open_trade_id END,
          open_time_ms = least(EXCLUDED.open_time_ms, c.open_time_ms),
          close = CASE WHEN (EXCLUDED.close_time_ms, EXCLUDED.close_trade_id COLLATE "C") > (c.close_time_ms, c.close_trade_id)
                       THEN EXCLUDED.close ELSE c.close END,
          close_trade_id = CASE WHEN (EXCLUDED.close_time_ms, EXCLUDED.close_trade_id COLLATE "C") > (c.close_time_ms, c.close_trade_id)
                                THEN EXCLUDED.close_trade_id ELSE c.close_trade_id END,
          close_time_ms = greatest(EXCLUDED.close_time_ms, c.close_time_ms),
          high = CASE WHEN EXCLUDED.high > c.high OR EXCLUDED.high = c.high AND scale(EXCLUDED.high) > scale(c.high)
                      THEN EXCLUDED.high ELSE c.high END,
          low = CASE WHEN EXCLUDED.low < c.low OR EXCLUDED.low = c.low AND scale(EXCLUDED.low) > scale(c.low)
                     THEN EXCLUDED.low ELSE c.low END,
          volume = c.volume + EXCLUDED.volume,
          quote_volume = c.quote_volume + EXCLUDED.quote_volume,
          trade_count = c.trade_count + EXCLUDED.trade_count
      """;

  private final CandleBackfill backfill;

  CandleRollup(CandleBackfill backfill) {
    this.backfill = backfill;
  }

  /** Merges the candles of {@code inserted}, trades this transaction inserted, into the rollup. */
  void merge(Connection c, Iterable<Trade> inserted) throws SQLException {
    MinuteCandles minutes = new MinuteCandles();
    for (Trade trade : inserted) {
      minutes.add(trade);
    }
    if (minutes.isEmpty()) {
      return;
    }
    Collection<MinuteCandles.Candle> candles = minutes.candles();
    int n = candles.size();
    Integer[] exchanges = new Integer[n];
    Integer[] pairs = new Integer[n];
    Long[] minuteStarts = new Long[n];
    String[] opens = new String[n];
    Long[] openTimes = new Long[n];
    String[] openIds = new String[n];
    String[] highs = new String[n];
    String[] lows = new String[n];
    String[] closes = new String[n];
    Long[] closeTimes = new Long[n];
    String[] closeIds = new String[n];
    String[] volumes = new String[n];
    String[] quoteVolumes = new String[n];
    Long[] counts = new Long[n];
    int i = 0;
    for (MinuteCandles.Candle candle : candles) {
      exchanges[i] = candle.key.exchangeId();
      pairs[i] = candle.key.currencyPairNo();
      minuteStarts[i] = candle.key.minute();
      opens[i] = candle.open.getPrice();
      openTimes[i] = candle.open.getTradeTimeMs();
      openIds[i] = candle.open.getTradeId();
      highs[i] = candle.high.toPlainString();
      lows[i] = candle.low.toPlainString();
      closes[i] = candle.close.getPrice();
      closeTimes[i] = candle.close.getTradeTimeMs();
      closeIds[i] = candle.close.getTradeId();
      volumes[i] = candle.volume.toPlainString();
      quoteVolumes[i] = candle.quoteVolume.toPlainString();
      counts[i] = candle.tradeCount;
      i++;
    }
    lockMarkets(c, exchanges, pairs);
    Jdbc.execute(c, MERGE_SQL, c.createArrayOf("int4", exchanges), c.createArrayOf("int4", pairs),
        c.createArrayOf("int8", minuteStarts), c.createArrayOf("text", opens), c.createArrayOf("int8", openTimes),
        c.createArrayOf("text", openIds), c.createArrayOf("text", highs), c.createArrayOf("text", lows),
        c.createArrayOf("text", closes), c.createArrayOf("int8", closeTimes), c.createArrayOf("text", closeIds),
        c.createArrayOf("text", volumes), c.createArrayOf("text", quoteVolumes), c.createArrayOf("int8", counts));
  }

  /** The backfill's lock on each market of the candles (given in key order), once per market. */
  private void lockMarkets(Connection c, Integer[] exchanges, Integer[] pairs) throws SQLException {
    List<Integer> marketExchanges = new ArrayList<>();
    List<Integer> marketPairs = new ArrayList<>();
    for (int i = 0; i < exchanges.length; i++) {
      int last = marketExchanges.size() - 1;
      if (last < 0 || !marketExchanges.get(last).equals(exchanges[i]) || !marketPairs.get(last).equals(pairs[i])) {
        marketExchanges.add(exchanges[i]);
        marketPairs.add(pairs[i]);
      }
    }
    backfill.lockMarkets(c, marketExchanges.toArray(Integer[]::new), marketPairs.toArray(Integer[]::new));
  }
}
