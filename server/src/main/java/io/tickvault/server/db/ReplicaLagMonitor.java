package io.tickvault.server.db;

import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tickvault.server.logging.RateLimitedLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures, every {@link #DEFAULT_INTERVAL}, how far a streaming replica is behind its primary and
 * decides whether history reads may go to it ({@link #useReplica()}).
 *
 * <p>The lag is an upper bound on how old the oldest write missing on the replica can be, taken
 * the robust way. {@code now() - pg_last_xact_replay_timestamp()} alone grows while nothing is
 * written, although nothing is missing; so first the replica is asked whether it has replayed
 * everything: its {@code pg_last_wal_replay_lsn()} against the primary's {@code pg_current_wal_lsn()}
 * read just before (or, with the primary unreachable, against its own
 * {@code pg_last_wal_receive_lsn()}). Caught up: the lag is 0. Behind: whatever is missing was
 * committed after the last transaction it replayed and after the last check that found it caught
 * up, so the lag is the smaller of the time since each.
 *
 * <p>Reads go to the primary while the replica is unreachable, is not a standby (it was
 * promoted: it no longer follows the primary), or lags more than the limit. With the primary
 * unreachable they go to the replica whatever its lag: the replica is the only copy that answers.
 * Each change is logged (rate-limited) and shown by {@code tickvault_database_replica_in_use}.
 */
public final class ReplicaLagMonitor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReplicaLagMonitor.class);
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

  private static final String PRIMARY_LSN = "SELECT pg_current_wal_lsn()::text";
  private static final String REPLICA_STATE = """
      SELECT pg_is_in_recovery(),
             CASE WHEN ?::pg_lsn IS NULL THEN pg_last_wal_replay_lsn() >= pg_last_wal_receive_lsn()
                  ELSE pg_last_wal_replay_lsn() >= ?::pg_lsn END,
             EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())
      """;

  /** What the last check found. */
  public record State(boolean useReplica, double lagSeconds, String reason) {}

  private final DataSource primary;
  private final DataSource replica;
  private final Duration maxLag;
  private final LongSupplier nanoTime;
  private final Gauge lag;
  private final Gauge inUse;
  private final RateLimitedLog changes;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "tickvault-replica-lag");
    t.setDaemon(true);
    return t;
  });
  private volatile State state = new State(false, Double.NaN, "replica not checked yet");
  private long lastCaughtUpNanos;
  private boolean everCaughtUp;

  public ReplicaLagMonitor(DataSource primary, DataSource replica, Duration maxLag, PrometheusRegistry registry,
      Clock clock, LongSupplier nanoTime) {
    this.primary = primary;
    this.replica = replica;
    this.maxLag = maxLag;
    this.nanoTime = nanoTime;
    this.changes = new RateLimitedLog(log, RateLimitedLog.DEFAULT_INTERVAL, clock);
    this.lag = Gauge.builder()
        .name("tickvault_database_replica_lag_seconds")
        .help("Upper bound of the read replica's replication lag (0 when it has replayed all the primary wrote; NaN while unreachable)")
        .register(registry);
    this.inUse = Gauge.builder()
        .name("tickvault_database_replica_in_use")
        .help("1 while history reads go to the read replica, 0 while they go to the primary (replica unreachable or lagging)")
        .register(registry);
    lag.set(Double.NaN);
  }

  /** Checks now, then every {@code interval} on a thread of its own (a check may wait for a dead host). */
  public void start(Duration interval) {
    check();
    scheduler.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  public boolean useReplica() {
    return state.useReplica();
  }

  public State state() {
    return state;
  }

  /** A read could not get a replica connection: reads go to the primary until the next check finds it. */
  public synchronized void replicaFailed(SQLException e) {
    update(new State(false, Double.NaN, "replica unreachable (" + e.getMessage() + ")"));
  }

  /** Checks once now; public so that tests need not wait for the schedule. */
  public synchronized State check() {
    String primaryLsn = primaryLsn();
    try (Connection c = replica.getConnection();
         PreparedStatement s = c.prepareStatement(REPLICA_STATE)) {
      s.setString(1, primaryLsn);
      s.setString(2, primaryLsn);
      try (ResultSet row = s.executeQuery()) {
        row.next();
        boolean standby = row.getBoolean(1);
        boolean caughtUp = row.getBoolean(2);
        double replayAge = row.getObject(3) == null ? Double.POSITIVE_INFINITY : row.getDouble(3);
        return update(decide(standby, caughtUp, replayAge, primaryLsn != null));
      }
    } catch (SQLException | RuntimeException e) {
      return update(new State(false, Double.NaN, "replica unreachable (" + e.getMessage() + ")"));
    }
  }

  private State decide(boolean standby, boolean caughtUp, double replayAge, boolean primaryAnswered) {
    if (!standby) {
      return new State(false, Double.NaN, "the replica is not a standby (promoted?): it no longer follows the primary");
    }
    long now = nanoTime.getAsLong();
    double lagSeconds;
    if (caughtUp) {
      lastCaughtUpNanos = now;
      everCaughtUp = true;
      lagSeconds = 0;
    } else {
      double sinceCaughtUp = everCaughtUp ? (now - lastCaughtUpNanos) / 1e9 : Double.POSITIVE_INFINITY;
      lagSeconds = Math.max(0, Math.min(replayAge, sinceCaughtUp));
    }
    if (!primaryAnswered) {
      return new State(true, lagSeconds, "the primary does not answer: the replica is the only copy that does");
    }
    boolean fresh = lagSeconds * 1000 <= maxLag.toMillis();
    String reason = String.format("replica lag %.3f s %s the limit of %.3f s", lagSeconds, fresh ? "within" : "over",
        maxLag.toMillis() / 1000.0);
    return new State(fresh, lagSeconds, reason);
  }

  private String primaryLsn() {
    try (Connection c = primary.getConnection();
         PreparedStatement s = c.prepareStatement(PRIMARY_LSN);
         ResultSet row = s.executeQuery()) {
      row.next();
      return row.getString(1);
    } catch (SQLException | RuntimeException e) {
      return null;
    }
  }

  private State update(State next) {
    State previous = state;
    state = next;
    lag.set(next.lagSeconds());
    inUse.set(next.useReplica() ? 1 : 0);
    if (next.useReplica() && !previous.useReplica()) {
      log.info("history reads go to the read replica: {}", next.reason());
    } else if (!next.useReplica() && previous.useReplica()) {
      changes.warn("history reads go to the primary: " + next.reason());
    }
    return next;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
