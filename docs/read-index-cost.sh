#!/usr/bin/env bash
# The cost of each candidate read index on ingestion: COPY (psql \copy) of the same 1,000,000 trades (4 markets,
# in time order as a live feed sends them) into an empty `trades` with only its primary key, then
# with each candidate added; 5 rounds, the order of the candidates reversed every other round.
# Prints rows/s and the index size per round. Uses (and drops) a database of its own.
# Usage: docs/read-index-cost.sh   (PGHOST, PGUSER as for psql; default 127.0.0.1, postgres)
set -euo pipefail
export PGHOST=${PGHOST:-127.0.0.1} PGUSER=${PGUSER:-postgres}
DB=tv_read_index
psql -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
P="psql -d $DB -qAt"
$P -c "CREATE TABLE trades (exchange_id integer NOT NULL, currency_pair_no integer NOT NULL, trade_id text NOT NULL,
  price numeric NOT NULL, quantity numeric NOT NULL, taker_side smallint, trade_time_ms bigint NOT NULL,
  receive_time_ms bigint NOT NULL, CONSTRAINT uq_trade_unique PRIMARY KEY (exchange_id, currency_pair_no, trade_id))"
f=$(mktemp /tmp/read-index-cost.XXXXXX.tsv)
trap 'rm -f "$f"' EXIT
$P -c "\\copy (SELECT 1, 1 + g % 4, 'tid-' || (g::bigint * 7919 % 1000003) || '-' || g, (60000 + g % 1000) || '.' || (g % 97), '0.00' || (1 + g % 9000), 1 + g % 2, 1764000000000 + g / 4, 1764000000000 + g / 4 + 5 FROM generate_series(1, 1000000) g) TO '$f'"
declare -A IDX=(
  [none]=""
  [btree]="CREATE INDEX ix ON trades (exchange_id, currency_pair_no, trade_time_ms, trade_id COLLATE \"C\")"
  [covering]="CREATE INDEX ix ON trades (exchange_id, currency_pair_no, trade_time_ms, trade_id COLLATE \"C\") INCLUDE (price, quantity, taker_side, receive_time_ms)"
  [brin]="CREATE INDEX ix ON trades USING brin (trade_time_ms)"
)
for round in 1 2 3 4 5; do
  kinds="none btree covering brin"
  [ $((round % 2)) = 0 ] && kinds="brin covering btree none"
  for kind in $kinds; do
    $P -c "DROP INDEX IF EXISTS ix" -c "TRUNCATE trades" 2>/dev/null
    [ -n "${IDX[$kind]}" ] && $P -c "${IDX[$kind]}"
    $P -c "CHECKPOINT"
    start=$(date +%s.%N)
    $P -c "\\copy trades FROM '$f'"
    end=$(date +%s.%N)
    size=$($P -c "SELECT coalesce((SELECT pg_relation_size(oid) FROM pg_class WHERE relname = 'ix'), 0) / 1048576")
    echo "round $round $kind $(echo "1000000 / ($end - $start)" | bc) rows/s index ${size} MiB"
  done
done
psql -qc "DROP DATABASE $DB"
