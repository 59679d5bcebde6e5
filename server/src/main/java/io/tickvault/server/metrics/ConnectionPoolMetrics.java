package io.tickvault.server.metrics;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The connection pool as HikariCP sees it, read at scrape time: connections in use, idle, the
 * total, the configured maximum, and calls waiting for a connection. A pending count above zero
 * for long means the pool (TICKVAULT_DATABASE_POOL_SIZE) or the database is the bottleneck.
 */
public final class ConnectionPoolMetrics {
  private ConnectionPoolMetrics() {}

  public static void register(PrometheusRegistry registry, HikariDataSource dataSource) {
    GaugeWithCallback.builder()
        .name("tickvault_db_pool_connections")
        .help("PostgreSQL connections of the pool, by state (active, idle, total, max)")
        .labelNames("state")
        .callback(callback -> {
          HikariPoolMXBean pool = dataSource.getHikariPoolMXBean();
          if (pool == null) {
            return; // closed, or not started: nothing to report rather than made-up zeros
          }
          callback.call(pool.getActiveConnections(), "active");
          callback.call(pool.getIdleConnections(), "idle");
          callback.call(pool.getTotalConnections(), "total");
          callback.call(dataSource.getMaximumPoolSize(), "max");
        })
        .register(registry);
    GaugeWithCallback.builder()
        .name("tickvault_db_pool_pending_threads")
        .help("Calls waiting for a PostgreSQL connection from the pool")
        .callback(callback -> {
          HikariPoolMXBean pool = dataSource.getHikariPoolMXBean();
          if (pool != null) {
            callback.call(pool.getThreadsAwaitingConnection());
          }
        })
        .register(registry);
  }
}
