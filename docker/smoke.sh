#!/usr/bin/env bash
# Builds the Docker image and runs docker/compose.yaml for real: PostgreSQL, Redis and two
# tickvault replicas. Checks the image without a database URL says what to set, waits for both
# replicas to be healthy, writes through one and reads through the other, runs a third replica with
# TLS on and waits for its health check, stops the set-up (each replica exits 0 within its grace
# period), starts it again (volumes kept) and checks the data is still there, then runs one
# integration test class on the tests' Testcontainers path. Tears everything down (containers,
# network, volume) on any exit.
#
# Needs root or a Docker engine. Where none answers it installs Debian's docker.io and starts
# dockerd itself (and stops it at the end). Where no image registry answers it makes the base
# image with debootstrap (cached in .ci/.tools/) and uses local stand-ins for the official
# postgres and redis images (docker/standins/). Everything is published on 127.0.0.1 only.
# Skips with a message, exit 0, only where no engine can be started.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
tools="$root/.ci/.tools"
base_cache="$tools/debian-bookworm-minbase.tar.gz"
project=tickvault-smoke
image=tickvault:local
pg_image=tickvault-standin-postgres:15
redis_image=tickvault-standin-redis:7
work=$(mktemp -d)
started=$(date +%s)

log() { printf '\n==> docker smoke (%ss): %s\n' "$(($(date +%s) - started))" "$*"; }
fail() { echo "docker smoke: FAILED: $*" >&2; exit 1; }

