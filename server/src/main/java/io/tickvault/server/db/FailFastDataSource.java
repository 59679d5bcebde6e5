package io.tickvault.server.db;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The primary's pool for every call, failing at once while {@link DatabaseHealthMonitor} knows
 * PostgreSQL is unreachable instead of making each call wait the pool's connection timeout.
 *
 * <ul>
 *   <li>A call that finds PostgreSQL known down gets an {@link SQLTransientConnectionException}
 *       (SQLState 08001) at once.
 *   <li>A call that finds no idle connection while the pool is short of connections (the pool is
 *       fixed-size: connections have died, and PostgreSQL may have gone with them) asks the monitor
 *       to check now. A pool that is merely busy, every connection in use, asks nothing.
 *   <li>When the monitor finds PostgreSQL unreachable, the calls waiting for a connection are woken
 *       (HikariCP's wait ends on an interrupt, the only way to end it early) and fail the same way,
 *       and the pool's connections, to a server that is gone, are evicted.
 * </ul>
 */
public final class FailFastDataSource extends PoolFrontDataSource implements DatabaseHealthMonitor.Listener {
  private final HikariDataSource pool;
  private final DatabaseHealthMonitor health;
  private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();

  public FailFastDataSource(HikariDataSource pool, DatabaseHealthMonitor health) {
    this.pool = pool;
    this.health = health;
  }

  @Override
  public Connection getConnection() throws SQLException {
    if (health.isDown()) {
      throw unreachable(null);
    }
    HikariPoolMXBean state = pool.getHikariPoolMXBean();
    if (state.getIdleConnections() == 0 && state.getTotalConnections() < pool.getMaximumPoolSize()) {
      health.checkNow();
    }
    Waiter waiter = new Waiter();
    waiters.add(waiter);
    Connection connection = null;
    SQLException failure = null;
    try {
      // Checked again once listed: a change to down before this is seen here, one after wakes it.
      if (health.isDown()) {
        throw unreachable(null);
      }
      connection = pool.getConnection();
    } catch (SQLException e) {
      failure = e;
    } finally {
      waiters.remove(waiter);
      if (waiter.done() && failure != null) {
        failure = unreachable(failure);
      }
    }
    if (failure != null) {
      throw failure;
    }
    return connection;
  }

  @Override
  public void reachabilityChanged(boolean reachable) {
    if (!reachable) {
      waiters.forEach(Waiter::wake);
      pool.getHikariPoolMXBean().softEvictConnections();
    }
  }

  private static SQLTransientConnectionException unreachable(Throwable cause) {
    return new SQLTransientConnectionException("PostgreSQL is unreachable (the health check found it so): no call waits"
        + " for a connection until it answers again", "08001", cause);
  }

  /**
   * A thread waiting for a connection. It is interrupted only while it waits, and the interrupt is
   * cleared once it stops, so that nothing after sees it.
   */
  private static final class Waiter {
    private final Thread thread = Thread.currentThread();
    private boolean waiting = true;
    private boolean woken;

    synchronized void wake() {
      if (waiting) {
        woken = true;
        thread.interrupt();
      }
    }

    /** Whether it was woken; called by the waiting thread itself. */
    synchronized boolean done() {
      waiting = false;
      if (woken) {
        Thread.interrupted();
      }
      return woken;
    }
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    return pool.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || pool.isWrapperFor(iface);
  }
}
