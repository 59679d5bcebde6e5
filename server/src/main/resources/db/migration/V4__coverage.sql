-- Coverage: the time ranges of each feed (a market on a channel: 1 trades, 2 order book snapshots,
-- as tickvault.v1.Channel) that workers claimed whole, and the gaps they reported. docs/coverage.md
-- explains what a claim means.
--
-- One row per feed holds the union of every claim as one int8multirange of exchange time: a claim
-- is merged in by `covered + claim`, which fuses overlapping and adjacent ranges, so a row is as
-- large as its feed has holes (a feed claimed batch after batch stays one range), and GetCoverage
-- reads one row and intersects it with the asked range, however many claims made it.
CREATE TABLE feed_coverage (
    exchange_id      integer        NOT NULL,
    currency_pair_no integer        NOT NULL,
    channel          smallint       NOT NULL CHECK (channel IN (1, 2)),
    covered          int8multirange NOT NULL,
    updated_at       timestamptz    NOT NULL DEFAULT now(),
    CONSTRAINT pk_feed_coverage PRIMARY KEY (exchange_id, currency_pair_no, channel)
);

-- Why a range was missing, as workers reported it. The same report twice is stored once: the
-- whole report is the key (detail is at most 1,024 characters, so it fits an index entry).
-- GetCoverage finds the reports overlapping a range through this key's market and channel prefix.
CREATE TABLE feed_gaps (
    exchange_id      integer     NOT NULL,
    currency_pair_no integer     NOT NULL,
    channel          smallint    NOT NULL CHECK (channel IN (1, 2)),
    from_time_ms     bigint      NOT NULL,
    until_time_ms    bigint      NOT NULL CHECK (until_time_ms > from_time_ms),
    reason           smallint    NOT NULL CHECK (reason > 0),
    detail           text        NOT NULL,
    reported_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_feed_gap UNIQUE (exchange_id, currency_pair_no, channel, from_time_ms, until_time_ms, reason, detail)
);
