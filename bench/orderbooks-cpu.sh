#!/usr/bin/env bash
# `tickvault bench orderbooks` with what it cost in CPU: the server process's CPU seconds, and those
# of the PostgreSQL backends it writes through, per 20,000 snapshots sent through it (warm-up
# included). On a machine shared with other work, wall-time ratios swing from round to round; CPU
# per snapshot moves much less, so it shows what a change to the server's path saved.
#
# Usage: bench/orderbooks-cpu.sh SERVER_PID   (after ./mvnw -q package -DskipTests; the server running)
#   TICKVAULT_TARGET        host:port of that server (required; authentication off)
#   TICKVAULT_DATABASE_URL  JDBC URL of its database, one kept for benchmarks (required: the run
#                           empties and fills its order book tables)
#   BOOKS_SNAPSHOTS         snapshots per round (default 20000), BOOKS_ROUNDS (default 3)
# Reads /proc, so it runs on the server's and PostgreSQL's machine; needs psql on the PATH. Run it
# twice on a fresh server: the first run pays for the JIT.
set -euo pipefail
cd "$(dirname "$0")/.."
pid=${1:?the server process id}
: "${TICKVAULT_TARGET:?the server to measure, host:port}"
: "${TICKVAULT_DATABASE_URL:?the JDBC URL of its database}"
n=${BOOKS_SNAPSHOTS:-20000}
rounds=${BOOKS_ROUNDS:-3}
# psql takes the same database from the JDBC URL: jdbc:postgresql://host:port/db?user=u
psql_url=${TICKVAULT_DATABASE_URL#jdbc:}
tick=$(getconf CLK_TCK)

ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# The server's backends: its pool names itself "tickvault"; a backend opened during the run starts at 0.
backends() { psql "$psql_url" -Atc "SELECT pid FROM pg_stat_activity WHERE application_name = 'tickvault' AND datname = current_database()"; }
declare -A start
for b in $(backends); do start[$b]=$(ticks "$b"); done
server_start=$(ticks "$pid")

java -jar client/target/tickvault.jar bench orderbooks --target "$TICKVAULT_TARGET" \
  --database-url "$TICKVAULT_DATABASE_URL" --snapshots "$n" --depth 20 --rounds "$rounds"

server_used=$(( $(ticks "$pid") - server_start ))
pg_used=0
for b in $(backends); do pg_used=$(( pg_used + $(ticks "$b") - ${start[$b]:-0} )); done
sent=$(( rounds * n + (n / 5 < 5000 ? n / 5 : 5000) )) # the rounds and the benchmark's warm-up
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v s="$server_used" -v p="$pg_used" -v t="$tick" -v n="$sent" 'BEGIN {
  printf "CPU per 20,000 snapshots (%d sent): server %.2f s, its PostgreSQL backends %.2f s\n", n, s / t * 20000 / n, p / t * 20000 / n }'
