package io.tickvault.server.retention;

import io.tickvault.server.config.RetentionSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;

/**
 * What keeps ingestion from storing a record the retention has removed (or is removing): a record
 * removed and then replayed would be stored again, and a trade rolled up into
 * {@code trade_candles_1m} a second time. The records are checked against this server's copy of the
 * horizon when they arrive ({@link Horizons}); that copy may be a few seconds old, so every batch
 * also runs {@link #check} in its transaction: it takes the dataset's advisory lock shared, held
 * until the commit, and reads the horizon as committed. A server moving the horizon takes that lock
 * exclusive ({@link RetentionRepository#raise}): it waits for the batches being written, and a batch
 * that starts after it sees the new horizon. No batch can therefore commit a record before a
 * horizon that was committed first, whose rows may be gone.
 *
 * <p>A batch whose records are all younger than the shortest window any server may keep (less an
 * hour for clocks that disagree) skips the check: no horizon can reach it, so live ingestion pays
 * no extra round trip.
 */
public final class RetentionGuard {
  /**
   * Serialization failure: the batch rolls back, and the call fails UNAVAILABLE, which workers
   * retry; sent again, the records before the horizon are refused one by one.
   */
  static final String RETRY = "40001";

  /** How far behind the clock a horizon can never reach: the shortest window less an hour of clock skew. */
  private static final long BEYOND_ANY_HORIZON_MS = RetentionSettings.SHORTEST_WINDOW.minus(Duration.ofHours(1)).toMillis();

  private final Dataset dataset;
  private final Horizons horizons;
  private final Clock clock;
  private final String sql;

  public RetentionGuard(Dataset dataset, Horizons horizons, Clock clock) {
    this.dataset = dataset;
    this.horizons = horizons;
    this.clock = clock;
    // Two statements, one round trip: the horizon is read after the lock is held (a statement of
    // its own, so its snapshot is taken once the lock is granted). Constants only, no input.
    this.sql = "SELECT pg_advisory_xact_lock_shared(" + dataset.lockKey() + ");"
        + " SELECT horizon_ms FROM retention_horizons WHERE table_name = '" + dataset.table() + "'";
  }

  /**
   * Holds the horizon where it is until the transaction ends, and fails the batch when its oldest
   * record ({@code oldestMs}) is before the horizon as committed.
   */
  public void check(Connection c, long oldestMs) throws SQLException {
    if (oldestMs > clock.millis() - BEYOND_ANY_HORIZON_MS) {
      return;
    }
    long horizon = 0;
    try (Statement s = c.createStatement()) {
      s.execute(sql);
      if (s.getMoreResults()) {
        try (ResultSet rs = s.getResultSet()) {
          if (rs.next()) {
            horizon = rs.getLong(1);
          }
        }
      }
    }
    horizons.raise(dataset, horizon);
    if (oldestMs < horizon) {
      throw new SQLException("the retention horizon of " + dataset.table() + " moved to " + horizon
          + " ms while this batch was on its way; sent again, its records before it are refused", RETRY);
    }
  }
}
