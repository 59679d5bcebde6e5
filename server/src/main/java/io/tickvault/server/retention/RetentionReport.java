package io.tickvault.server.retention;

import io.tickvault.api.v1.GetRetentionResponse;
import io.tickvault.api.v1.TableRetention;
import java.time.Duration;
import java.util.Optional;

/**
 * GetRetention: every table's row of {@code retention_horizons} as committed (read from the
 * primary, not from this server's copy), with this server's window for it.
 */
public final class RetentionReport {
  private final RetentionRepository repository;
  private final Optional<Duration> trades;
  private final Optional<Duration> orderBooks;

  public RetentionReport(RetentionRepository repository, Optional<Duration> trades, Optional<Duration> orderBooks) {
    this.repository = repository;
    this.trades = trades;
    this.orderBooks = orderBooks;
  }

  public GetRetentionResponse report() {
    GetRetentionResponse.Builder response = GetRetentionResponse.newBuilder();
    for (TableStatus t : repository.status()) {
      Optional<Duration> window = Dataset.TRADES.tables().contains(t.table()) ? trades : orderBooks;
      response.addTables(TableRetention.newBuilder()
          .setTable(t.table())
          .setRetentionDays(window.map(d -> (int) d.toDays()).orElse(0))
          .setHorizonMs(t.horizonMs())
          .setRowsRemoved(t.rowsRemoved())
          .setLastRunMs(t.lastRunMs())
          .setOldestKeptMs(t.oldestKeptMs()));
    }
    return response.build();
  }
}
