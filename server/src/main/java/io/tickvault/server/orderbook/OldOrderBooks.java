package io.tickvault.server.orderbook;

import io.tickvault.server.db.Jdbc;
import io.tickvault.server.retention.Dataset;
import io.tickvault.server.retention.RetentionTarget;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Order book snapshots leaving by retention (docs/retention.md), a market's oldest first: the next
 * {@code limit} snapshots by (server_time_ms, sequence_id) before the horizon, their levels and
 * their headers deleted in one statement, so no reader ever sees a header without its levels.
 */
public final class OldOrderBooks implements RetentionTarget {
  private static final String REMOVE_SQL = """
      WITH doomed AS (
          SELECT snapshot_id FROM orderbook_snapshots
           WHERE exchange_id = ? AND currency_pair_no = ? AND server_time_ms < ?
           ORDER BY server_time_ms, sequence_id
           LIMIT ?),
      levels AS (
          DELETE FROM orderbook_levels l USING doomed d
           WHERE l.exchange_id = ? AND l.currency_pair_no = ? AND l.snapshot_id = d.snapshot_id
          RETURNING 1),
      headers AS (
          DELETE FROM orderbook_snapshots s USING doomed d
           WHERE s.exchange_id = ? AND s.currency_pair_no = ? AND s.snapshot_id = d.snapshot_id
          RETURNING 1)
      SELECT (SELECT count(*) FROM headers), (SELECT count(*) FROM levels)
      """;
  private static final String OLDEST_SQL = """
      SELECT coalesce(min(s.server_time_ms), 0)
        FROM currency_pairs p
       CROSS JOIN LATERAL (SELECT server_time_ms FROM orderbook_snapshots
                            WHERE exchange_id = p.exchange_id AND currency_pair_no = p.currency_pair_no
                            ORDER BY server_time_ms LIMIT 1) s
      """;

  @Override
  public Dataset dataset() {
    return Dataset.ORDER_BOOKS;
  }

  @Override
  public long[] removeBatch(Connection c, int exchangeId, int currencyPairNo, long beforeMs, int limit) throws SQLException {
    List<long[]> rows = Jdbc.query(c, REMOVE_SQL, row -> new long[] {row.getLong(1), row.getLong(2)},
        exchangeId, currencyPairNo, beforeMs, limit, exchangeId, currencyPairNo, exchangeId, currencyPairNo);
    return rows.get(0);
  }

  @Override
  public long oldestKept(Connection c) throws SQLException {
    return Jdbc.query(c, OLDEST_SQL, row -> row.getLong(1)).get(0);
  }
}
