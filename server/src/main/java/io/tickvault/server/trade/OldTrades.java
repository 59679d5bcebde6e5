package io.tickvault.server.trade;

import io.tickvault.server.db.Jdbc;
import io.tickvault.server.retention.Dataset;
import io.tickvault.server.retention.RetentionTarget;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Trades leaving by retention (docs/retention.md), a market's oldest first. A batch is the next
 * {@code limit} keys of the read index (market, trade_time_ms, trade_id) before the horizon, found
 * by a range scan of that index and deleted by their row addresses (a TID scan): no scan of the
 * table, and no lock on rows ingestion is writing, which are newer. {@code trade_candles_1m} is not
 * touched: the candles of removed trades stay.
 */
public final class OldTrades implements RetentionTarget {
  private static final String REMOVE_SQL = """
      DELETE FROM trades
       WHERE ctid = ANY (ARRAY(
             SELECT ctid FROM trades
              WHERE exchange_id = ? AND currency_pair_no = ? AND trade_time_ms < ?
              ORDER BY trade_time_ms
              LIMIT ?))
      """;
  // The smallest time of each market, one index descent each: min() over the whole table would
  // read its every row.
  private static final String OLDEST_SQL = """
      SELECT coalesce(min(t.trade_time_ms), 0)
        FROM currency_pairs p
       CROSS JOIN LATERAL (SELECT trade_time_ms FROM trades
                            WHERE exchange_id = p.exchange_id AND currency_pair_no = p.currency_pair_no
                            ORDER BY trade_time_ms LIMIT 1) t
      """;

  @Override
  public Dataset dataset() {
    return Dataset.TRADES;
  }

  @Override
  public long[] removeBatch(Connection c, int exchangeId, int currencyPairNo, long beforeMs, int limit) throws SQLException {
    return new long[] {Jdbc.execute(c, REMOVE_SQL, exchangeId, currencyPairNo, beforeMs, limit)};
  }

  @Override
  public long oldestKept(Connection c) throws SQLException {
    return Jdbc.query(c, OLDEST_SQL, row -> row.getLong(1)).get(0);
  }
}
