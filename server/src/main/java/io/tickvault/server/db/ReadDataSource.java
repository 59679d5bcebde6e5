package io.tickvault.server.db;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tickvault.server.logging.RateLimitedLog;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * Where history reads go: each connection comes from the streaming replica while
 * {@link ReplicaLagMonitor} finds it reachable and fresh enough, else from the primary. Readers
 * take a {@link Jdbc} over this and never know which one answered; writes, API keys and market
 * metadata keep the primary's own pool.
 *
 * <p>A replica that fails to give a connection sends that read, and the reads after it until the
 * next check, to the primary: a replica that goes away costs a read at most
 * {@link Database#REPLICA_CONNECTION_TIMEOUT} or one validation round trip (at most a second with
 * a replica that hangs). A read already running on a replica that dies fails
 * like any database failure (UNAVAILABLE, retried by the client).
 */
public final class ReadDataSource extends PoolFrontDataSource {
  private static final org.slf4j.Logger log = LoggerFactory.getLogger(ReadDataSource.class);
  private static final int VALIDATION_TIMEOUT_SECONDS = 1;

  private final DataSource primary;
  private final DataSource replica;
  private final ReplicaLagMonitor monitor;
  private final CounterDataPoint replicaReads;
  private final CounterDataPoint primaryReads;
  private final RateLimitedLog fallbackLog;

  public ReadDataSource(DataSource primary, DataSource replica, ReplicaLagMonitor monitor, PrometheusRegistry registry,
      Clock clock) {
    this.primary = primary;
    this.replica = replica;
    this.monitor = monitor;
    Counter reads = Counter.builder()
        .name("tickvault_database_reads_total")
        .help("History reads (connections taken) by where they went: the read replica, or the primary")
        .labelNames("target")
        .register(registry);
    this.replicaReads = reads.labelValues("replica");
    this.primaryReads = reads.labelValues("primary");
    this.fallbackLog = new RateLimitedLog(log, RateLimitedLog.DEFAULT_INTERVAL, clock);
  }

  @Override
  public Connection getConnection() throws SQLException {
    if (monitor.useReplica()) {
      try {
        Connection c = replica.getConnection();
        // The pool hands out a connection used in the last half second unchecked: one round trip
        // here turns a replica that has just gone away into a read on the primary, not an error.
        if (c.isValid(VALIDATION_TIMEOUT_SECONDS)) {
          replicaReads.inc();
          return c;
        }
        c.close();
        monitor.replicaFailed(new SQLException("a replica connection failed its validation"));
      } catch (SQLException e) {
        monitor.replicaFailed(e);
      }
    }
    primaryReads.inc();
    fallbackLog.warn("history reads go to the primary: " + monitor.state().reason());
    return primary.getConnection();
  }
}
