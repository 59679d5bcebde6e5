#!/usr/bin/env bash
# Fresh-ingest speed as the table grows: `tickvault bench trades` with 0, 10M and 50M trades of
# another market already stored (made once by SQL, not timed), one stream and two. Each level's
# ratio is against COPY of the same rows into the same table at the same size, in the same run.
#
# Usage: bench/growth.sh   (after ./mvnw -q package -DskipTests; a server and its database running)
#   TICKVAULT_TARGET        host:port of the server (required; authentication off or TICKVAULT_TOKEN)
#   TICKVAULT_DATABASE_URL  JDBC URL of the server's database, one kept for benchmarks (required:
#                           the run empties and fills its trades table)
#   GROWTH_LEVELS           stored trades per level (default "0 10000000 50000000")
#   GROWTH_TRADES           trades per round (default 1000000)
#   GROWTH_ROUNDS           rounds per level (default 3)
# 50M stored trades take about 10 GB of disk and a few minutes to make.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${TICKVAULT_TARGET:?the server to measure, host:port}"
: "${TICKVAULT_DATABASE_URL:?the JDBC URL of its database}"
levels=${GROWTH_LEVELS:-"0 10000000 50000000"}
n=${GROWTH_TRADES:-1000000}
rounds=${GROWTH_ROUNDS:-3}
cli=(java -jar client/target/tickvault.jar)

log=$(mktemp)
trap 'rm -f "$log"' EXIT
summary=()
for stored in $levels; do
  for streams in 1 2; do
    echo "== $stored trades stored, $streams stream(s)"
    "${cli[@]}" bench trades --target "$TICKVAULT_TARGET" --database-url "$TICKVAULT_DATABASE_URL" \
      --trades "$n" --rounds "$rounds" --streams "$streams" --stored "$stored" >"$log"
    cat "$log"
    summary+=("$(printf '%12s stored, %d stream(s): %s' "$stored" "$streams" "$(grep '^median' "$log")")")
  done
done
echo
echo "growth: $n fresh trades per round, $rounds round(s) per level"
printf '%s\n' "${summary[@]}"
