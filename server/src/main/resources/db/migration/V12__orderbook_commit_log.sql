-- The order book snapshots each transaction inserted, per market, numbered in commit order: what
-- SubscribeOrderBooks streams after the stored history (orderbook.OrderBookCommitLog,
-- docs/subscribing.md). The same scheme as trade_commit_log (V9__trade_commit_log.sql), with a
-- counter of its own: sharing market_commit_seq would make a market's trade writers and book
-- writers wait for each other's commits.
CREATE TABLE orderbook_commit_seq (
    exchange_id      integer NOT NULL,
    currency_pair_no integer NOT NULL,
    seq              bigint  NOT NULL,  -- the market's last commit_seq
    pruned_through   bigint  NOT NULL DEFAULT 0,  -- log entries up to this seq are deleted (retention)
    CONSTRAINT pk_orderbook_commit_seq PRIMARY KEY (exchange_id, currency_pair_no)
);

-- An entry names the snapshots by id, in key order, instead of holding them: their header and
-- levels are in orderbook_snapshots and orderbook_levels already, committed with the entry, and a
-- snapshot is about forty level rows, too many bytes to write twice in the committing transaction.
CREATE TABLE orderbook_commit_log (
    exchange_id      integer     NOT NULL,
    currency_pair_no integer     NOT NULL,
    commit_seq       bigint      NOT NULL,
    snapshot_ids     bigint[]    NOT NULL,  -- orderbook_snapshots.snapshot_id of the snapshots inserted
    snapshot_count   integer     NOT NULL,
    committed_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_orderbook_commit_log PRIMARY KEY (exchange_id, currency_pair_no, commit_seq)
);

-- The retention job deletes by age.
CREATE INDEX ix_orderbook_commit_log_committed_at ON orderbook_commit_log (committed_at);
