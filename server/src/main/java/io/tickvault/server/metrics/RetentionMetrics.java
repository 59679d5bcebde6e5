package io.tickvault.server.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * Retention (docs/retention.md): the rows this server removed and its batches, by table, and from
 * the shared {@code retention_horizons} as last read (never a query per scrape) each table's
 * horizon, the last run of any server and the oldest row it left, as Unix timestamps in seconds.
 */
public final class RetentionMetrics {
  /** One table's figures, in epoch milliseconds (0: none). */
  public record Table(String table, long horizonMs, long lastRunMs, long oldestKeptMs) {}

  private final Counter removed;
  private final Counter batches;

  public RetentionMetrics(PrometheusRegistry registry, List<String> tables, Supplier<List<Table>> figures) {
    removed = Meters.counter(registry, "tickvault_retention_deleted_rows_total",
        "Rows this server removed because they were older than their retention window, by table", "table");
    batches = Meters.counter(registry, "tickvault_retention_batches_total",
        "Deleting transactions this server ran, by table of the records they removed", "table");
    for (String table : tables) {
      removed.labelValues(table);
    }
    gauge(registry, "tickvault_retention_horizon_timestamp_seconds",
        "Rows older than this (Unix seconds) are removed or being removed, and ingestion refuses them; absent: nothing removed",
        figures, Table::horizonMs);
    gauge(registry, "tickvault_retention_last_run_timestamp_seconds",
        "When a server last finished removing the table's old rows (Unix seconds); absent: never", figures, Table::lastRunMs);
    gauge(registry, "tickvault_retention_oldest_kept_timestamp_seconds",
        "Time of the oldest row the last run left in the table (Unix seconds); absent: never run, or none left",
        figures, Table::oldestKeptMs);
  }

  /** Counts one batch of {@code table}. */
  public void removed(String table, long rows) {
    removed.labelValues(table).inc(rows);
    if (table.equals("trades") || table.equals("orderbook_snapshots")) {
      batches.labelValues(table).inc();
    }
  }

  private static void gauge(PrometheusRegistry registry, String name, String help, Supplier<List<Table>> figures,
                            ToLongFunction<Table> value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("table")
        .callback(callback -> {
          for (Table t : figures.get()) {
            long ms = value.applyAsLong(t);
            if (ms > 0) {
              callback.call(ms / 1000.0, t.table());
            }
          }
        })
        .register(registry);
  }
}
