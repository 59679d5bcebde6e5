#!/usr/bin/env bash
# The production shape of ingestion (docs/benchmarks.md): a server of its own at -Xmx512m on the
# embedded default, then `tickvault bench fleet` (one JVM: async stubs, one scheduling thread, one
# event loop for every connection) in four runs, each printing its figures against the goals:
#   1. idle: 2,000 streams over 8 connections open and silent: server RSS held, threads;
#   2. 500 streams x 4 requests/s x 5 trades (10,000 trades/s) over 8 connections;
#   3. 2,000 streams x 4 requests/s x 5 trades over 8 connections;
#   4. 2 streams x 1 request/s x 5 trades (10 trades/s).
# Run on a quiet machine if you can and quote `uptime` with the figures: server, PostgreSQL and
# client share the cores.
#
# Usage: bench/fleet.sh   (after ./mvnw -q package -DskipTests)
#   FLEET_SECONDS      seconds measured per run (default 30)
#   FLEET_WARMUP       seconds at the same rate before each loaded run, not measured (default 30): a
#                      server fresh from its start spends much of its first minute compiling its
#                      ingestion path (the JIT), which one that has run for a while has long done
#   FLEET_SERVER_JAR   the server jar to measure (default server/target/tickvault-server.jar), e.g. a
#                      copy of an older build, for before/after figures on the same machine
#   FLEET_RUNS         which runs, by number (default "1 2 3 4")
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${FLEET_SECONDS:-30}
warmup=${FLEET_WARMUP:-30}
runs=${FLEET_RUNS:-1 2 3 4}
server_jar=${FLEET_SERVER_JAR:-server/target/tickvault-server.jar}

. bench/own-server.sh
# 2,000 streams over 8 connections are 250 a connection: above the default of 100.
start_server fleet JAVA_TOOL_OPTIONS=-Xmx512m TICKVAULT_MAX_CONCURRENT_STREAMS=1000
echo "server pid $pid ($server_jar), -Xmx512m; $(uptime)"
fleet() { java -jar client/target/tickvault.jar bench fleet --target "$target" --server-pid "$pid" --seconds "$secs" "$@"; }
for run in $runs; do
  case $run in
    1) fleet --idle --streams 2000 --connections 8 ;;
    2) fleet --streams 500 --rate 4 --trades-per-request 5 --connections 8 --warmup "$warmup" ;;
    3) fleet --streams 2000 --rate 4 --trades-per-request 5 --connections 8 --warmup "$warmup" ;;
    4) fleet --streams 2 --rate 1 --trades-per-request 5 --connections 1 --warmup "$warmup" ;;
  esac
  echo "  ($(uptime))"
done
