package io.tickvault.server.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether PostgreSQL is reachable, checked every {@link #DEFAULT_INTERVAL} and at once when a call
 * finds a connection broken or missing ({@link #checkNow()}), and told to its listeners on each
 * change (gRPC health, {@link FailFastDataSource}).
 *
 * <p>It checks over a connection of its own, not one of the pool: a pool that is busy, all its
 * connections in use, is not an outage, and must not make the check wait. That connection is
 * validated with one round trip; when it is broken, one new connection is tried, which PostgreSQL
 * refuses at once when it is not listening (or is shutting down or starting up). Every check is
 * bounded by the probe's timeouts ({@link Database#openProbe}). Once PostgreSQL is down, it counts
 * as back only when the pool gives a connection too: the pool reconnects as its own backoff
 * allows, and until then calls would only wait for it.
 */
public final class DatabaseHealthMonitor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DatabaseHealthMonitor.class);
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
  /**
   * The least time between a check and the next one asked for by a call: a flood of failing calls
   * costs PostgreSQL at most ten checks a second.
   */
  static final Duration MIN_GAP = Duration.ofMillis(100);
  private static final int VALIDATION_TIMEOUT_SECONDS = 1;

  /** Told when PostgreSQL is found reachable or unreachable; called on the monitor's thread, in order. */
  @FunctionalInterface
  public interface Listener {
    void reachabilityChanged(boolean reachable);
  }

  private final DataSource probe;
  private final DataSource pool;
  private final LongSupplier nanoTime;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tickvault-db-health");
        t.setDaemon(true);
        return t;
      });
  private final AtomicBoolean checkAsked = new AtomicBoolean();
  private volatile long lastCheckNanos;
  private volatile Boolean lastHealthy;
  private Connection connection; // guarded by this
  private boolean closed; // guarded by this

  /**
   * @param probe unpooled connections with short timeouts ({@link Database#openProbe})
   * @param pool the pool the calls use, asked for a connection only when PostgreSQL comes back
   */
  public DatabaseHealthMonitor(DataSource probe, DataSource pool, LongSupplier nanoTime) {
    this.probe = probe;
    this.pool = pool;
    this.nanoTime = nanoTime;
    this.lastCheckNanos = nanoTime.getAsLong() - MIN_GAP.toNanos();
  }

  /** Checks once now, then every {@code interval}. */
  public void start(Duration interval) {
    check();
    scheduler.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Tells {@code listener} of every change from now on, and of what the last check found (if any) at once. */
  public synchronized void addListener(Listener listener) {
    listeners.add(listener);
    if (lastHealthy != null) {
      listener.reachabilityChanged(lastHealthy);
    }
  }

  /** Whether the last check reached PostgreSQL (false before the first one). */
  public boolean reachable() {
    return Boolean.TRUE.equals(lastHealthy);
  }

  /** True while the last check found PostgreSQL unreachable. */
  public boolean isDown() {
    return Boolean.FALSE.equals(lastHealthy);
  }

  /**
   * A call found a connection broken or missing: check on the monitor's thread now rather than at
   * the next tick, unless PostgreSQL is already known to be down (the ticks find it back). Calls
   * that ask while a check is pending share it; one asked for within {@link #MIN_GAP} of the last
   * runs at its end.
   */
  public void checkNow() {
    if (isDown() || !checkAsked.compareAndSet(false, true)) {
      return;
    }
    long wait = lastCheckNanos + MIN_GAP.toNanos() - nanoTime.getAsLong();
    try {
      scheduler.schedule(() -> {
        checkAsked.set(false);
        check();
      }, Math.max(0, wait), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      checkAsked.set(false); // closed: the server is stopping
    }
  }

  /** Checks once now and tells the listeners if that changed; public so that tests need not wait for the schedule. */
  public synchronized boolean check() {
    if (closed) {
      return reachable(); // the server is stopping: listeners are in their terminal state
    }
    String failure = probe();
    if (failure == null && isDown()) {
      failure = poolReconnected();
    }
    lastCheckNanos = nanoTime.getAsLong();
    boolean healthy = failure == null;
    if (!Boolean.valueOf(healthy).equals(lastHealthy)) {
      if (healthy) {
        log.info("PostgreSQL is reachable");
      } else {
        log.warn("PostgreSQL is unreachable ({}): calls that need it are answered UNAVAILABLE at once", failure);
      }
      lastHealthy = healthy;
      listeners.forEach(listener -> listener.reachabilityChanged(healthy));
    }
    return healthy;
  }

  /** Null when PostgreSQL answered, else why not. */
  private String probe() {
    try {
      if (connection != null && connection.isValid(VALIDATION_TIMEOUT_SECONDS)) {
        return null;
      }
      closeConnection();
      connection = probe.getConnection();
      return null;
    } catch (SQLException e) {
      closeConnection();
      return e.getMessage();
    }
  }

  /** Null when the pool gives a connection again, else why not. */
  private String poolReconnected() {
    try (Connection c = pool.getConnection()) {
      return null;
    } catch (SQLException e) {
      return "PostgreSQL answers but the pool has no connection yet: " + e.getMessage();
    }
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // it was broken: nothing left to release
      }
      connection = null;
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    synchronized (this) {
      closed = true;
      closeConnection();
    }
  }
}
