package io.tickvault.server.retention;

import io.tickvault.server.db.Jdbc;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** The only place that knows {@code retention_horizons} (V11__retention.sql). */
public final class RetentionRepository {
  private static final String STATUS_SQL = """
      SELECT table_name, horizon_ms, rows_removed, last_run_ms, oldest_kept_ms
        FROM retention_horizons
       ORDER BY CASE table_name WHEN 'trades' THEN 1 WHEN 'orderbook_snapshots' THEN 2 ELSE 3 END
      """;
  private static final String LOCK_EXCLUSIVE_SQL = "SELECT pg_advisory_xact_lock(?)";
  private static final String RAISE_SQL = """
      UPDATE retention_horizons SET horizon_ms = greatest(horizon_ms, ?)
       WHERE table_name = ANY (?)
      RETURNING horizon_ms
      """;
  private static final String LOCK_ROW_SQL =
      "SELECT horizon_ms FROM retention_horizons WHERE table_name = ? FOR UPDATE SKIP LOCKED";
  private static final String ADD_REMOVED_SQL =
      "UPDATE retention_horizons SET rows_removed = rows_removed + ? WHERE table_name = ?";
  private static final String FINISH_SQL = """
      UPDATE retention_horizons SET last_run_ms = greatest(last_run_ms, ?), oldest_kept_ms = ?
       WHERE table_name = ANY (?)
      """;

  private final Jdbc jdbc;

  public RetentionRepository(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** Every table's row: trades, orderbook_snapshots, orderbook_levels. */
  public List<TableStatus> status() {
    return jdbc.query(STATUS_SQL, row -> new TableStatus(row.getString(1), row.getLong(2), row.getLong(3),
        row.getLong(4), row.getLong(5)));
  }

  /**
   * Moves the dataset's horizon forward to {@code cutoff} (never back), under its exclusive
   * advisory lock: it waits for the ingestion batches being written to commit, and the batches
   * after it see the new horizon ({@link RetentionGuard}). Returns the horizon now stored, which
   * another server may have moved further.
   */
  long raise(Dataset dataset, long cutoff) {
    return jdbc.inTransaction(c -> {
      Jdbc.query(c, LOCK_EXCLUSIVE_SQL, row -> null, dataset.lockKey());
      List<Long> horizons = Jdbc.query(c, RAISE_SQL, row -> row.getLong(1), cutoff,
          c.createArrayOf("text", dataset.tables().toArray()));
      return horizons.stream().mapToLong(Long::longValue).max().orElse(cutoff);
    });
  }

  /**
   * Locks the dataset's row for one deleting batch; empty when another server holds it (it is
   * deleting now).
   */
  static Optional<Long> lockForBatch(Connection c, Dataset dataset) throws SQLException {
    return Jdbc.query(c, LOCK_ROW_SQL, row -> row.getLong(1), dataset.table()).stream().findFirst();
  }

  /** Counts rows a batch removed, in the batch's transaction. */
  static void addRemoved(Connection c, String table, long rows) throws SQLException {
    if (rows > 0) {
      Jdbc.execute(c, ADD_REMOVED_SQL, rows, table);
    }
  }

  /** Records the end of a run over the dataset: when, and the oldest record it left. */
  void finish(Dataset dataset, long nowMs, long oldestKeptMs) {
    jdbc.inTransaction(c -> Jdbc.execute(c, FINISH_SQL, nowMs, oldestKeptMs,
        c.createArrayOf("text", dataset.tables().toArray())));
  }
}