dockerd_pid=
added_tags=()
compose_up=
tls_container=
cleanup() {
  local rc=$?
  set +e
  if [ "$rc" != 0 ] && [ -n "$compose_up" ]; then
    echo "--- container logs (last lines) ---"
    compose logs --no-color --tail=40 2>&1 | tail -n 200
  fi
  [ -n "$tls_container" ] && docker rm -f "$tls_container" >/dev/null 2>&1
  [ -n "$compose_up" ] && compose down -v --remove-orphans >/dev/null 2>&1
  for tag in "${added_tags[@]}"; do docker rmi "$tag" >/dev/null 2>&1; done
  if [ -n "$dockerd_pid" ]; then
    kill "$dockerd_pid" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$dockerd_pid" 2>/dev/null
  fi
  rm -rf "$work"
  echo "docker smoke: torn down after $(($(date +%s) - started)) s"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the engine ------------------------------------------------------------------------------
engine_answers() { timeout 10 docker info >/dev/null 2>&1; }

# dockerd as it runs on a machine without iptables or an overlay-capable file system. The default
# bridge stays on: Testcontainers puts its containers there and publishes their ports from it.
start_dockerd() {
  dockerd --storage-driver=vfs --iptables=false --ip6tables=false "$@" >"$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 1 60); do
    engine_answers && return 0
    kill -0 "$dockerd_pid" 2>/dev/null || break
    sleep 1
  done
  kill "$dockerd_pid" 2>/dev/null; wait "$dockerd_pid" 2>/dev/null || true
  dockerd_pid=
  tail -n 20 "$work/dockerd.log"
  return 1
}

log "Docker engine"
if ! engine_answers; then
  if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null || ! command -v docker-compose >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
      echo "docker smoke: SKIPPED: no Docker engine answers and installing one needs root"; exit 0
    fi
    echo "installing Debian's docker.io, docker-compose and debootstrap"
    if ! { timeout 300 apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq \
        docker.io docker-compose debootstrap >"$work/apt.log" 2>&1; }; then
      tail -n 20 "$work/apt.log"
      echo "docker smoke: SKIPPED: could not install docker.io from Debian's packages"; exit 0
    fi
  fi
  # The default bridge was seen to work here; if it cannot be made, user-defined networks
  # (compose's) still work with --bridge=none, only Testcontainers' default network is missing.
  if ! start_dockerd && ! start_dockerd --bridge=none; then
    echo "docker smoke: SKIPPED: dockerd does not start on this machine (its log is above)"; exit 0
  fi
  echo "started dockerd (pid $dockerd_pid); it is stopped at the end"
fi
docker version --format 'engine {{.Server.Version}}, API {{.Server.APIVersion}}'

# Compose v2 (`docker compose`) where the plugin is installed, else Debian bookworm's
# docker-compose 1.29 (v1, Python), which reads the same file.
if docker compose version >/dev/null 2>&1; then
  compose_cmd=(docker compose)
elif command -v docker-compose >/dev/null; then
  compose_cmd=(docker-compose)
else
  fail "neither 'docker compose' nor docker-compose is installed"
fi
master_key=$(head -c 32 /dev/urandom | base64)
admin_token=smoke-admin-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
worker_token=smoke-worker-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
# The compose file's own settings go to compose only (not exported: the CLI below reads
# TICKVAULT_* from its environment). Empty ports: Docker picks free ones on 127.0.0.1. Every call
# is bounded in time.
compose() {
  timeout 300 env TICKVAULT_IMAGE="$image" TICKVAULT_POSTGRES_IMAGE="$pg_image" TICKVAULT_REDIS_IMAGE="$redis_image" \
    TICKVAULT_MASTER_KEY="$master_key" TICKVAULT_ADMIN_TOKENS="$admin_token" TICKVAULT_WORKER_TOKENS="$worker_token" \
    TICKVAULT_PORT_1= TICKVAULT_PORT_2= TICKVAULT_METRICS_PORT_1= TICKVAULT_METRICS_PORT_2= \
    "${compose_cmd[@]}" -p "$project" -f docker/compose.yaml "$@"
}
echo "compose: $("${compose_cmd[@]}" version 2>/dev/null | head -n 1)"

# --- images ----------------------------------------------------------------------------------
log "base image debian:bookworm-slim"
if docker image inspect debian:bookworm-slim >/dev/null 2>&1; then
  echo "present"
elif [ -f "$base_cache" ]; then
  timeout 300 docker import "$base_cache" debian:bookworm-slim >/dev/null
  echo "imported from $base_cache"
elif timeout 120 docker pull -q debian:bookworm-slim >/dev/null 2>&1; then
  echo "pulled"
else
  # No registry: the same Debian release, minimal variant, with the official image's apt sources.
  echo "no registry answers: debootstrap --variant=minbase bookworm (cached in $base_cache)"
  rootfs="$work/rootfs"
  timeout 900 debootstrap --variant=minbase bookworm "$rootfs" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log"; fail "debootstrap"; }
  rm -f "$rootfs/etc/apt/sources.list"
  cp docker/standins/debian.sources "$rootfs/etc/apt/sources.list.d/debian.sources"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/*
  mkdir -p "$tools"
  tar -C "$rootfs" -c . | gzip -1 >"$base_cache.tmp"
  mv "$base_cache.tmp" "$base_cache"
  rm -rf "$rootfs"
  timeout 300 docker import "$base_cache" debian:bookworm-slim >/dev/null
fi

# The classic builder and compose v1 have no BuildKit: build with the host's network (no default
# bridge NAT here) and hand compose the built images.
build() {
  local tag=$1; shift
  local t0; t0=$(date +%s)
  timeout 1500 docker build -q --network host -t "$tag" "$@" >"$work/build.log" 2>&1 \
    || { tail -n 40 "$work/build.log"; fail "docker build of $tag"; }
  echo "$tag: built in $(($(date +%s) - t0)) s, $(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%d MB", $1 / 1e6}')"
}
log "images: stand-ins for postgres and redis, and tickvault (stage prebuilt)"
if [ ! -f server/target/tickvault-server-slim.jar ] || [ ! -f client/target/tickvault.jar ]; then
  ./mvnw -B -ntp -q package -DskipTests
fi
build "$pg_image" docker/standins/postgres
build "$redis_image" docker/standins/redis
build "$image" -f docker/Dockerfile --target prebuilt .
timeout 120 docker run --rm --entrypoint id "$image" | grep -q '^uid=10001(tickvault)' || fail "the image does not run as user tickvault"
# The image's jar has no embedded PostgreSQL or Redis: without their URLs it must say so, not start.
expect_exit1() { # what, expected substring, command...
  local what=$1 expected=$2; shift 2
  local out
  local rc=0
  out=$("$@" 2>&1) || rc=$?
  [ "$rc" = 1 ] && grep -qF -- "$expected" <<<"$out" || { echo "$out"; fail "$what: expected exit 1 and '$expected', got exit $rc"; }
  echo "ok: $what"
}
expect_exit1 "the image without TICKVAULT_DATABASE_URL" "TICKVAULT_DATABASE_URL is not set, and this server" \
  timeout 120 docker run --rm "$image"

# --- compose: two replicas -------------------------------------------------------------------
container_of() { compose ps -q "$1"; }
wait_healthy() { # container id, description
  local status=
  for _ in $(seq 1 100); do
    status=$(docker inspect -f '{{.State.Health.Status}}' "$1" 2>/dev/null || echo gone)
    [ "$status" = healthy ] && return 0
    [ "$status" = gone ] && break
    sleep 3
  done
  docker logs --tail 40 "$1" 2>&1 || true
  fail "$2 is not healthy after 300 s (status: $status)"
}
up_and_wait() {
  compose_up=yes
  compose up -d --no-build >"$work/up.log" 2>&1 || { cat "$work/up.log"; fail "compose up"; }
  for replica in tickvault-1 tickvault-2; do
    wait_healthy "$(container_of $replica)" "$replica"
  done
  target1=$(compose port tickvault-1 50051)
  target2=$(compose port tickvault-2 50051)
  echo "tickvault-1 at $target1, tickvault-2 at $target2: both healthy"
}
cli() { java -jar client/target/tickvault.jar "$@"; }
expect() { # what, expected substring, command...
  local what=$1 expected=$2; shift 2
  local out
  local rc=0
  out=$("$@" 2>&1) || rc=$?
  [ "$rc" = 0 ] || { echo "$out"; fail "$what: exit $rc"; }
  grep -qF -- "$expected" <<<"$out" || { echo "$out"; fail "$what: expected '$expected'"; }
  echo "ok: $what"
}

log "compose up: PostgreSQL, Redis, tickvault-1 and tickvault-2 (project $project)"
up_and_wait
[ "$(docker inspect -f '{{.Config.User}}' "$(container_of tickvault-1)")" = tickvault ] || fail "replica not running as tickvault"
[ "$(docker inspect -f '{{.Config.StopTimeout}}' "$(container_of tickvault-1)")" = 45 ] || fail "replica without compose's stop_grace_period"
docker inspect -f '{{range .State.Health.Log}}{{.Output}}{{end}}' "$(container_of tickvault-1)" | grep -q SERVING || fail "health log"

log "write through tickvault-1, read through tickvault-2"
printf 'exchange_id,currency_pair_no,trade_id,price,quantity,trade_time_ms,taker_side\n' >"$work/trades.csv"
for i in $(seq 1 200); do echo "7,1,$i,43000.5,0.002,$((1700000000000 + i)),BUY"; done >>"$work/trades.csv"
expect "PutExchange via 1" created cli markets put-exchange --target "$target1" --token "$admin_token" --exchange-id 7 --code smoke-exchange
expect "PutCurrencyPair via 1" created cli markets put-pair --target "$target1" --token "$admin_token" --exchange-id 7 --pair-no 1 --base BTC --quote USDT
expect "StreamTrades via 1" "inserted 200, duplicates 0, rejected 0" cli ingest trades --target "$target1" --token "$worker_token" "$work/trades.csv"
expect "PutApiKey via 1" created cli keys put --target "$target1" --token "$admin_token" --user-id smoke-user --exchange-id 7 --access-key AK-SMOKE --secret-key smoke-secret
expect "ListCurrencyPairs via 2" BTC cli markets list --target "$target2" --token "$worker_token"
expect "GetApiKeys via 2" '"secret_key":"smoke-secret"' cli keys get --target "$target2" --token "$worker_token" --user-id smoke-user -o json --show-secrets

log "a third replica with TLS on: its health check speaks TLS"
mkdir -p "$work/tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost \
  -keyout "$work/tls/server.key" -out "$work/tls/server.crt" 2>/dev/null
chmod 644 "$work/tls/server.key" "$work/tls/server.crt"
tls_container=$(docker run -d --network "${project}_default" -p 127.0.0.1::50051 -v "$work/tls:/tls:ro" \
  -e TICKVAULT_DATABASE_URL=jdbc:postgresql://postgres:5432/tickvault -e TICKVAULT_DATABASE_USER=tickvault \
  -e TICKVAULT_DATABASE_PASSWORD=tickvault -e TICKVAULT_REDIS_URL=redis://redis:6379 \
  -e TICKVAULT_MASTER_KEY="$master_key" -e TICKVAULT_WORKER_TOKENS="$worker_token" \
  -e TICKVAULT_TLS_CERT=/tls/server.crt -e TICKVAULT_TLS_KEY=/tls/server.key "$image")
wait_healthy "$tls_container" "the TLS replica"
docker inspect -f '{{range .State.Health.Log}}{{.Output}}{{end}}' "$tls_container" | grep -q SERVING || fail "TLS health log"
target3=$(docker port "$tls_container" 50051 | head -n 1)
expect "ListCurrencyPairs over TLS" BTC \
  cli markets list --target "$target3" --tls-ca "$work/tls/server.crt" --authority localhost --token "$worker_token"
docker rm -f "$tls_container" >/dev/null
tls_container=

log "restart: compose stop (each replica exits 0: a graceful stop, not a kill), down (volumes kept), up again"
replicas=("$(container_of tickvault-1)" "$(container_of tickvault-2)")
compose stop >/dev/null 2>&1 || fail "compose stop"
for replica in "${replicas[@]}"; do
  [ "$(docker inspect -f '{{.State.ExitCode}}' "$replica")" = 0 ] || { docker logs --tail 20 "$replica"; fail "a replica did not exit 0 on stop"; }
done
compose down >/dev/null 2>&1 || fail "compose down"
compose_up=
up_and_wait
expect "ListCurrencyPairs via 2 after restart" BTC cli markets list --target "$target2" --token "$worker_token"
expect "GetApiKeys via 2 after restart" '"secret_key":"smoke-secret"' cli keys get --target "$target2" --token "$worker_token" --user-id smoke-user -o json --show-secrets
expect "trades kept: a replay via 1 is all duplicates" "inserted 0, duplicates 200, rejected 0" \
  cli ingest trades --target "$target1" --token "$worker_token" "$work/trades.csv"
compose down -v >/dev/null 2>&1 || fail "compose down -v"
compose_up=

# --- the tests' Testcontainers path ----------------------------------------------------------
# TestDependencies asks for postgres:16-alpine and redis:7-alpine: the stand-ins take those names
# for this run when no such image is present (the tags are removed at the end). Ryuk, the
# reaper container, would have to be pulled: it is off, and TestDependencies stops its containers
# in a shutdown hook. This machine has a /.dockerenv, so Testcontainers would think it runs inside
# a container and start an alpine:3.17 container to find the gateway: the host is given instead.
log "Testcontainers path of the tests: ApiKeyServiceIT without TICKVAULT_TEST_* URLs"
if ! docker network inspect bridge >/dev/null 2>&1; then
  echo "docker smoke: Testcontainers part SKIPPED: the engine has no default bridge network (dockerd --bridge=none)"
else
  for pair in "$pg_image postgres:16-alpine" "$redis_image redis:7-alpine"; do
    set -- $pair
    if ! docker image inspect "$2" >/dev/null 2>&1; then
      docker tag "$1" "$2"
      added_tags+=("$2")
    fi
  done
  env -u TICKVAULT_TEST_DATABASE_URL -u TICKVAULT_TEST_REDIS_URL \
    TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost \
    timeout 900 ./mvnw -B -ntp -pl server -am verify -Dtest=NONE -Dit.test=ApiKeyServiceIT \
    -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false >"$work/it.log" 2>&1 \
    || { grep -E 'ERROR|Tests run|tests use' "$work/it.log" | tail -n 40; fail "ApiKeyServiceIT on Testcontainers"; }
  grep -E 'tests use|Tests run:' "$work/it.log" | head -n 3
  grep -q 'tests use PostgreSQL from Testcontainers' "$work/it.log" || fail "the tests did not use Testcontainers' PostgreSQL"
  grep -q 'tests use Redis from Testcontainers' "$work/it.log" || fail "the tests did not use Testcontainers' Redis"
fi

echo "docker smoke: ok in $(($(date +%s) - started)) s (image $(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%d MB", $1 / 1e6}'))"
