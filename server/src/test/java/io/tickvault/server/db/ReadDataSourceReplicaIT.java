package io.tickvault.server.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.MetricValues;
import io.tickvault.server.testing.OwnPostgresReplica;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reads through {@link ReadDataSource} on a real primary and a real streaming standby made with
 * {@code pg_basebackup -R}: served by the standby while it keeps up (also with the primary
 * stopped, when writes fail); by the primary while the standby is stopped, or paused
 * ({@code pg_wal_replay_pause()}) past the lag limit; by the standby again once it is back.
 */
class ReadDataSourceReplicaIT {
  static final Duration MAX_LAG = Duration.ofMillis(1_000);

  static OwnPostgresReplica pair;
  static HikariDataSource primaryPool;
  static HikariDataSource replicaPool;

  PrometheusRegistry registry;
  ReplicaLagMonitor monitor;
  Jdbc primary;
  Jdbc reads;

  @BeforeAll
  static void startPrimaryAndStandby() {
    pair = OwnPostgresReplica.start();
    primaryPool = Database.openPool(pair.primaryUrl("postgres"), null, null, 4);
    Database.migrate(primaryPool);
    replicaPool = Database.openReplicaPool(pair.replicaUrl("postgres"), null, null, 4);
  }

  @AfterAll
  static void stopAll() {
    for (AutoCloseable c : new AutoCloseable[] {replicaPool, primaryPool, pair}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // keep closing the rest
      }
    }
  }

  @BeforeEach
  void wire() {
    registry = new PrometheusRegistry();
    monitor = new ReplicaLagMonitor(primaryPool, replicaPool, MAX_LAG, registry, Clock.systemUTC(), System::nanoTime);
    primary = new Jdbc(primaryPool);
    reads = new Jdbc(new ReadDataSource(primaryPool, replicaPool, monitor, registry, Clock.systemUTC()));
    primary.execute("TRUNCATE trades");
    awaitTrue("the replica keeps up", () -> monitor.check().useReplica() && monitor.state().lagSeconds() == 0);
  }

  @AfterEach
  void close() {
    monitor.close();
  }

  @Test
  void readsGoToTheReplica_alsoWithThePrimaryStopped() {
    insertTrade("t-1");
    awaitTrue("the replica has the trade", () -> readCount() == 1 && monitor.check().useReplica());
    assertThat(readsFromReplica()).isTrue();
    double replicaReads = reads("replica");
    assertThat(readCount()).isEqualTo(1);
    assertThat(reads("replica")).isEqualTo(replicaReads + 1);
    assertThat(gauge("tickvault_database_replica_lag_seconds")).isZero();
    assertThat(gauge("tickvault_database_replica_in_use")).isEqualTo(1);

    pair.stopPrimary();
    try {
      assertThatThrownBy(() -> insertTrade("t-2")).isInstanceOf(RuntimeException.class);
      assertThat(monitor.check().useReplica()).as(monitor.state().reason()).isTrue();
      assertThat(readCount()).isEqualTo(1);
      assertThat(readsFromReplica()).isTrue();
    } finally {
      pair.startPrimary();
    }
    awaitTrue("writes work again once the primary is back", () -> {
      try {
        insertTrade("t-2");
        return true;
      } catch (RuntimeException e) {
        return false;
      }
    });
    awaitTrue("the replica streams again and has the new trade", () -> readCount() == 2);
  }

  @Test
  void replicaStopped_readsFallBackToThePrimaryAndReturnWhenItIsBack() {
    insertTrade("t-1");
    pair.stopReplica();
    try {
      double primaryReads = reads("primary");
      // No check has run since: the first read finds the replica gone and takes the primary.
      assertThat(readCount()).isEqualTo(1);
      assertThat(readsFromReplica()).isFalse();
      assertThat(reads("primary")).isGreaterThanOrEqualTo(primaryReads + 2);
      assertThat(monitor.useReplica()).isFalse();
      assertThat(monitor.check().useReplica()).isFalse();
      assertThat(gauge("tickvault_database_replica_in_use")).isZero();
      assertThat(gauge("tickvault_database_replica_lag_seconds")).isNaN();
    } finally {
      pair.startReplica();
    }
    awaitTrue("reads go to the replica again", () -> monitor.check().useReplica() && readsFromReplica());
  }

  @Test
  void replicaPausedPastTheLagLimit_readsFallBackToThePrimary() {
    insertTrade("t-0");
    awaitTrue("the replica has the first trade", () -> readCount() == 1 && monitor.check().useReplica());
    new Jdbc(replicaPool).query("SELECT pg_wal_replay_pause()", row -> null);
    try {
      long started = System.nanoTime();
      AtomicInteger inserted = new AtomicInteger();
      // Writes keep coming while the replica does not replay them: its lag grows past the limit.
      Eventually.await("lag over the limit", Duration.ofSeconds(20), () -> {
        if (!monitor.check().useReplica()) {
          return true;
        }
        insertTrade("t-" + inserted.incrementAndGet());
        return false;
      });
      int n = inserted.get();
      assertThat(monitor.state().lagSeconds()).isGreaterThan(MAX_LAG.toMillis() / 1000.0);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(MAX_LAG.toMillis());
      assertThat(readsFromReplica()).isFalse();
      assertThat(readCount()).as("the primary has every trade").isEqualTo(n + 1);
      assertThat(gauge("tickvault_database_replica_lag_seconds")).isGreaterThan(1.0);
    } finally {
      new Jdbc(replicaPool).query("SELECT pg_wal_replay_resume()", row -> null);
    }
    awaitTrue("reads go to the replica again once it has caught up", () -> monitor.check().useReplica() && readsFromReplica());
  }

  private void insertTrade(String tradeId) {
    primary.execute("""
        INSERT INTO trades (exchange_id, currency_pair_no, trade_id, price, quantity, taker_side, trade_time_ms, receive_time_ms)
        VALUES (1, 1, ?, 1, 1, 1, 0, 0)""", tradeId);
  }

  private long readCount() {
    return reads.queryOne("SELECT count(*) FROM trades", row -> row.getLong(1)).orElseThrow();
  }

  /** True when the read was answered by the standby. */
  private boolean readsFromReplica() {
    return reads.queryOne("SELECT pg_is_in_recovery()", row -> row.getBoolean(1)).orElseThrow();
  }

  private double reads(String target) {
    return MetricValues.counter(registry, "tickvault_database_reads_total", "target", target);
  }

  private double gauge(String name) {
    return registry.scrape().stream()
        .filter(s -> s.getMetadata().getPrometheusName().equals(name))
        .map(s -> ((io.prometheus.metrics.model.snapshots.GaugeSnapshot) s).getDataPoints().get(0).getValue())
        .findFirst().orElseThrow();
  }

  private static void awaitTrue(String what, BooleanSupplier condition) {
    Eventually.await(what, Duration.ofSeconds(30), condition);
  }

}
