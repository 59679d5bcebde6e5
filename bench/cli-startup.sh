#!/usr/bin/env bash
# Wall time of `tickvault health` (plain `java -jar` and the client/bin/tickvault launcher, with
# and without its JVM flags) against `buf curl` of grpc.health.v1.Health/Check, on the same server
# in the same run, with hyperfine (Debian). Rounds alternate so that a change of machine load
# falls on every command alike; each row is the median wall time over every run of every round,
# and the ratio is that median over buf curl's (the goal: <= 2x). The CPU time (user + system,
# mean) is shown too: on a loaded machine wall time is mostly waiting for a core.
#
# Usage: bench/cli-startup.sh   (after ./mvnw -q package -DskipTests)
#   CLI_STARTUP_ROUNDS  rounds (default 3);  CLI_STARTUP_RUNS  runs per command per round (default 5)
#   TICKVAULT_TARGET    host:port of a running server (plaintext) instead of starting one
# Without TICKVAULT_TARGET it starts server/target/tickvault-server.jar on the embedded default,
# on loopback, on a free port, in a scratch data dir, and stops it on exit. buf is taken from the
# PATH or .ci/.tools (installed there with npm, as .ci/run does, when missing). The launcher's
# archive goes to a scratch cache dir, so its first run (which makes it) is timed too.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
rounds=${CLI_STARTUP_ROUNDS:-3}
runs=${CLI_STARTUP_RUNS:-5}
jar=$root/client/target/tickvault.jar

if ! command -v hyperfine >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine
fi
if ! command -v buf >/dev/null; then
  tools=$root/.ci/.tools
  if [ ! -x "$tools/node_modules/.bin/buf" ]; then
    mkdir -p "$tools"
    (cd "$tools" && npm install --silent --no-audit --no-fund --no-save @bufbuild/buf@1.75.0)
  fi
  export PATH="$tools/node_modules/.bin:$PATH"
fi

. bench/own-server.sh

if [ -n "${TICKVAULT_TARGET:-}" ]; then
  target=$TICKVAULT_TARGET
else
  start_server cli-startup
fi
export XDG_CACHE_HOME=$work/cache TICKVAULT_TARGET=$target
unset TICKVAULT_JAVA_OPTS TICKVAULT_CDS TICKVAULT_JAR

start=$(date +%s%N)
client/bin/tickvault health >/dev/null
echo "cli-startup: the launcher's first run (training run, archive dump, then the call): $((($(date +%s%N) - start) / 1000000)) ms"
ls "$work/cache/tickvault/"*.jsa >/dev/null || { echo "cli-startup: the launcher made no archive"; exit 1; }

names=(buf-curl java-jar java-jar-c1 java-jar-serialgc launcher-no-cds launcher)
commands=(
  "buf curl --protocol grpc --http2-prior-knowledge -d '{}' http://$target/grpc.health.v1.Health/Check"
  "java -jar $jar health"
  "java -XX:TieredStopAtLevel=1 -jar $jar health"
  "java -XX:+UseSerialGC -jar $jar health"
  "TICKVAULT_CDS=off client/bin/tickvault health"
  "client/bin/tickvault health")
args=()
for i in "${!names[@]}"; do args+=(-n "${names[$i]}" "${commands[$i]}"); done
echo "cli-startup: server $target, $rounds rounds x $runs runs of each command"
for r in $(seq 1 "$rounds"); do
  hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$work/round.$r.json" "${args[@]}" >"$work/round.$r.out"
done

jq -rs '
  [.[].results[]] | group_by(.command)
  | map({name: .[0].command, times: ([.[].times[]] | sort), cpu: (map(.user + .system) | add / length)})
  | map(. + {median: (.times | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end)})
  | (map(select(.name == "buf-curl"))[0]) as $ref
  | (["command", "runs", "median ms", "x buf curl", "cpu ms", "cpu x buf curl"] | @tsv),
    (.[] | [.name, (.times | length), (.median * 1000 | round), ((.median / $ref.median * 100 | round) / 100),
            (.cpu * 1000 | round), ((.cpu / $ref.cpu * 100 | round) / 100)] | @tsv)
' "$work"/round.*.json | column -t -s $'\t' >"$work/table"
cat "$work/table"
awk '$1 == "launcher" { printf "cli-startup: launcher `tickvault health` / buf curl = %s wall (goal <= 2), %s CPU\n", $4, $6 }
     $1 == "java-jar" { printf "cli-startup: plain `java -jar tickvault.jar health` / buf curl = %s wall, %s CPU\n", $4, $6 }' "$work/table"
