#!/usr/bin/env bash
# Latency of GetApiKeys cache hits (each one audited: its answer waits for its record to be
# durable), measured from outside the JVM with h2load (Debian's nghttp2-client), against
# grpc.health.v1.Health/Check on the same server in the same run:
#   1. after an unmeasured warm-up phase of each call, the peak rates of Health/Check and
#      GetApiKeys, closed loop (4 connections x 8 streams: 32 in flight), in alternating rounds,
#      and their ratio;
#   2. open loop at half that peak (h2load --rps) for Health/Check and GetApiKeys, alternating,
#      with every request's latency logged (--log-file);
#   3. p50/p99/p99.9 of each from the logs, and GetApiKeys' p99 over Health/Check's.
# A JVM load generator on the same cores would hide what the server does; h2load is a small C
# program. The machine is usually shared: compare the ratio, not the milliseconds.
#
# Usage: bench/latency.sh   (after ./mvnw -q package -DskipTests)
#   LATENCY_SECONDS   seconds per phase (default 10)
#   LATENCY_ROUNDS    open-loop rounds per RPC, alternating (default 2); as many closed-loop peak
#                     rounds per RPC
#   TICKVAULT_TARGET  host:port of a running server to measure instead of starting one; needs
#                     TICKVAULT_TOKEN = an admin token when the server has tokens. It stores
#                     exchange 9999 (code bench-latency) and one API key of user bench-latency.
# Without TICKVAULT_TARGET it starts server/target/tickvault-server.jar on the embedded default,
# on loopback, on free ports, in a scratch data dir, with tokens, and stops it on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
secs=${LATENCY_SECONDS:-10}
rounds=${LATENCY_ROUNDS:-2}
cli=(java -jar "$root/client/target/tickvault.jar")

if ! command -v h2load >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nghttp2-client
fi

. bench/own-server.sh

if [ -n "${TICKVAULT_TARGET:-}" ]; then
  target=$TICKVAULT_TARGET
  admin_token=${TICKVAULT_TOKEN:-}
  reader_token=$admin_token
else
  admin_token=latency-admin-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
  reader_token=latency-worker-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
  metrics_port=$(free_port)
  start_server latency TICKVAULT_WORKER_TOKENS="$reader_token" TICKVAULT_ADMIN_TOKENS="$admin_token" \
    TICKVAULT_METRICS_PORT="$metrics_port"
fi
export TICKVAULT_TARGET=$target TICKVAULT_TOKEN=$admin_token
user=bench-latency
exchange=9999
"${cli[@]}" markets put-exchange --exchange-id $exchange --code bench-latency >/dev/null
echo 'latency-bench-secret' | "${cli[@]}" keys put --user-id $user --exchange-id $exchange \
  --access-key AK-LATENCY --secret-key-file - --label 'bench/latency.sh' >/dev/null

# gRPC bodies: one frame = flag 0 (not compressed), 4-byte big-endian length, the message.
# GetApiKeysRequest: field 1 (user_id, string) = tag 0x0a, length, bytes; field 2 (exchange_id,
# int32) = tag 0x10, varint.
varint() {
  local n=$1 out=""
  while [ "$n" -ge 128 ]; do out+=$(printf '\\x%02x' $(((n & 127) | 128))); n=$((n >> 7)); done
  printf '%s\\x%02x' "$out" "$n"
}
message="\\x0a$(printf '\\x%02x' ${#user})$user\\x10$(varint $exchange)"
printf "$message" >"$work/message"
length=$(stat -c %s "$work/message")
{ printf '\x00'; printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((length >> 24 & 255)) $((length >> 16 & 255)) \
  $((length >> 8 & 255)) $((length & 255)))"; cat "$work/message"; } >"$work/keys.body"
printf '\x00\x00\x00\x00\x00' >"$work/health.body"   # HealthCheckRequest{} is empty

base=http://$target
keys_url=$base/tickvault.v1.ApiKeyService/GetApiKeys
health_url=$base/grpc.health.v1.Health/Check
headers=(-H 'content-type: application/grpc' -H 'te: trailers')
[ -n "$reader_token" ] && headers+=(-H "authorization: Bearer $reader_token")

# h2load counts HTTP 200 as success, and gRPC errors are 200 with grpc-status in the trailers:
# check once with nghttp (same package) that both calls really answer grpc-status 0.
for call in "keys $keys_url" "health $health_url"; do
  set -- $call
  nghttp -v -d "$work/$1.body" "${headers[@]}" "$2" >"$work/check.$1" 2>&1 || true
  if ! grep -q 'grpc-status: 0' "$work/check.$1"; then
    cat "$work/check.$1"; echo "latency: $2 did not answer grpc-status 0"; exit 1
  fi
done
"${cli[@]}" keys get --user-id $user >/dev/null   # warm the cache (again)

h2() { h2load -c4 -m8 -t1 "${headers[@]}" -d "$@"; }

