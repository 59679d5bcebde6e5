package io.tickvault.server.db;

import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * A limit on how long each statement of some work may run, applied by {@link Jdbc} to the
 * statements that work prepares on this thread: PostgreSQL cancels one that runs past it
 * (SQLSTATE 57014), so that one read over a huge range cannot hold a connection for minutes.
 * The edge sets it around the events of the calls whose declaration asks for one.
 */
public final class StatementTimeout {
  private static final ThreadLocal<Integer> SECONDS = new ThreadLocal<>();
  private static final String QUERY_CANCELED = "57014";

  private StatementTimeout() {}

  /** Runs {@code work} with each of its statements limited to {@code limit} (whole seconds, at least one); zero for none. */
  public static void run(Duration limit, Runnable work) {
    if (limit.isZero()) {
      work.run();
      return;
    }
    Integer outer = SECONDS.get();
    SECONDS.set((int) Math.max(1, Math.min(Integer.MAX_VALUE, limit.toSeconds())));
    try {
      work.run();
    } finally {
      if (outer == null) {
        SECONDS.remove();
      } else {
        SECONDS.set(outer);
      }
    }
  }

  static void apply(Statement statement) throws SQLException {
    Integer seconds = SECONDS.get();
    if (seconds != null) {
      statement.setQueryTimeout(seconds);
    }
  }

  /** True when {@code error} is, or was caused by, a statement PostgreSQL cancelled (its time ran out). */
  public static boolean isTimeout(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && QUERY_CANCELED.equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }
}
