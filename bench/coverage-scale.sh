#!/usr/bin/env bash
# GetCoverage at scale, in PostgreSQL alone: one feed whose 10,000 claims over a year never touch
# (10,000 covered ranges and as many holes, the worst case: claims that meet merge into one) and
# 1,000 gap reports; prints the execution time of GetCoverage's two queries over the whole year and
# over one day (EXPLAIN ANALYZE, best of 5). Uses a scratch database it creates and drops.
#   PGHOST=127.0.0.1 PGUSER=postgres bench/coverage-scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
db=tickvault_coverage_scale
export PGHOST=${PGHOST:-127.0.0.1} PGUSER=${PGUSER:-postgres}
psql -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
trap 'psql -qc "DROP DATABASE IF EXISTS $db"' EXIT
psql -q -d $db -v ON_ERROR_STOP=1 -f server/src/main/resources/db/migration/V4__coverage.sql
psql -q -d $db -v ON_ERROR_STOP=1 <<'SQL'
-- 2025, 10,000 claims of 52 min 23.6 s, each 10 s short of the next one.
INSERT INTO feed_coverage (exchange_id, currency_pair_no, channel, covered)
SELECT 1, 1, 1, range_agg(int8range(1735689600000 + i * 3153600, 1735689600000 + i * 3153600 + 3143600))
  FROM generate_series(0::bigint, 9999) i;
INSERT INTO feed_gaps (exchange_id, currency_pair_no, channel, from_time_ms, until_time_ms, reason, detail)
SELECT 1, 1, 1, 1735689600000 + i * 31536000 + 3143600, 1735689600000 + i * 31536000 + 3153600, 1, 'closed 1006'
  FROM generate_series(0::bigint, 999) i;
ANALYZE feed_coverage;
ANALYZE feed_gaps;
SQL
psql -At -d $db -c "SELECT 'ranges in the feed: ' || (SELECT count(*) FROM unnest(covered)) || ', ' || pg_column_size(covered) || ' bytes' FROM feed_coverage"
best() { # best execution time of 5 runs of a query, in ms
  for _ in 1 2 3 4 5; do
    psql -At -d $db -c "EXPLAIN (ANALYZE, FORMAT JSON) $1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Execution Time"])'
  done | sort -g | head -1
}
covered="SELECT lower(r), upper(r) FROM feed_coverage f, unnest(f.covered * int8multirange(int8range(%s, %s))) AS r
  WHERE f.exchange_id = 1 AND f.currency_pair_no = 1 AND f.channel = 1"
gaps="SELECT from_time_ms, until_time_ms, reason, detail FROM feed_gaps WHERE exchange_id = 1 AND currency_pair_no = 1
  AND channel = 1 AND from_time_ms < %s AND until_time_ms > %s ORDER BY from_time_ms, until_time_ms, reason, detail"
# shellcheck disable=SC2059
echo "year: covered ranges $(best "$(printf "$covered" 1735689600000 1767225600000)") ms, gap reports $(best "$(printf "$gaps" 1767225600000 1735689600000)") ms"
# shellcheck disable=SC2059
echo "day:  covered ranges $(best "$(printf "$covered" 1750000000000 1750086400000)") ms, gap reports $(best "$(printf "$gaps" 1750086400000 1750000000000)") ms"
