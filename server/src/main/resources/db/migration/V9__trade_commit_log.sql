-- The trades each transaction inserted, per market, numbered in commit order: what SubscribeTrades
-- streams after the stored history (trade.TradeCommitLog, docs/subscribing.md). trades has no
-- serial id, and a sequence value taken inside a transaction may commit after a greater one, so
-- the number comes from market_commit_seq, updated as the last statement before the commit: the
-- row lock serializes the commit tails of the writers of one market, so a reader that has seen
-- commit_seq N committed never later finds a smaller one committed.
CREATE TABLE market_commit_seq (
    exchange_id      integer NOT NULL,
    currency_pair_no integer NOT NULL,
    seq              bigint  NOT NULL,  -- the market's last commit_seq
    pruned_through   bigint  NOT NULL DEFAULT 0,  -- log entries up to this seq are deleted (retention)
    CONSTRAINT pk_market_commit_seq PRIMARY KEY (exchange_id, currency_pair_no)
);

CREATE TABLE trade_commit_log (
    exchange_id      integer     NOT NULL,
    currency_pair_no integer     NOT NULL,
    commit_seq       bigint      NOT NULL,
    trades           bytea       NOT NULL,  -- the inserted trades, length-delimited tickvault.v1.Trade messages
    trade_count      integer     NOT NULL,
    committed_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_trade_commit_log PRIMARY KEY (exchange_id, currency_pair_no, commit_seq)
);

-- The retention job deletes by age.
CREATE INDEX ix_trade_commit_log_committed_at ON trade_commit_log (committed_at);
