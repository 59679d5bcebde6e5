#!/usr/bin/env bash
# What a growing history costs (docs/benchmarks.md#growth-to-200m-trades-issue-27). At each level of
# stored trades (default 0, 50M, 200M: history of 8 markets, the oldest part added last), on a
# server of its own over a PostgreSQL database kept for benchmarks:
#   - the stored trades, added by SQL with the server stopped, are rolled up by the server's own
#     background backfill (planned as the upgrade's V8 plans it) and the time that takes;
#   - one stream of 1M fresh trades of another market against COPY of the same rows into the same
#     table (`tickvault bench trades --stored N`, rounds of GROWTH_ROUNDS, median);
#   - ReadTrades of the last hour of one stored market, through the server (`tickvault read
#     trades`, best of 3, as the CLI times the stream: its JVM's start left out);
#   - GetCandles of that market's last 30 days at 1 h: from the rollup against the same computed
#     from raw trades by CandleReader's SQL, in PostgreSQL and end to end (bench/candles-rollup.sh);
#   - disk: trades (table, indexes), the rollup, per million stored trades, before the rounds.
#
# Usage: bench/growth.sh   (after ./mvnw -q package -DskipTests; PostgreSQL reachable by psql)
#   GROWTH_DB        database to use, created if missing, emptied of benchmark trades as levels
#                    go down (default tv_growth); PGHOST/PGUSER as psql takes them
#   GROWTH_LEVELS    stored trades per level, ascending (default "0 50000000 200000000")
#   GROWTH_TRADES    fresh trades per round (default 1000000)
#   GROWTH_ROUNDS    rounds per level (default 3)
# 200M stored trades take about 40 GB of disk, and this run about an hour on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
export PGHOST=${PGHOST:-127.0.0.1} PGUSER=${PGUSER:-postgres}
db=${GROWTH_DB:-tv_growth}
levels=${GROWTH_LEVELS:-"0 50000000 200000000"}
n=${GROWTH_TRADES:-1000000}
rounds=${GROWTH_ROUNDS:-3}
jdbc="jdbc:postgresql://$PGHOST:5432/$db?user=$PGUSER"
cli=(java -jar client/target/tickvault.jar)
# The history ends where the timed trades of `bench trades` begin (TradeBench.BASE_TIME_MS) and
# grows backwards: trade g of the history is trade g / 8 from the end of market 1 + g % 8 of
# exchange 9997, one every 100 ms on average, ids counting down from the newest, prices wandering.
stored_exchange=9997
markets=8
base_ms=1764000000000
hour_ms=3600000
month_ms=$((30 * 24 * hour_ms))

