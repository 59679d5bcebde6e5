package io.tickvault.server.retention;

import static io.tickvault.server.retention.RetentionCalls.DAY;
import static io.tickvault.server.retention.RetentionCalls.count;
import static io.tickvault.server.retention.RetentionCalls.minute;
import static io.tickvault.server.retention.RetentionCalls.trades;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.server.config.RetentionSettings;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.testing.MetricValues;
import io.tickvault.server.testing.QueryCalls;
import io.tickvault.server.testing.TestServer;
import io.tickvault.server.trade.TradeCalls;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two servers on one database run retention at the same moment: together they remove every old
 * trade once, the shared count says so, and what each says it removed adds up to it.
 */
class RetentionReplicasIT {
  static final RetentionSettings DAY_IN_SMALL_BATCHES =
      new RetentionSettings(Optional.of(Duration.ofDays(1)), Optional.empty(), 500, Duration.ofMillis(5));

  @RegisterExtension
  @Order(1)
  static TestServer a = TestServer.inProcess().configure(b -> b.retention(DAY_IN_SMALL_BATCHES));
  @RegisterExtension
  @Order(2)
  static TestServer b = TestServer.inProcessReplicaOf(a).configure(c -> c.retention(DAY_IN_SMALL_BATCHES));

  @Test
  void twoServersRemovingAtOnce_removeEveryOldTradeOnce() throws Exception {
    Jdbc jdbc = a.database().jdbc();
    TradeCalls.registerMarket(a.channel(), 1, 1, 2, 3);
    long now = System.currentTimeMillis();
    long old = minute(now - 3 * DAY);
    for (int pair = 1; pair <= 3; pair++) {
      QueryCalls.ingestTrades(a.channel(), trades(1, pair, "old-", old, 1_000, 8_000));
      QueryCalls.ingestTrades(a.channel(), trades(1, pair, "new-", now - 60_000, 1, 100));
    }

    CompletableFuture<Map<String, Long>> byA = CompletableFuture.supplyAsync(() -> run(a));
    CompletableFuture<Map<String, Long>> byB = CompletableFuture.supplyAsync(() -> run(b));
    long removedByA = byA.get(120, TimeUnit.SECONDS).get("trades");
    long removedByB = byB.get(120, TimeUnit.SECONDS).get("trades");

    assertThat(removedByA + removedByB).isEqualTo(24_000);
    assertThat(count(jdbc, "SELECT count(*) FROM trades")).isEqualTo(300);
    assertThat(count(jdbc, "SELECT rows_removed FROM retention_horizons WHERE table_name = 'trades'")).isEqualTo(24_000);
    double metricA = MetricValues.counter(a.app().metrics().registry(), "tickvault_retention_deleted_rows_total", "table", "trades");
    double metricB = MetricValues.counter(b.app().metrics().registry(), "tickvault_retention_deleted_rows_total", "table", "trades");
    assertThat(metricA).isEqualTo(removedByA);
    assertThat(metricB).isEqualTo(removedByB);
    // Run again, one after the other: the one still finding old rows would remove them; none are left.
    assertThat(run(b)).containsEntry("trades", 0L);
    assertThat(count(jdbc, "SELECT rows_removed FROM retention_horizons WHERE table_name = 'trades'")).isEqualTo(24_000);
  }

  private static Map<String, Long> run(TestServer server) {
    try {
      return server.app().retention().runOnce();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
