package io.tickvault.server.retention;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * This server's copy of the retention horizons ({@code retention_horizons}), which every check of
 * an ingested record and every read asks without a query: refreshed from the primary every few
 * seconds ({@link #refresh()}), and raised at once whenever a horizon is read in passing (by an
 * ingestion batch's {@link RetentionGuard}, or by this server's own deleter). A copy a few seconds
 * old is never wrong for long: the batch that would store a record before a horizon moved
 * meanwhile finds out before it commits, and is failed to be sent again.
 */
public final class Horizons {
  private final Supplier<List<TableStatus>> source;
  private final Map<Dataset, AtomicLong> horizons = new ConcurrentHashMap<>();
  private volatile List<TableStatus> tables = List.of();

  /** Horizons read from {@code source} (the repository's {@link RetentionRepository#status()}) at each refresh. */
  public Horizons(Supplier<List<TableStatus>> source) {
    this.source = source;
    for (Dataset dataset : Dataset.values()) {
      horizons.put(dataset, new AtomicLong());
    }
  }

  /** Reads every table's row again; throws when the database cannot be read (the copy stays as it was). */
  public void refresh() {
    List<TableStatus> read = source.get();
    for (TableStatus table : read) {
      for (Dataset dataset : Dataset.values()) {
        if (dataset.table().equals(table.table())) {
          raise(dataset, table.horizonMs());
        }
      }
    }
    tables = read;
  }

  /** Records of the dataset with a time before this (epoch ms) are removed or being removed; 0: none. */
  public long horizon(Dataset dataset) {
    return horizons.get(dataset).get();
  }

  /** Every table's row as last read (empty before the first refresh). */
  public List<TableStatus> tables() {
    return tables;
  }

  /** A horizon only moves forward. */
  void raise(Dataset dataset, long horizonMs) {
    horizons.get(dataset).accumulateAndGet(horizonMs, Math::max);
  }
}