q() { psql -X -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
psql -X -At -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
  || psql -X -q -d postgres -c "CREATE DATABASE $db"

. bench/own-server.sh
start() {
  start_server growth TICKVAULT_DATABASE_URL="$jdbc" TICKVAULT_AUTH=disabled TICKVAULT_MASTER_KEY="$(head -c 32 /dev/zero | base64)"
}
stop() {
  if [ -n "$pid" ]; then kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=""; fi
}

# fill_chunk FROM TO: trades g in [FROM, TO) of the history, in one statement.
fill_chunk() {
  psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "
    INSERT INTO trades (exchange_id, currency_pair_no, trade_id, price, quantity, taker_side, trade_time_ms, receive_time_ms)
    SELECT $stored_exchange, 1 + g % $markets, (($markets + g % $markets) * 100000000 - g / $markets)::text,
           round((1000 * (1 + g % $markets) + 300 * sin(g / 400000.0))::numeric + (g % 997) / 100.0, (2 + (g / $markets) % 3)::int),
           round(((g * 7919) % 100000) / 100000.0 + 0.00001, 5), 1 + (g / $markets) % 2,
           $base_ms - 100 * (g / $markets + 1) + (g * 31) % 100, $base_ms - 100 * (g / $markets + 1) + (g * 31) % 100 + 5
      FROM generate_series($1::bigint, $2 - 1) g"
}
export -f fill_chunk
export db stored_exchange markets base_ms

# add_history FROM TO: trades g in [FROM, TO) of the history, chunks of 10M, GROWTH_FILL_JOBS
# (default 2) at a time: one backend is CPU-bound on making the rows.
add_history() {
  local from=$1 to=$2 chunk
  for ((chunk = from; chunk < to; chunk += 10000000)); do
    echo "$chunk $(( chunk + 10000000 < to ? chunk + 10000000 : to ))"
  done | xargs -P "${GROWTH_FILL_JOBS:-2}" -L 1 bash -c 'fill_chunk "$@"' fill
}

# Whether some of the history is not rolled up yet: a stored market's first minute before the
# first minute of its rollup (the history grows backwards), or no rollup at all.
history_rolled_up() {
  [ "$(q -c "SELECT count(*) FROM currency_pairs p
      CROSS JOIN LATERAL (SELECT min(trade_time_ms) / 60000 * 60000 AS first_minute FROM trades t
                           WHERE t.exchange_id = p.exchange_id AND t.currency_pair_no = p.currency_pair_no) s
      WHERE p.exchange_id = $stored_exchange AND s.first_minute IS NOT NULL
        AND s.first_minute < coalesce((SELECT min(minute) FROM trade_candles_1m c
                                        WHERE c.exchange_id = p.exchange_id AND c.currency_pair_no = p.currency_pair_no), 'Infinity'::numeric)")" = 0 ]
}

# The backfill's plan for the history just added: per stored market, from its first minute to the
# first minute already rolled up (that minute is recomputed whole from trades: it has trades of
# both sides), or to its last minute when nothing is.
plan_rollup() {
  q -c "DELETE FROM trade_candles_backfill" -c "INSERT INTO trade_candles_backfill (exchange_id, currency_pair_no, next_ms, until_ms)
    SELECT p.exchange_id, p.currency_pair_no, s.first_ms / 60000 * 60000,
           coalesce((SELECT min(minute) + 60000 FROM trade_candles_1m c
                      WHERE c.exchange_id = p.exchange_id AND c.currency_pair_no = p.currency_pair_no),
                    (s.last_ms / 60000 + 1) * 60000)
      FROM currency_pairs p
     CROSS JOIN LATERAL (SELECT min(trade_time_ms) AS first_ms, max(trade_time_ms) AS last_ms FROM trades t
                          WHERE t.exchange_id = p.exchange_id AND t.currency_pair_no = p.currency_pair_no) s
     WHERE p.exchange_id = $stored_exchange AND s.first_ms IS NOT NULL" >/dev/null
}

summary=()
start # migrates an empty database; registers nothing
q -c "INSERT INTO exchanges (exchange_id, code) VALUES ($stored_exchange, 'tickvault-bench-stored') ON CONFLICT DO NOTHING" \
  -c "INSERT INTO currency_pairs (exchange_id, currency_pair_no, base_currency, quote_currency)
        SELECT $stored_exchange, m, 'BENCH' || m, 'USD' FROM generate_series(1, $markets) m ON CONFLICT DO NOTHING" >/dev/null
for level in $levels; do
  present=$(q -c "SELECT count(*) FROM trades WHERE exchange_id = $stored_exchange")
  if [ "$present" -gt "$level" ]; then
    echo "== emptying the history ($present trades stored, level $level)"
    stop
    q -c "DELETE FROM trades WHERE exchange_id = $stored_exchange" -c "DELETE FROM trade_candles_1m WHERE exchange_id = $stored_exchange" \
      -c "VACUUM ANALYZE trades" >/dev/null
    present=0
    start
  fi
  echo "== level $level: adding $((level - present)) trades of history ($(uptime))"
  rolled="none to do"
  if [ "$level" -gt "$present" ]; then
    stop
    s=$(date +%s)
    add_history "$present" "$level"
    q -c "VACUUM ANALYZE trades" >/dev/null
    echo "   stored by SQL in $(( $(date +%s) - s )) s"
  fi
  if ! history_rolled_up; then
    stop
    plan_rollup
    : >"$work/server.log"
    start
    until grep -q 'rolled up the stored trades' "$work/server.log"; do
      kill -0 "$pid" 2>/dev/null || { cat "$work/server.log"; echo "growth: the server died"; exit 1; }
      sleep 5
    done
    rolled=$(grep -o 'rolled up the stored trades.*' "$work/server.log" | tail -1)
    echo "   $rolled"
  fi
  [ -n "$pid" ] || start

  # before the timed rounds, which leave dead rows behind
  disk=$(q -c "SELECT pg_size_pretty(pg_table_size('trades')) || ' table, ' || pg_size_pretty(pg_indexes_size('trades'))
      || ' indexes, rollup ' || pg_size_pretty(pg_total_relation_size('trade_candles_1m'))
      || coalesce(', ' || round(pg_total_relation_size('trades') / 1048576.0 / nullif(count(*) / 1e6, 0)) || ' MB per million trades', '')
      FROM trades")
  echo "   disk: $disk"

  "${cli[@]}" bench trades --target "$target" --database-url "$jdbc" --trades "$n" --rounds "$rounds" --stored "$level" \
    | tee "$work/bench.log"
  ingest=$(grep '^median' "$work/bench.log" | grep -o 'fresh [0-9.]*')

  read_hour="-" candles="-"
  if [ "$level" -gt 0 ]; then
    # The CLI times the stream itself ("read N trades in S s"), the JVM's start left out: best of 3.
    read_hour=$(for _ in 1 2 3; do
      "${cli[@]}" read trades --target "$target" --exchange-id $stored_exchange --pair-no 1 \
        --from $((base_ms - hour_ms)) --to $base_ms -o csv 2>&1 >/dev/null | grep '^read '
    done | sort -k5,5 -g | head -1)
    echo "   ReadTrades, last hour: $read_hour"
    CANDLES_DB=$db CANDLES_MARKET="$stored_exchange 1" CANDLES_FROM=$((base_ms - month_ms)) CANDLES_TO=$base_ms \
      CANDLES_RUNS=3 TICKVAULT_TARGET=$target bench/candles-rollup.sh | tee "$work/candles.log"
    candles=$(grep -o 'raw trades [0-9.]* ms, rollup [0-9.]* ms: [0-9]*x; same candles: [a-zA-Z]*' "$work/candles.log")
  fi

  summary+=("$(printf '%11s stored: ingest %s of COPY | rollup backfill: %s | ReadTrades last hour: %s | GetCandles month at 1 h: %s | disk: %s' \
    "$level" "${ingest#fresh }" "$rolled" "$read_hour" "$candles" "$disk")")
done
echo
echo "growth: $n fresh trades per round, $rounds round(s) per level; $(uptime)"
printf '%s\n' "${summary[@]}"
