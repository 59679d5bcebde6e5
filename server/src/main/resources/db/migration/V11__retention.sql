-- Retention (docs/retention.md): what each market-data table has given up, the same for every
-- server. horizon_ms only moves forward: rows with a time before it (trade_time_ms, server_time_ms)
-- are removed or being removed in batches (retention.RetentionDeleter), ingestion refuses records
-- before it (a trade removed and then replayed would otherwise be stored, and rolled up into
-- trade_candles_1m, a second time), and reads that reach before it say so. trade_candles_1m is not
-- here: the candles are kept whatever the window.
--
-- A server moves a horizon under an exclusive transaction-level advisory lock of its table, and
-- every ingestion batch takes the same lock shared and reads the horizon again before it commits
-- (retention.RetentionGuard): once a horizon is committed, no batch still being written can store
-- a row before it. The deleting batches lock this row FOR UPDATE SKIP LOCKED, so two servers never
-- delete together, and rows_removed counts every row once.
CREATE TABLE retention_horizons (
    table_name     text   NOT NULL,
    horizon_ms     bigint NOT NULL DEFAULT 0,  -- epoch ms; 0: nothing was ever removed
    rows_removed   bigint NOT NULL DEFAULT 0,  -- by every server, since the table was made
    last_run_ms    bigint NOT NULL DEFAULT 0,  -- when a server last finished removing, epoch ms; 0: never
    oldest_kept_ms bigint NOT NULL DEFAULT 0,  -- the oldest row's time at the end of that run; 0: none left
    CONSTRAINT pk_retention_horizons PRIMARY KEY (table_name),
    CONSTRAINT ck_retention_horizons_table CHECK (table_name IN ('trades', 'orderbook_snapshots', 'orderbook_levels'))
);

INSERT INTO retention_horizons (table_name) VALUES ('trades'), ('orderbook_snapshots'), ('orderbook_levels');
