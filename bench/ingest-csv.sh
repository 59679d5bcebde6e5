#!/usr/bin/env bash
# `tickvault ingest trades FILE.csv` against `psql \copy trades FROM FILE.csv (FORMAT csv, HEADER)`
# of the same file into the same `trades` table of the same PostgreSQL, in one run:
#   1. makes a CSV of N fresh trades of one market (9994/1) with the header `ingest trades`
#      reads, which is also the table's column list in its order, so psql takes the file as is
#      (taker_side is left empty, NULL for both: the table stores 1/2, the CLI reads BUY/SELL);
#   2. after an untimed warm-up ingest of the first fifth of the file (a server runs warm),
#      per round, both commands one after the other (which one goes first alternates), each
#      timed from outside as a user would run it: the CLI through its launcher client/bin/tickvault
#      (JVM start included; its class-data archive made once, before the first round), psql with
#      its own start; before each, the market's rows are deleted, the table vacuumed and a
#      CHECKPOINT taken, so both start from the same empty table and neither pays the other's
#      writes. Same table for both (not a copy LIKE trades): the same indexes, the same state;
#   3. checks both stored all N rows, and prints each round and the median ratio
#      (CLI rows/s over psql's; the goal is >= 0.8), with the CPU seconds each side spent: the
#      client process (CLI or psql, /usr/bin/time) and, when the script started the server, the
#      server JVM and the PostgreSQL processes (from /proc). On a busy machine the wall-time ratio
#      tends to the CPU ratio, since every process waits for a core.
# The machine is usually shared: compare the ratio, not the rows/s.
#
# Usage: bench/ingest-csv.sh   (after ./mvnw -q package -DskipTests)
#   INGEST_CSV_ROWS     trades in the file (default 1000000)
#   INGEST_CSV_ROUNDS   rounds (default 3)
#   TICKVAULT_TARGET    host:port of a running server to measure instead of starting one; then
#                       INGEST_CSV_DATABASE = that server's database for psql (a libpq URL, e.g.
#                       postgresql://postgres@127.0.0.1:5432/tv_bench), and TICKVAULT_TOKEN an admin
#                       token when the server has tokens. It stores exchange 9994 (code
#                       bench-ingest-csv), pair 1, and deletes that market's trades.
#   INGEST_CSV_ARGS     more arguments for `tickvault ingest trades` (e.g. --streams 2)
#   INGEST_CSV_CLI      the launcher to time (default client/bin/tickvault; another checkout's for a
#                       before/after comparison)
#   TICKVAULT_JAVA_OPTS flags for the CLI's JVM (the launcher adds them), e.g. a JFR recording.
# Without TICKVAULT_TARGET it starts server/target/tickvault-server.jar on the embedded default
# (loopback, free port, scratch data dir) and gives psql the embedded PostgreSQL, whose port the
# server logs at start-up; it stops the server on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
rows=${INGEST_CSV_ROWS:-1000000}
rounds=${INGEST_CSV_ROUNDS:-3}
read -r -a extra <<<"${INGEST_CSV_ARGS:-}"
exchange=9994
pair=1

. bench/own-server.sh
export XDG_CACHE_HOME=$work/cache   # the launcher's archive, made afresh for this jar
cli=("${INGEST_CSV_CLI:-$root/client/bin/tickvault}")

if [ -n "${TICKVAULT_TARGET:-}" ]; then
  target=$TICKVAULT_TARGET
  database=${INGEST_CSV_DATABASE:?"with TICKVAULT_TARGET, set INGEST_CSV_DATABASE to the server's database (libpq URL)"}
else
  start_server ingest-csv
  pg_port=$(sed -n 's/.*embedded PostgreSQL started on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/server.log" | head -1)
  [ -n "$pg_port" ] || { cat "$work/server.log"; echo "ingest-csv: no embedded PostgreSQL port in the server's log"; exit 1; }
  database=postgresql://postgres@127.0.0.1:$pg_port/postgres
fi
export TICKVAULT_TARGET=$target
sql() { psql "$database" -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }

"${cli[@]}" markets put-exchange --exchange-id $exchange --code bench-ingest-csv >/dev/null
"${cli[@]}" markets put-pair --exchange-id $exchange --pair-no $pair --base BTC --quote USDT >/dev/null

# Fresh trades as a feed sends them: ids rising, prices and quantities of a few digits, one per
# 0.25 ms of trade time, received 5 ms later.
file=$work/trades.csv
awk -v n="$rows" -v e=$exchange -v p=$pair 'BEGIN {
  print "exchange_id,currency_pair_no,trade_id,price,quantity,taker_side,trade_time_ms,receive_time_ms"
  for (g = 1; g <= n; g++) {
    t = 1764000000000 + int(g / 4)
    printf "%d,%d,%d,%d.%d,0.%04d,,%d,%d\n", e, p, 100000000 + g, 60000 + g % 1000, g % 97, 1 + g % 9000, t, t + 5
  }
}' >"$file"

