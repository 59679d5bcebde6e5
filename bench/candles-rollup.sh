#!/usr/bin/env bash
# GetCandles from the one-minute rollup against the same candles computed from raw trades, in
# PostgreSQL alone: the execution time (EXPLAIN ANALYZE, best of CANDLES_RUNS) of CandleReader's two queries
# over one market's range, their ratio, and whether the two give the same rows, digit for digit.
# Then the same through the server, end to end (`tickvault call GetCandles`, best of 3, JVM start
# included): a minute-aligned range (the rollup) against the range starting 1 ms later (raw trades).
#   CANDLES_DB        database name of the server (required); PGHOST/PGUSER as psql takes them
#   CANDLES_MARKET    "exchange_id currency_pair_no" (default "1 1")
#   CANDLES_FROM/TO   the range, epoch ms (default 2025-10-01 to 2025-10-31, 30 days)
#   CANDLES_INTERVAL  ms (default 3600000, an hour)
#   CANDLES_RUNS      runs of each query, the best one counts (default 5)
#   TICKVAULT_TARGET  the server, for the end-to-end part (skipped without it)
set -euo pipefail
cd "$(dirname "$0")/.."
: "${CANDLES_DB:?the database of the server}"
export PGHOST=${PGHOST:-127.0.0.1} PGUSER=${PGUSER:-postgres}
read -r exchange pair <<<"${CANDLES_MARKET:-1 1}"
from=${CANDLES_FROM:-1759276800000}
to=${CANDLES_TO:-1761868800000}
interval=${CANDLES_INTERVAL:-3600000}
db=$CANDLES_DB
raw="SELECT trade_time_ms / $interval AS bucket,
       (array_agg(price ORDER BY trade_time_ms, trade_id COLLATE \"C\"))[1]::text,
       (max(ARRAY[price, scale(price)]))[1]::text, (min(ARRAY[price, -scale(price)]))[1]::text,
       (array_agg(price ORDER BY trade_time_ms DESC, trade_id COLLATE \"C\" DESC))[1]::text,
       sum(quantity)::text, sum(price * quantity)::text, count(*)
  FROM trades WHERE exchange_id = $exchange AND currency_pair_no = $pair AND trade_time_ms >= $from AND trade_time_ms < $to
 GROUP BY bucket ORDER BY bucket"
rollup="SELECT minute / $interval AS bucket,
       (array_agg(open ORDER BY open_time_ms, open_trade_id))[1]::text,
       (max(ARRAY[high, scale(high)]))[1]::text, (min(ARRAY[low, -scale(low)]))[1]::text,
       (array_agg(close ORDER BY close_time_ms DESC, close_trade_id DESC))[1]::text,
       sum(volume)::text, sum(quote_volume)::text, sum(trade_count)::bigint
  FROM trade_candles_1m WHERE exchange_id = $exchange AND currency_pair_no = $pair AND minute >= $from AND minute < $to
 GROUP BY bucket ORDER BY bucket"
runs=${CANDLES_RUNS:-5}
best() { # best execution time of $runs runs of a query, in ms
  for _ in $(seq "$runs"); do
    psql -At -d "$db" -c "EXPLAIN (ANALYZE, FORMAT JSON) $1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Execution Time"])'
  done | sort -g | head -1
}
echo "trades in the range: $(psql -At -d "$db" -c "SELECT count(*) FROM trades WHERE exchange_id = $exchange AND currency_pair_no = $pair AND trade_time_ms >= $from AND trade_time_ms < $to"), of $(psql -At -d "$db" -c 'SELECT count(*) FROM trades') stored; rollup rows $(psql -At -d "$db" -c 'SELECT count(*) FROM trade_candles_1m')"
same=$([ "$(psql -At -d "$db" -c "$raw" | md5sum)" = "$(psql -At -d "$db" -c "$rollup" | md5sum)" ] && echo yes || echo NO)
t_raw=$(best "$raw")
t_rollup=$(best "$rollup")
echo "PostgreSQL: raw trades $t_raw ms, rollup $t_rollup ms: $(python3 -c "print(f'{$t_raw / $t_rollup:.0f}')")x; same candles: $same"
if [ -n "${TICKVAULT_TARGET:-}" ]; then
  call() { # best wall time of 3 GetCandles calls, in ms, or how the last one failed
    for _ in 1 2 3; do
      start=$(date +%s%N)
      if java -jar client/target/tickvault.jar call --deadline 120 tickvault.v1.QueryService/GetCandles \
        "{\"exchange_id\": $exchange, \"currency_pair_no\": $pair, \"start_time_ms\": $1, \"end_time_ms\": $to, \"interval_ms\": $interval}" >/dev/null 2>&1; then
        echo $(( ($(date +%s%N) - start) / 1000000 ))
      else
        echo "failed after $(( ($(date +%s%N) - start) / 1000000 ))"
      fi
    done | sort -n | head -1
  }
  health() {
    for _ in 1 2 3; do
      start=$(date +%s%N)
      java -jar client/target/tickvault.jar call grpc.health.v1.Health/Check >/dev/null
      echo $(( ($(date +%s%N) - start) / 1000000 ))
    done | sort -n | head -1
  }
  echo "end to end (tickvault call): rollup $(call "$from") ms, raw trades $(call $((from + 1))) ms, Health/Check $(health) ms"
fi
