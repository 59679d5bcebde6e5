-- Every market-data table keyed by its market, so that a distribution by market (Citus) can place
-- a snapshot's levels beside its header: a distributed table's unique keys must contain its
-- distribution column, and orderbook_levels was keyed by snapshot_id alone. docs/scaling.md gives
-- the plan this prepares and what it costs the order book ingestion.
--
-- The levels take their market from their header (every existing row is backfilled in this one
-- migration: on a large table, run the UPDATE in batches ahead of the deploy), and the market
-- leads their primary key. The header's primary key takes the market too; snapshot_id stays
-- unique by itself (an identity) and keeps identifying a snapshot inside its market.

ALTER TABLE orderbook_levels
    ADD COLUMN exchange_id integer,
    ADD COLUMN currency_pair_no integer;

UPDATE orderbook_levels l
   SET exchange_id = s.exchange_id, currency_pair_no = s.currency_pair_no
  FROM orderbook_snapshots s
 WHERE s.snapshot_id = l.snapshot_id;

ALTER TABLE orderbook_levels
    ALTER COLUMN exchange_id SET NOT NULL,
    ALTER COLUMN currency_pair_no SET NOT NULL,
    DROP CONSTRAINT uq_orderbook_level,
    ADD CONSTRAINT uq_orderbook_level PRIMARY KEY (exchange_id, currency_pair_no, snapshot_id, side, level_index);

ALTER TABLE orderbook_snapshots
    DROP CONSTRAINT pk_orderbook_snapshots,
    ADD CONSTRAINT pk_orderbook_snapshots PRIMARY KEY (exchange_id, currency_pair_no, snapshot_id);