empty() {
  sql -c "DELETE FROM trades WHERE exchange_id = $exchange AND currency_pair_no = $pair" -c "VACUUM ANALYZE trades" -c "CHECKPOINT"
}
stored() {
  sql -c "SELECT count(*) FROM trades WHERE exchange_id = $exchange AND currency_pair_no = $pair"
}
now() { date +%s%N; }
# CPU ms of the server JVM and of PostgreSQL (the postmaster, its live children, and the children
# it reaped), when this script started them; "-" otherwise.
server_cpu() {
  local tick=$(getconf CLK_TCK) pg=0 postmaster q
  if [ -z "$pid" ]; then echo "- -"; return; fi
  postmaster=$(head -1 "$work/data/postgres/postmaster.pid")
  for q in $postmaster $(pgrep -P "$postmaster"); do
    [ -r "/proc/$q/stat" ] && pg=$((pg + $(awk '{ print $14 + $15 + ($2 == "(postgres)" ? $16 + $17 : 0) }' "/proc/$q/stat")))
  done
  echo "$(($(awk '{ print $14 + $15 }' "/proc/$pid/stat") * 1000 / tick)) $((pg * 1000 / tick))"
}
cpu_of() { # the CPU ms of the last timed command, the server's and PostgreSQL's since $1 $2
  local client server pg
  client=$(awk '{ printf "%d", ($1 + $2) * 1000 }' "$work/time")
  read -r server pg <<<"$(server_cpu)"
  if [ "$server" = - ]; then echo "$client - -"; else echo "$client $((server - $1)) $((pg - $2))"; fi
}

run_cli() {
  empty
  local start end before
  before=$(server_cpu)
  start=$(now)
  /usr/bin/time -f '%U %S' -o "$work/time" "${cli[@]}" ingest trades "$file" "${extra[@]}" >"$work/cli.out" 2>"$work/cli.err" \
    || { cat "$work/cli.out" "$work/cli.err"; echo "ingest-csv: the CLI failed"; exit 1; }
  end=$(now)
  cli_cpu=$(cpu_of $before)
  grep -qx "trades.csv: read $rows, inserted $rows, duplicates 0, rejected 0" "$work/cli.out" \
    || { cat "$work/cli.out" "$work/cli.err"; echo "ingest-csv: the CLI did not insert all $rows trades"; exit 1; }
  [ "$(stored)" = "$rows" ] || { echo "ingest-csv: after the CLI the table holds $(stored) trades, not $rows"; exit 1; }
  cli_ns=$((end - start))
}
run_psql() {
  empty
  local start end before
  before=$(server_cpu)
  start=$(now)
  /usr/bin/time -f '%U %S' -o "$work/time" psql "$database" -X -q -v ON_ERROR_STOP=1 -c "\\copy trades FROM '$file' (FORMAT csv, HEADER)"
  end=$(now)
  psql_cpu=$(cpu_of $before)
  [ "$(stored)" = "$rows" ] || { echo "ingest-csv: after psql the table holds $(stored) trades, not $rows"; exit 1; }
  psql_ns=$((end - start))
}

"${cli[@]}" health >/dev/null   # makes the launcher's class-data archive, untimed
# A server runs for long: warm its JIT up with the first fifth of the file, untimed, so that no
# round pays for compiling the server's ingest path.
head -n $((rows / 5 + 1)) "$file" >"$work/warm-up.csv"
"${cli[@]}" ingest trades "$work/warm-up.csv" >/dev/null 2>&1 || { echo "ingest-csv: the warm-up ingest failed"; exit 1; }
echo "ingest-csv: server $target, $rows trades in $(du -h "$file" | cut -f1) of CSV, $rounds rounds, ingest args: ${extra[*]:-none}, load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ingest-csv: CPU seconds as client/server/postgres (client: the CLI's JVM or psql)"
ratios=()
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) = 1 ]; then run_cli; run_psql; else run_psql; run_cli; fi
  ratio=$(awk -v c=$cli_ns -v p=$psql_ns 'BEGIN { printf "%.2f", p / c }')
  ratios+=("$ratio")
  awk -v r="$r" -v n="$rows" -v c=$cli_ns -v p=$psql_ns -v x="$ratio" -v l="$(cut -d' ' -f1 /proc/loadavg)" \
    -v cc="$cli_cpu" -v pc="$psql_cpu" 'function cpu(t,  f) { split(t, f, " "); return sprintf("%s/%s/%s", s(f[1]), s(f[2]), s(f[3])) }
    function s(ms) { return ms == "-" ? "-" : sprintf("%.1f", ms / 1000) }
    BEGIN {
    printf "round %d: tickvault ingest %.2f s (%d rows/s, CPU %s), psql \\copy %.2f s (%d rows/s, CPU %s): ratio %s (load %s)\n",
      r, c / 1e9, n / (c / 1e9), cpu(cc), p / 1e9, n / (p / 1e9), cpu(pc), x, l }'
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
echo "ingest-csv: tickvault ingest trades / psql \\copy, median of $rounds rounds: $median (goal >= 0.8)"