echo "latency: server $target, $secs s per phase, $rounds peak and open-loop rounds per RPC, h2load -c4 -m8"
# A fresh server's JIT has compiled nothing yet: one unmeasured closed-loop phase of each call first.
h2 "$work/health.body" -D "$secs" "$health_url" >/dev/null
h2 "$work/keys.body" -D "$secs" "$keys_url" >/dev/null
# req/s of an h2load report.
rate() { awk '/^finished in/ { gsub(",", ""); for (i = 1; i <= NF; i++) if ($(i+1) == "req/s") print int($i) }' "$1"; }
for r in $(seq 1 "$rounds"); do
  for call in health keys; do
    url=$health_url; [ $call = keys ] && url=$keys_url
    h2 "$work/$call.body" -D "$secs" --warm-up-time=2 "$url" >"$work/peak.$call.$r.out"
    grep -qE 'requests: .* 0 failed, 0 errored' "$work/peak.$call.$r.out" \
      || { cat "$work/peak.$call.$r.out"; echo "latency: the $call peak run $r had failed requests"; exit 1; }
    echo "latency: peak round $r, $call: $(rate "$work/peak.$call.$r.out") calls/s"
  done
done
best() { for f in "$work"/peak.$1.*.out; do rate "$f"; done | sort -n | tail -1; }
peak=$(best keys)
health_peak=$(best health)
awk -v k="$peak" -v h="$health_peak" 'BEGIN {
  printf "latency: best closed-loop peaks at 32 in flight: GetApiKeys %d calls/s, Health/Check %d calls/s: ratio %.2f (goal >= 0.5)\n", k, h, k / h }'
per_client=$((peak / 2 / 4))
[ "$per_client" -ge 1 ] || { cat "$work"/peak.keys.*.out; echo "latency: no peak rate"; exit 1; }
echo "latency: GetApiKeys peak, closed loop: $peak calls/s; open loop at $((per_client * 4)) calls/s (--rps $per_client x 4 connections)"

for r in $(seq 1 "$rounds"); do
  for call in health keys; do
    url=$health_url; [ $call = keys ] && url=$keys_url
    h2 "$work/$call.body" --rps "$per_client" -D "$secs" --warm-up-time=2 --log-file "$work/$call.$r.log" "$url" \
      >"$work/$call.$r.out"
    grep -qE 'requests: .* 0 failed, 0 errored' "$work/$call.$r.out" \
      || { cat "$work/$call.$r.out"; echo "latency: $call round $r had failed requests"; exit 1; }
  done
done

# Log columns: start time (us since epoch), HTTP status, microseconds until the end of the response.
percentiles() {
  cat "$@" | awk -F'\t' '$2 == 200 { print $3 }' | sort -n | awk '
    { v[NR] = $1 }
    END {
      if (NR == 0) { print "0 0 0 0 0"; exit }
      split("0.5 0.99 0.999", q, " ")
      printf "%d", NR
      for (i = 1; i <= 3; i++) { k = int(q[i] * NR); if (k < q[i] * NR) k++; printf " %.3f", v[k] / 1000 }
      printf " %.3f\n", v[NR] / 1000
    }'
}
read -r h_n h_p50 h_p99 h_p999 h_max <<<"$(percentiles "$work"/health.*.log)"
read -r k_n k_p50 k_p99 k_p999 k_max <<<"$(percentiles "$work"/keys.*.log)"
printf '%-26s %9s %9s %9s %9s %9s\n' "open loop, $((per_client * 4))/s" calls 'p50 ms' 'p99 ms' 'p99.9 ms' 'max ms'
printf '%-26s %9s %9s %9s %9s %9s\n' 'grpc.health.v1.Health/Check' "$h_n" "$h_p50" "$h_p99" "$h_p999" "$h_max"
printf '%-26s %9s %9s %9s %9s %9s\n' 'GetApiKeys (cache hits)' "$k_n" "$k_p50" "$k_p99" "$k_p999" "$k_max"
awk -v k="$k_p99" -v h="$h_p99" -v k9="$k_p999" -v h9="$h_p999" 'BEGIN {
  printf "latency: GetApiKeys p99 / Health/Check p99 = %.2f (goal <= 1.2; p99 goal < 1 ms: %s); p99.9 ratio %.2f\n",
    k / h, (k < 1 ? "met" : "not met"), k9 / h9 }'
# h2load counts every HTTP 200 as a success, and a gRPC error is a 200 too: on a server of its own
# the script reads the server's own count of GetApiKeys that ended neither OK nor CANCELLED (h2load
# resets the calls in flight at the end of each phase), over every phase above: UNAVAILABLE when
# their audit records could not be made durable in time.
if [ -n "${metrics_port:-}" ]; then
  curl -s "http://127.0.0.1:$metrics_port/metrics" >"$work/metrics"
  not_ok=$(awk '/^grpc_server_handled_total/ && /GetApiKeys/ && !/grpc_code="(OK|CANCELLED)"/ { n += $2 } END { print n + 0 }' "$work/metrics")
  grep '^grpc_server_handled_total' "$work/metrics" | grep GetApiKeys | grep -v 'grpc_code="OK"' | sed 's/^/latency:   /' || true
  echo "latency: GetApiKeys that ended neither OK nor CANCELLED on the server: $not_ok"
  awk '
    /^grpc_server_handled_total/ && /GetApiKeys/ { calls += $2 }
    /^tickvault_audit_records_total/ && /outcome="(written|spooled)"/ { records += $2 }
    END { printf "latency: %d GetApiKeys handled, %d audit records written (2 admin writes included)\n", calls, records }' \
    "$work/metrics"
  [ "$not_ok" = 0 ] || { grep -E "WARN|ERROR" "$work/server.log" | tail -5; echo "latency: some GetApiKeys failed"; exit 1; }
fi
