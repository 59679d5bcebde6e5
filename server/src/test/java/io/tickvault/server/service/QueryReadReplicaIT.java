package io.tickvault.server.service;

import static io.tickvault.server.testing.QueryCalls.ingestTrades;
import static io.tickvault.server.testing.QueryCalls.readTradePages;
import static io.tickvault.server.testing.QueryCalls.trade;
import static io.tickvault.server.testing.QueryCalls.tradesOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tickvault.api.v1.GetCandlesRequest;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.ReadTradesRequest;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.testing.InProcessApp;
import io.tickvault.server.testing.MetricValues;
import io.tickvault.server.testing.OwnPostgresReplica;
import io.tickvault.server.trade.TradeCalls;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server with {@code TICKVAULT_DATABASE_READ_URL} on a real streaming standby of its primary:
 * history reads (ReadTrades, GetCandles) are served by the standby, and keep answering with the
 * primary stopped while writes fail UNAVAILABLE (and work again when it returns); with the standby
 * stopped, or paused past the lag limit, they are served by the primary, which has every trade.
 */
class QueryReadReplicaIT {
  static final Duration MAX_LAG = Duration.ofMillis(1_000);
  static final int EXCHANGE = 1;
  static final int PAIR = 1;
  /** The lag test's own market, so that the two tests see only their own trades, in any order. */
  static final int LAG_PAIR = 2;
  static final long T0 = 1_764_000_000_000L;

  static OwnPostgresReplica pair;
  static InProcessApp app;

  @BeforeAll
  static void start() {
    pair = OwnPostgresReplica.start();
    app = InProcessApp.start(InProcessApp.config(pair.primaryUrl("postgres"))
        .databaseReadUrl(pair.replicaUrl("postgres"))
        .databaseReadMaxLag(MAX_LAG)
        .shutdownGrace(Duration.ofSeconds(2))
        .build());
    TradeCalls.registerMarket(app.channel(), EXCHANGE, PAIR, LAG_PAIR);
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
    if (pair != null) {
      pair.close();
    }
  }

  @Test
  void historyReadsGoToTheReplica_andSurviveThePrimary_andFallBackWhenTheReplicaStopsOrLags() {
    ingestTrades(app.channel(), List.of(trade(EXCHANGE, PAIR, "a", T0, "100.10", "1"), trade(EXCHANGE, PAIR, "b", T0 + 1, "100.20", "2")));
    awaitTrue("the replica serves both trades", () -> readsFromReplica() && tradeIds().equals(List.of("a", "b")));
    double replicaReads = reads("replica");
    assertThat(tradeIds()).containsExactly("a", "b");
    assertThat(candleTradeCount()).isEqualTo(2);
    assertThat(reads("replica")).isGreaterThanOrEqualTo(replicaReads + 2);

    // The primary stopped: writes fail UNAVAILABLE, history reads still answer from the replica.
    pair.stopPrimary();
    try {
      assertThatThrownBy(() -> ingestTrades(app.channel(), List.of(trade(EXCHANGE, PAIR, "c", T0 + 2, "100.30", "3"))))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
      double before = reads("replica");
      assertThat(tradeIds()).containsExactly("a", "b");
      assertThat(candleTradeCount()).isEqualTo(2);
      assertThat(reads("replica")).isGreaterThanOrEqualTo(before + 2);
    } finally {
      pair.startPrimary();
    }
    awaitTrue("writes work again", () -> {
      try {
        ingestTrades(app.channel(), List.of(trade(EXCHANGE, PAIR, "c", T0 + 2, "100.30", "3")));
        return true;
      } catch (StatusRuntimeException e) {
        return false;
      }
    });
    awaitTrue("the replica streams again and serves the new trade",
        () -> readsFromReplica() && tradeIds().equals(List.of("a", "b", "c")));

    // The replica stopped: reads go to the primary.
    pair.stopReplica();
    try {
      double primaryReads = reads("primary");
      assertThat(tradeIds()).containsExactly("a", "b", "c");
      assertThat(candleTradeCount()).isEqualTo(3);
      assertThat(reads("primary")).isGreaterThanOrEqualTo(primaryReads + 2);
    } finally {
      pair.startReplica();
    }
    awaitTrue("reads go to the replica again", this::readsFromReplica);
  }

  @Test
  void replicaPausedPastTheLagLimit_readsGoToThePrimaryWhichHasEveryTrade() {
    long t = T0 + 1_000_000;
    ingestTrades(app.channel(), List.of(trade(EXCHANGE, LAG_PAIR, "p-0", t, "1", "1")));
    awaitTrue("the replica serves the first trade", () -> readsFromReplica() && tradeIds(LAG_PAIR).contains("p-0"));
    try (var replica = new com.zaxxer.hikari.HikariDataSource()) {
      replica.setJdbcUrl(pair.replicaUrl("postgres"));
      new io.tickvault.server.db.Jdbc(replica).query("SELECT pg_wal_replay_pause()", row -> null);
      try {
        int n = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        // Trades keep coming while the replica replays none of them: its lag passes the limit.
        while (readsFromReplica()) {
          ingestTrades(app.channel(), List.of(trade(EXCHANGE, LAG_PAIR, "p-" + ++n, t + n, "1", "1")));
          assertThat(System.nanoTime()).as("reads leave the lagging replica within 30 s").isLessThan(deadline);
          sleep(100);
        }
        assertThat(gauge("tickvault_database_replica_lag_seconds")).isGreaterThan(MAX_LAG.toMillis() / 1000.0);
        assertThat(tradeIds(LAG_PAIR)).contains("p-" + n);
      } finally {
        new io.tickvault.server.db.Jdbc(replica).query("SELECT pg_wal_replay_resume()", row -> null);
      }
    }
    awaitTrue("reads go to the replica again once it has caught up", this::readsFromReplica);
  }

  private List<String> tradeIds() {
    return tradeIds(PAIR);
  }

  private List<String> tradeIds(int pairNo) {
    return tradesOf(readTradePages(app.channel(), ReadTradesRequest.newBuilder()
        .setExchangeId(EXCHANGE).setCurrencyPairNo(pairNo).setStartTimeMs(0).build()))
        .stream().map(Trade::getTradeId).toList();
  }

  private long candleTradeCount() {
    return QueryServiceGrpc.newBlockingStub(app.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getCandles(GetCandlesRequest.newBuilder().setExchangeId(EXCHANGE).setCurrencyPairNo(PAIR)
            .setStartTimeMs(T0).setEndTimeMs(T0 + 60_000).setIntervalMs(60_000).build())
        .getCandlesList().stream().mapToLong(c -> c.getTradeCount()).sum();
  }

  /** True while the server sends history reads to the replica (its lag monitor says so). */
  private boolean readsFromReplica() {
    return gauge("tickvault_database_replica_in_use") == 1;
  }

  private double reads(String target) {
    return MetricValues.counter(app.app().metrics().registry(), "tickvault_database_reads_total", "target", target);
  }

  private double gauge(String name) {
    return app.app().metrics().registry().scrape().stream()
        .filter(s -> s.getMetadata().getPrometheusName().equals(name))
        .map(s -> ((io.prometheus.metrics.model.snapshots.GaugeSnapshot) s).getDataPoints().get(0).getValue())
        .findFirst().orElseThrow();
  }

  private static void awaitTrue(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within 30 s");
      }
      sleep(100);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
