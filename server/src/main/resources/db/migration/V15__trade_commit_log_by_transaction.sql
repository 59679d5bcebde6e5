-- An entry of trade_commit_log names its trades without copying them (trade.TradeCommitLog,
-- docs/subscribing.md): tx is the xmin they were written with, and every trade of the market in
-- [min_time_ms, max_time_ms] whose xmin is tx is one of them, found through ix_trades_market_time.
-- Copying each trade into the log cost PostgreSQL more per trade than anything else the service
-- adds to a COPY. An entry whose trades lie further apart than trade.TradeCommitLog allows still
-- holds them in trades (a read by time would cover too many rows of other transactions); tx is
-- then NULL. Entries written before this migration all hold their trades.
ALTER TABLE trade_commit_log
    ALTER COLUMN trades DROP NOT NULL,
    ADD COLUMN tx          xid,
    ADD COLUMN min_time_ms bigint,
    ADD COLUMN max_time_ms bigint,
    ADD CONSTRAINT ck_trade_commit_log_named CHECK ((trades IS NULL) = (tx IS NOT NULL));
