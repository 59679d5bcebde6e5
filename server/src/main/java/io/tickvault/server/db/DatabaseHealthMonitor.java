package io.tickvault.server.db;

import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks PostgreSQL at a fixed interval and sets the gRPC health status of the server and of every
 * service to match: NOT_SERVING while it is unreachable, SERVING again once it answers. Calls that
 * find the database unreachable say so at once ({@link #reportUnavailable()}), so that the calls
 * behind them fail fast ({@link #isDown()}) instead of each waiting for a connection.
 */
public final class DatabaseHealthMonitor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DatabaseHealthMonitor.class);
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

  private final DataSource dataSource;
  private final HealthStatusManager health;
  private final List<String> serviceNames;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tickvault-db-health");
        t.setDaemon(true);
        return t;
      });
  private volatile Boolean lastHealthy;
  private volatile boolean closed;

  public DatabaseHealthMonitor(DataSource dataSource, HealthStatusManager health, List<String> serviceNames) {
    this.dataSource = dataSource;
    this.health = health;
    this.serviceNames = List.copyOf(serviceNames);
  }

  public void start(Duration interval) {
    check();
    scheduler.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether the last check reached PostgreSQL (false before the first one). */
  public boolean reachable() {
    return Boolean.TRUE.equals(lastHealthy);
  }

  /** Checks once now; public so that tests need not wait for the schedule. */
  public boolean check() {
    boolean healthy;
    try (Connection c = dataSource.getConnection()) {
      healthy = c.isValid(2);
    } catch (Exception e) {
      healthy = false;
    }
    update(healthy);
    return healthy;
  }

  /** True while the last check (or call) found PostgreSQL unreachable. */
  public boolean isDown() {
    return Boolean.FALSE.equals(lastHealthy);
  }

  /** A call just found PostgreSQL unreachable: NOT_SERVING now, not at the next check. */
  public void reportUnavailable() {
    if (!isDown()) {
      update(false);
    }
  }

  private synchronized void update(boolean healthy) {
    if (closed) {
      return; // the server is stopping: health is in its terminal state
    }
    if (!Boolean.valueOf(healthy).equals(lastHealthy)) {
      if (healthy) {
        log.info("PostgreSQL is reachable: health SERVING");
      } else {
        log.warn("PostgreSQL is unreachable: health NOT_SERVING");
      }
      lastHealthy = healthy;
    }
    ServingStatus status = healthy ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
    for (String service : serviceNames) {
      health.setStatus(service, status);
    }
  }

  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
  }
}
