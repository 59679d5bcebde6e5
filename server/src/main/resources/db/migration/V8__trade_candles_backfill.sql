-- The trades stored before trade_candles_1m existed are rolled up by the server in the background
-- (trade.CandleBackfill), not here: one INSERT … SELECT of every stored trade would keep the
-- server from starting for as long as it takes (docs/scaling.md#the-candle-rollup-of-stored-trades).
-- This plans it: one row per market holding trades, the minutes [next_ms, until_ms) still to
-- roll up. Each slice of a market is recomputed from trades and replaces its rollup rows, and
-- next_ms moves past it, in one transaction: a slice cut short (a crash, SIGKILL) is done again
-- whole, and never counts a trade twice. Trades inserted from V7 on are counted by ingestion
-- itself; a slice replaces their candles with ones computed from every trade of its minutes, the
-- same rows.
CREATE TABLE trade_candles_backfill (
    exchange_id      integer NOT NULL,
    currency_pair_no integer NOT NULL,
    next_ms          bigint  NOT NULL,  -- the first minute not yet rolled up, epoch milliseconds
    until_ms         bigint  NOT NULL,  -- the end of the minute of the latest trade stored at planning
    CONSTRAINT pk_trade_candles_backfill PRIMARY KEY (exchange_id, currency_pair_no)
);

INSERT INTO trade_candles_backfill (exchange_id, currency_pair_no, next_ms, until_ms)
SELECT p.exchange_id, p.currency_pair_no, stored.first_ms / 60000 * 60000, (stored.last_ms / 60000 + 1) * 60000
  FROM currency_pairs p
 CROSS JOIN LATERAL (SELECT min(t.trade_time_ms) AS first_ms, max(t.trade_time_ms) AS last_ms
                       FROM trades t
                      WHERE t.exchange_id = p.exchange_id AND t.currency_pair_no = p.currency_pair_no) stored
 WHERE stored.first_ms IS NOT NULL;
