package io.tickvault.server.retention;

import java.util.List;

/**
 * What one retention window covers: raw trades ({@code TICKVAULT_RETENTION_DAYS}), or order book
 * snapshots with their levels ({@code TICKVAULT_ORDERBOOK_RETENTION_DAYS}). Each has its horizon
 * in {@code retention_horizons} (one row per table, the rows of one dataset moved together) and an
 * advisory lock of its own that ingestion holds shared while it writes (V11__retention.sql).
 */
public enum Dataset {
  TRADES(List.of("trades"), 0x7476_7265_7401L),
  ORDER_BOOKS(List.of("orderbook_snapshots", "orderbook_levels"), 0x7476_7265_7402L);

  private final List<String> tables;
  private final long lockKey;

  Dataset(List<String> tables, long lockKey) {
    this.tables = tables;
    this.lockKey = lockKey;
  }

  /** The tables, the one holding the records first (the one whose row the deleting batches lock). */
  public List<String> tables() {
    return tables;
  }

  /** The table holding the records. */
  public String table() {
    return tables.get(0);
  }

  /**
   * The key of its transaction-level advisory lock: a single bigint, a key space apart from the
   * two-integer keys the candle backfill locks markets with.
   */
  long lockKey() {
    return lockKey;
  }
}
