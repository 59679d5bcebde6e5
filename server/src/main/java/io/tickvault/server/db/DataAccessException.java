package io.tickvault.server.db;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/** A failed database call, unchecked, knowing whether PostgreSQL itself was out of reach. */
public final class DataAccessException extends RuntimeException {
  public DataAccessException(String message, Throwable cause) {
    super(message, cause);
  }

  /** True when {@link #isRetryable(Throwable) retrying} the call may succeed: the caller answers UNAVAILABLE. */
  public boolean isUnavailable() {
    return isRetryable(getCause());
  }

  /**
   * True when the same call, retried, may succeed: the database could not be reached, the
   * connection broke, or PostgreSQL rolled the transaction back to resolve a conflict (SQLSTATE
   * class 40: deadlock, serialization failure).
   */
  public static boolean isRetryable(Throwable error) {
    return isUnreachable(error) || hasSqlState(error, "40");
  }

  /**
   * True when PostgreSQL could not be reached or the connection broke: unlike a deadlock, the next
   * call would most likely fail the same way.
   */
  public static boolean isUnreachable(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException && !isPoolTimeout(t)) {
        return true; // no connection: PostgreSQL refused or did not answer, or is known down
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        // 08: connection exception; 57P01-57P03: admin shutdown, crash shutdown, cannot connect now
        if (state.startsWith("08") || state.startsWith("57P")) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * True when no pool connection came free within the pool's timeout while the pool had no
   * failure to connect behind it (HikariCP then gives no SQLSTATE and no cause): every connection
   * is in use. The server is busy, PostgreSQL is not out of reach.
   */
  public static boolean isPoolBusy(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (isPoolTimeout(t)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isPoolTimeout(Throwable t) {
    return t instanceof SQLTransientConnectionException c && c.getSQLState() == null && c.getCause() == null;
  }

  /** 40: transaction rollback (deadlock detected, serialization failure), safe to retry. */
  private static boolean hasSqlState(Throwable error, String sqlStateClass) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith(sqlStateClass)) {
        return true;
      }
    }
    return false;
  }
}
