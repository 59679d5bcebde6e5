package io.tickvault.server.trade;

import static io.tickvault.server.testing.QueryCalls.ingestTrades;
import static io.tickvault.server.testing.QueryCalls.trade;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.metrics.CandleMetrics;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.MetricValues;
import io.tickvault.server.testing.ServerProcess;
import io.tickvault.server.testing.TestDatabase;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rollup of trades stored before it existed: stored here by SQL straight into {@code trades}
 * (as a 0.1 server did), planned by the real V8 migration's SQL, then rolled up slice by slice while
 * trades of the same minutes keep arriving, and, in a server process, killed with SIGKILL halfway.
 * In the end the rollup must equal the trades, every candle, and count each trade once.
 */
class CandleBackfillIT {
  private static final long MINUTE = 60_000;
  private static final long T0 = 1_764_115_200_000L;

  private final TestDatabase database = new TestDatabase();

  @BeforeEach
  void createDatabase() {
    database.create();
  }

  @AfterEach
  void dropDatabase() {
    database.drop();
  }

  @Test
  void slicesWhileIngestionWritesTheSameMinutes_countEveryTradeOnce() throws Exception {
    Jdbc jdbc = database.jdbc();
    storeWithoutRollup(jdbc, 2, 160_000);
    CandleBackfill before = CandleBackfill.open(jdbc, Clock.systemUTC());
    // Trades counted by ingestion before the plan: the slices that cover them must not count them again.
    new TradeRepository(jdbc, before, new TradeCommitLog(commits -> { })).insert(lateTrades(1, "early-", 2_000, 1), T0, () -> { });
    replan();

    CandleBackfill backfill = CandleBackfill.open(jdbc, Clock.systemUTC());
    assertThat(backfill.complete()).isFalse();
    PrometheusRegistry registry = new PrometheusRegistry();
    CandleMetrics.register(registry, backfill::complete, backfill::slicesDone);
    assertThat(MetricValues.gauge(registry, "tickvault_candle_backfill_complete")).isZero();
    TradeRepository repository = new TradeRepository(jdbc, backfill, new TradeCommitLog(commits -> { }));
    CandleReader reader = new CandleReader(jdbc, backfill);
    assertThat(reader.candles(1, 1, T0, T0 + 60 * MINUTE, MINUTE)).as("served from trades meanwhile")
        .isEqualTo(reader.candlesFromTrades(1, 1, T0, T0 + 60 * MINUTE, MINUTE));
    CompletableFuture<Void> ingesting = CompletableFuture.runAsync(() -> {
      for (int batch = 0; batch < 40; batch++) {
        repository.insert(lateTrades(1 + batch % 2, "late-" + batch + "-", 500, batch), T0, () -> { });
      }
    });
    int slices = 0;
    while (backfill.rollUpNextSlice()) {
      slices++;
    }
    ingesting.get();
    assertThat(slices).isGreaterThanOrEqualTo(160_000 / CandleBackfill.SLICE_TRADES);
    assertThat(backfill.complete()).isTrue();
    assertThat(MetricValues.gauge(registry, "tickvault_candle_backfill_complete")).isEqualTo(1);
    assertThat(MetricValues.counter(registry, "tickvault_candle_backfill_slices")).isEqualTo(slices);
    assertRollupEqualsTrades(jdbc, 2, 160_000 + 2_000 + 40 * 500);
  }

