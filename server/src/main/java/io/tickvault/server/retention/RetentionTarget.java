package io.tickvault.server.retention;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The tables of one {@link Dataset} as the deleter sees them, written by the feature that owns
 * them (the only code that knows their columns): how to remove one batch of a market's oldest
 * records, and how old the oldest record left is.
 */
public interface RetentionTarget {
  Dataset dataset();

  /**
   * Removes up to {@code limit} of the market's records with a time before {@code beforeMs}, the
   * oldest first along the market/time index, in one statement on {@code c} (the caller commits).
   * Returns the rows removed from each of {@link Dataset#tables()}, in that order; the first is
   * the records themselves: fewer than {@code limit} means none is left before {@code beforeMs}.
   */
  long[] removeBatch(Connection c, int exchangeId, int currencyPairNo, long beforeMs, int limit) throws SQLException;

  /** The time of the oldest record stored, in epoch milliseconds; 0 when there is none. */
  long oldestKept(Connection c) throws SQLException;
}
