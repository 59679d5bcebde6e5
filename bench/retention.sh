#!/usr/bin/env bash
# Delete-based retention against time partitions (docs/scaling.md#retention-deleting-against-partitions).
# One ingestion stream (pgbench, one client, transactions of 1,000 fresh trades with
# INSERT … ON CONFLICT DO NOTHING, as the staging path writes) runs while the oldest day of the
# stored trades leaves:
#   A  no deleter: the reference, measured just before each B for as long as the B before it ran
#      (25 s before the first);
#   B  the server's way: batches of RETENTION_BATCH keys deleted by row address along the
#      market/time index, one transaction each, RETENTION_PAUSE_MS apart (trade/OldTrades' SQL),
#      then a VACUUM of the table, which autovacuum would run soon after: its cost is the deleter's;
#   C  a copy partitioned by day (trade_time_ms in its unique key): ingestion into it, then
#      DETACH PARTITION and DROP TABLE of the oldest day, timed;
#   G  after the rounds, what retention costs every ingestion batch even when nothing is removed
#      (retention/RetentionGuard): the advisory lock taken shared and the horizon read in the
#      batch's transaction, against the same transaction without them, in RETENTION_GUARD_PAIRS
#      (default 10) alternating pairs of 4 s each.
# Prints per round the ingest rate of A and B and their ratio, the deleter's rows/s, C's ingest
# rate against A and its drop time; then G's pairs and the medians.
#
# Usage: bench/retention.sh   (psql and pgbench; a PostgreSQL kept for benchmarks)
#   RETENTION_ADMIN_URL    postgresql:// URL to create the scratch database from
#                          (default postgresql://postgres@127.0.0.1:5432/postgres)
#   RETENTION_DB           the scratch database, dropped and made again (default bench_retention)
#   RETENTION_PER_DAY      trades per stored day (default 1000000), RETENTION_DAYS days (default 4)
#   RETENTION_ROUNDS       rounds, each removing one day (default 3, at most RETENTION_DAYS - 1)
#   RETENTION_BATCH        keys per deleting transaction (default 10000), RETENTION_PAUSE_MS (default 100)
set -euo pipefail
admin=${RETENTION_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
db=${RETENTION_DB:-bench_retention}
per_day=${RETENTION_PER_DAY:-1000000}
days=${RETENTION_DAYS:-4}
rounds=${RETENTION_ROUNDS:-3}
batch=${RETENTION_BATCH:-10000}
pause_ms=${RETENTION_PAUSE_MS:-100}
url="${admin%/*}/$db"
day_ms=86400000
t0=1735689600000 # 2025-01-01T00:00:00Z: day k is [t0 + k day, t0 + (k+1) day)
work=$(mktemp -d)
trap 'rm -rf "$work"; kill $(jobs -p) 2>/dev/null || true' EXIT
q() { psql "$url" -qAtX -v ON_ERROR_STOP=1 "$@"; }

echo "load before: $(uptime)"
psql "$admin" -qAtX -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
# The server's tables (V1, V2), and a copy partitioned by day: a partitioned table's unique key
# must hold its partition key, so trade_time_ms joins the trade's key there.
q <<SQL
CREATE TABLE trades (
    exchange_id integer NOT NULL, currency_pair_no integer NOT NULL, trade_id text NOT NULL,
    price numeric NOT NULL, quantity numeric NOT NULL, taker_side smallint,
    trade_time_ms bigint NOT NULL, receive_time_ms bigint NOT NULL,
    CONSTRAINT uq_trade_unique PRIMARY KEY (exchange_id, currency_pair_no, trade_id));
CREATE INDEX ix_trades_market_time ON trades (exchange_id, currency_pair_no, trade_time_ms, trade_id COLLATE "C");
CREATE TABLE trades_part (LIKE trades INCLUDING DEFAULTS)
    PARTITION BY RANGE (trade_time_ms);
ALTER TABLE trades_part ADD CONSTRAINT uq_trade_part PRIMARY KEY (exchange_id, currency_pair_no, trade_id, trade_time_ms);
CREATE INDEX ix_trades_part_market_time ON trades_part (exchange_id, currency_pair_no, trade_time_ms, trade_id COLLATE "C");
CREATE SEQUENCE fresh;
CREATE TABLE retention_horizons (table_name text PRIMARY KEY, horizon_ms bigint NOT NULL);
INSERT INTO retention_horizons VALUES ('trades', 0);
SQL
for ((d = 0; d < days; d++)); do
  q -c "CREATE TABLE trades_d$d PARTITION OF trades_part FOR VALUES FROM ($((t0 + d * day_ms))) TO ($((t0 + (d + 1) * day_ms)))"
done
q -c "CREATE TABLE trades_live PARTITION OF trades_part FOR VALUES FROM ($((t0 + days * day_ms))) TO (MAXVALUE)"
echo "filling $days days of $per_day trades (4 markets), both tables"
start=$(date +%s)
for ((d = 0; d < days; d++)); do
  for table in trades trades_part; do
    q -c "INSERT INTO $table SELECT 1, 1 + g % 4, 'd$d-' || g, 60000 + (g % 1000) / 100.0, 0.001 * (1 + g % 50),
            1 + g % 2, $((t0 + d * day_ms)) + g * ($day_ms / $per_day), $((t0 + d * day_ms)) + g * ($day_ms / $per_day) + 5
          FROM generate_series(0, $((per_day - 1))) g"
  done
done
q -c "VACUUM ANALYZE trades" -c "VACUUM ANALYZE trades_part"
echo "filled in $(( $(date +%s) - start )) s: $(q -c "SELECT pg_size_pretty(pg_total_relation_size('trades'))") trades with indexes"

# The deleter, as the server's: a procedure so that each batch commits on its own.
q <<SQL
CREATE PROCEDURE remove_before(before bigint, lim integer, pause_ms integer) LANGUAGE plpgsql AS \$\$
DECLARE m record; n bigint;
BEGIN
  FOR m IN SELECT DISTINCT 1 AS e, p FROM generate_series(1, 4) p LOOP
    LOOP
      DELETE FROM trades WHERE ctid = ANY (ARRAY(
          SELECT ctid FROM trades WHERE exchange_id = m.e AND currency_pair_no = m.p AND trade_time_ms < before
           ORDER BY trade_time_ms LIMIT lim));
      GET DIAGNOSTICS n = ROW_COUNT;
      COMMIT;
      EXIT WHEN n < lim;
      PERFORM pg_sleep(pause_ms / 1000.0);
    END LOOP;
  END LOOP;
END \$\$;
SQL
cat >"$work/ingest.sql" <<SQL
INSERT INTO :tbl (exchange_id, currency_pair_no, trade_id, price, quantity, taker_side, trade_time_ms, receive_time_ms)
SELECT 1, 1 + g % 4, 'live-' || nextval('fresh'), 60000.5, 0.01, 1, $((t0 + days * day_ms)) + g, $((t0 + days * day_ms)) + g
  FROM generate_series(1, 1000) g
ON CONFLICT DO NOTHING;
SQL
{ echo "BEGIN;"; cat "$work/ingest.sql"; echo "COMMIT;"; } >"$work/ingest-tx.sql"
{ echo "BEGIN;"
  echo "SELECT pg_advisory_xact_lock_shared(128052074214401); SELECT horizon_ms FROM retention_horizons WHERE table_name = 'trades';"
  cat "$work/ingest.sql"; echo "COMMIT;"; } >"$work/ingest-guard.sql"
# Trades a second of one stream for $1 s into table $2 (script $3, default the plain INSERT).
ingest() {
  pgbench "$url" -n -M simple -c 1 -T "$1" -D tbl="$2" -f "${3:-$work/ingest.sql}" 2>/dev/null \
    | awk '/^tps/ {printf "%.0f", $3 * 1000}'
}
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

: >"$work/ratios"; : >"$work/part"; : >"$work/drops"; : >"$work/rates"; : >"$work/guard"
for ((r = 0; r < rounds; r++)); do
  before=$((t0 + (r + 1) * day_ms))
  a=$(ingest "${last_secs:-25}" trades)
  pgbench "$url" -n -M simple -c 1 -T 3600 -D tbl=trades -f "$work/ingest.sql" -P 1 2>"$work/b.log" >/dev/null &
  bench=$!
  sleep 2
  s=$(date +%s.%N)
  q -c "CALL remove_before($before, $batch, $pause_ms)"
  e=$(date +%s.%N)
  q -c "VACUUM trades"
  v=$(date +%s.%N)
  kill -TERM $bench 2>/dev/null || true; wait $bench 2>/dev/null || true
  secs=$(awk -v s="$s" -v e="$v" 'BEGIN {printf "%d", e - s + 0.5}')
  vac=$(awk -v e="$e" -v v="$v" 'BEGIN {printf "%.1f", v - e}')
  last_secs=$secs
  # The deleter's window: the progress lines from its start (2 s in) to its end.
  b=$(awk -v n="$secs" '/^progress/ {t = $2 + 0; if (t > 2 && t <= n + 2) {sum += $4; k++}} END {printf "%.0f", k ? sum / k * 1000 : 0}' "$work/b.log")
  rows=$per_day
  c=$(ingest "$secs" trades_part)
  ds=$(date +%s%N)
  q -c "ALTER TABLE trades_part DETACH PARTITION trades_d$r" -c "DROP TABLE trades_d$r"
  de=$(date +%s%N)
  drop_ms=$(( (de - ds) / 1000000 ))
  ratio=$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", b / a}')
  part=$(awk -v a="$a" -v c="$c" 'BEGIN {printf "%.2f", c / a}')
  rate=$(awk -v n="$rows" -v s="$s" -v e="$e" 'BEGIN {printf "%.0f", n / (e - s)}')
  echo "round $((r + 1)): day $r ($rows trades) deleted in ${secs} s with its VACUUM (${vac} s) ($rate rows/s without it); ingest $b trades/s with the deleter," \
    "$a without: ${ratio}x; into the partitioned copy $c: ${part}x; DETACH + DROP of its day ${drop_ms} ms; load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "$ratio" >>"$work/ratios"; echo "$part" >>"$work/part"; echo "$drop_ms" >>"$work/drops"; echo "$rate" >>"$work/rates"
done
for ((p = 0; p < ${RETENTION_GUARD_PAIRS:-10}; p++)); do
  if ((p % 2 == 0)); then g0=$(ingest 4 trades "$work/ingest-tx.sql"); g1=$(ingest 4 trades "$work/ingest-guard.sql")
  else g1=$(ingest 4 trades "$work/ingest-guard.sql"); g0=$(ingest 4 trades "$work/ingest-tx.sql"); fi
  awk -v a="$g0" -v b="$g1" 'BEGIN {printf "%.2f\n", b / a}' >>"$work/guard"
  echo "guard pair $((p + 1)): $g1 trades/s with the guard, $g0 without"
done
echo "medians over $rounds rounds: ingest with the deleter $(median <"$work/ratios")x of without;" \
  "deleter $(median <"$work/rates") rows/s (batches of $batch, ${pause_ms} ms apart);" \
  "partitioned ingest $(median <"$work/part")x of plain; DETACH + DROP of a day $(median <"$work/drops") ms;" \
  "ingest with the guard $(median <"$work/guard")x of without"
echo "load after: $(uptime)"
