-- One-minute candles of trades, kept in the same transaction as the trades they count
-- (trade.CandleRollup): a trade counts here exactly when it is inserted into trades, whatever its
-- time, so a late trade changes its minute's open, close, high, low, volume and count like any
-- other. GetCandles answers whole-minute intervals over minute-aligned ranges from this table
-- (docs/reading.md#candles).
--
-- Two partial candles of one minute merge into the candle of both, in any order: open and close
-- keep the key of their trade, (time, trade id in "C" collation), the order every read uses, so
-- the merge takes the smaller or greater; high and low of equal value keep the spelling with the
-- most digits after the point; the sums are numeric, exact (a sum has the scale of its term with
-- the most digits after the point, the same whichever terms are added first).
CREATE TABLE trade_candles_1m (
    exchange_id      integer NOT NULL,
    currency_pair_no integer NOT NULL,
    minute           bigint  NOT NULL,  -- start of the minute, epoch milliseconds (a multiple of 60000)
    open             numeric NOT NULL,
    open_time_ms     bigint  NOT NULL,
    open_trade_id    text    COLLATE "C" NOT NULL,
    high             numeric NOT NULL,
    low              numeric NOT NULL,
    close            numeric NOT NULL,
    close_time_ms    bigint  NOT NULL,
    close_trade_id   text    COLLATE "C" NOT NULL,
    volume           numeric NOT NULL,  -- sum of quantity
    quote_volume     numeric NOT NULL,  -- sum of price * quantity
    trade_count      bigint  NOT NULL,
    CONSTRAINT pk_trade_candles_1m PRIMARY KEY (exchange_id, currency_pair_no, minute)
);
