#!/usr/bin/env bash
# Starts the server built by `./mvnw package` on the embedded default, in an empty data dir, as a
# new user would; waits for health SERVING; lists the services through reflection with buf curl;
# stops it with SIGTERM and checks that it exits 0. Needs buf on the PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
port=50051
export TICKVAULT_DATA_DIR="$work/data" TICKVAULT_GRPC_PORT=$port TICKVAULT_METRICS_PORT=0
java -jar server/target/tickvault-server.jar >"$work/server.log" 2>&1 &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true; rm -rf "$work"' EXIT

curl_grpc() { buf curl --protocol grpc --http2-prior-knowledge "$@"; }

for i in $(seq 1 120); do
  if curl_grpc -d '{}' "http://127.0.0.1:$port/grpc.health.v1.Health/Check" 2>/dev/null | grep -q SERVING; then
    break
  fi
  if ! kill -0 $pid 2>/dev/null; then
    cat "$work/server.log"; echo "smoke: the server died at start-up"; exit 1
  fi
  sleep 1
done
curl_grpc -d '{}' "http://127.0.0.1:$port/grpc.health.v1.Health/Check" | tee "$work/health.json"
grep -q '"SERVING"' "$work/health.json"

services=$(curl_grpc --list-services "http://127.0.0.1:$port")
echo "$services"
for s in tickvault.v1.MarketService grpc.health.v1.Health grpc.reflection.v1.ServerReflection; do
  echo "$services" | grep -qx "$s" || { echo "smoke: $s is not listed"; exit 1; }
done

curl_grpc -d '{"exchange_id": 1, "code": "binance"}' "http://127.0.0.1:$port/tickvault.v1.MarketService/PutExchange"
curl_grpc -d '{"exchange_id": 1, "currency_pair_no": 1, "base_currency": "BTC", "quote_currency": "USDT"}' \
  "http://127.0.0.1:$port/tickvault.v1.MarketService/PutCurrencyPair"
curl_grpc -d '{}' "http://127.0.0.1:$port/tickvault.v1.MarketService/ListCurrencyPairs" | grep -q '"baseCurrency": "BTC"'

# API keys: stored encrypted, served back in plain text (twice: the second answer is a cache hit).
curl_grpc -d '{"user_id": "smoke", "exchange_id": 1, "access_key": "AK-SMOKE", "secret_key": "smoke-secret"}' \
  "http://127.0.0.1:$port/tickvault.v1.ApiKeyAdminService/PutApiKey" | grep -q '"created": true'
for _ in 1 2; do
  curl_grpc -d '{"user_id": "smoke"}' "http://127.0.0.1:$port/tickvault.v1.ApiKeyService/GetApiKeys" \
    | grep -q '"secretKey": "smoke-secret"'
done

kill -TERM $pid
rc=0; wait $pid || rc=$?
if [ "$rc" != 0 ]; then
  cat "$work/server.log"; echo "smoke: the server exited $rc after SIGTERM, expected 0"; exit 1
fi
echo "smoke: ok (SERVING, services listed, markets stored, API key stored and served, exit 0 after SIGTERM)"
