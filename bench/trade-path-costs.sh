#!/usr/bin/env bash
# What the pieces of a fresh trade's way through the server cost on their own, in ns per trade, in
# one JVM without PostgreSQL: reading the request, the decimal checks, the candle rollup, the COPY
# encoding (server/src/test/java/io/tickvault/server/trade/TradePathCosts.java; docs/benchmarks.md,
# "Where the limit is"). For A/B of a change to one of them: run it on each build, alternating.
#
# Usage: bench/trade-path-costs.sh   (after ./mvnw -q package -DskipTests)
#   TRADE_PATH_SERVER_JAR   the server jar (default server/target/tickvault-server.jar)
#   TRADE_PATH_CPU          the core to pin the JVM to with taskset (default 0; empty: not pinned)
set -euo pipefail
cd "$(dirname "$0")/.."
jar=${TRADE_PATH_SERVER_JAR:-server/target/tickvault-server.jar}
classes=server/target/test-classes
[ -r "$jar" ] && [ -d "$classes/io/tickvault/server/trade" ] \
  || { echo "trade-path-costs: build first: ./mvnw -q package -DskipTests"; exit 2; }
pin=()
cpu=${TRADE_PATH_CPU-0}
if [ -n "$cpu" ] && command -v taskset >/dev/null; then pin=(taskset -c "$cpu"); fi
exec "${pin[@]}" java -cp "$classes:$jar" io.tickvault.server.trade.TradePathCosts