  @Test
  void aServerKilledInTheMiddleOfASlice_finishesAfterRestart_countingEveryTradeOnce() throws Exception {
    Jdbc jdbc = database.jdbc();
    storeWithoutRollup(jdbc, 2, 300_000);
    replan();
    try (Connection holder = database.dataSource().getConnection()) {
      // Market 1/2's lock, held here: the server rolls up market 1/1, then stops inside the first
      // slice of 1/2, its plan row taken, waiting for this lock. There it is killed.
      Jdbc.query(holder, "SELECT pg_advisory_lock(1, 2)", row -> null);
      try (ServerProcess server = ServerProcess.start(database.url(), Map.of())) {
        Eventually.await("market 1/1 rolled up, the server inside a slice of 1/2", Duration.ofSeconds(120), () ->
            jdbc.queryOne("SELECT count(*) FROM trade_candles_backfill WHERE next_ms < until_ms", row -> row.getLong(1))
                .orElseThrow() == 1
            && jdbc.queryOne("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", row -> row.getLong(1))
                .orElseThrow() == 1);
        server.kill();
        Jdbc.query(holder, "SELECT pg_advisory_unlock(1, 2)", row -> null);
        assertThat(jdbc.queryOne("SELECT count(*) FROM trade_candles_1m WHERE currency_pair_no = 2", row -> row.getLong(1)))
            .as("nothing of the slice cut short").contains(0L);

        server.restart();
        ingestTrades(server.channel(), lateTrades(2, "after-", 3_000, 5));
        Eventually.await("the backfill finished", Duration.ofSeconds(120), () -> jdbc.queryOne(
            "SELECT count(*) FROM trade_candles_backfill WHERE next_ms < until_ms", row -> row.getLong(1)).orElseThrow() == 0);
      }
    }
    assertRollupEqualsTrades(jdbc, 2, 300_000 + 3_000);
  }

  /** Trades of {@code pairs} markets over ten hours, written by SQL: no rollup row for them. */
  private static void storeWithoutRollup(Jdbc jdbc, int pairs, int trades) {
    jdbc.execute("INSERT INTO exchanges (exchange_id, code) VALUES (1, 'ex1')");
    for (int pair = 1; pair <= pairs; pair++) {
      jdbc.execute("INSERT INTO currency_pairs (exchange_id, currency_pair_no, base_currency, quote_currency) VALUES (1, ?, 'B', 'Q')", pair);
    }
    jdbc.execute("""
        INSERT INTO trades
        SELECT 1, 1 + g % ?, 's' || g, round(100 + (g % 997) / 100.0, 2 + g % 3), 0.5 + (g % 13) / 10.0,
               1 + g % 2, ? + (g::bigint * 7919) % (600 * 60000), ?
          FROM generate_series(1, ?) g
        """, pairs, T0, T0, trades);
  }

  /** Runs V8's SQL again, as if the trades were there when the server was upgraded. */
  private void replan() throws Exception {
    Jdbc jdbc = database.jdbc();
    jdbc.execute("DROP TABLE trade_candles_backfill");
    try (InputStream in = getClass().getResourceAsStream("/db/migration/V8__trade_candles_backfill.sql");
         Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    assertThat(jdbc.queryOne("SELECT count(*) FROM trade_candles_backfill", row -> row.getLong(1))).isPresent();
  }

  /** Trades inside the stored ten hours, of prices the stored ones have in other spellings. */
  private static List<Trade> lateTrades(int pair, String prefix, int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Trade> trades = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      trades.add(trade(1, pair, prefix + i, T0 + random.nextLong(600 * MINUTE),
          java.math.BigDecimal.valueOf(10_000 + random.nextInt(997), 2).toPlainString() + "0", "0.25"));
    }
    return trades;
  }

  private static void assertRollupEqualsTrades(Jdbc jdbc, int pairs, long trades) {
    CandleReader reader = new CandleReader(jdbc, CandleBackfill.open(jdbc, Clock.systemUTC()));
    for (int pair = 1; pair <= pairs; pair++) {
      for (long interval : new long[] {MINUTE, 60 * MINUTE}) {
        assertThat(reader.candles(1, pair, T0, T0 + 600 * MINUTE, interval))
            .as("pair %d at %d ms", pair, interval)
            .isEqualTo(reader.candlesFromTrades(1, pair, T0, T0 + 600 * MINUTE, interval));
      }
    }
    assertThat(jdbc.queryOne("SELECT sum(trade_count) FROM trade_candles_1m", row -> row.getLong(1))).contains(trades);
    assertThat(jdbc.queryOne("SELECT count(*) FROM trades", row -> row.getLong(1))).contains(trades);
  }
}
