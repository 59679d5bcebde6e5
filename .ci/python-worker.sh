#!/usr/bin/env bash
# The Python worker of client/examples/python against a server built from this checkout: proof
# that a worker in another language needs nothing but the .proto files. Installs Debian's gRPC
# for Python and protoc when missing, generates the stubs (into a git-ignored dir), starts the
# server on the embedded default with tokens, stores an API key with the Java CLI, runs the worker
# twice and checks what it printed: the first run stores every valid trade and has the one invalid
# trade rejected; the second finds them all stored (duplicates); both read the key, read their
# trades back exactly, every field of every trade (ReadTrades, and SubscribeTrades resumed by token
# until caught up) and find the last one, whole, in the market's state (GetMarketState); both claim coverage batch by batch, report the gap of their
# played disconnect, and find the session incomplete with that one hole, explained (GetCoverage).
# Both store 30 order book snapshots of 5 levels a side (the second run: all duplicates) and
# subscribe to them at depth 3, one response per call, each call resumed by token: each snapshot
# once, oldest first, cut to 3 levels a side, every other field as sent; the last one, whole, is
# the market's state.
# Uses /usr/bin/python3 (Debian's, which python3-grpcio is for), not whatever python3 is on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PYTHON_WORKER_GRPC_PORT:-50051}

if ! /usr/bin/python3 -c 'import grpc' 2>/dev/null || ! command -v protoc >/dev/null || [ ! -x /usr/bin/grpc_python_plugin ]; then
  echo "python-worker: installing python3-grpcio protobuf-compiler protobuf-compiler-grpc"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-grpcio protobuf-compiler protobuf-compiler-grpc >/dev/null
fi
bash client/examples/python/generate.sh

source .ci/worker-server.sh
start_server "$port" worker-token-python-0001 admin-token-python-0001
store_key 7 python-demo py-user AK-PY py-secret

worker() {
  TICKVAULT_TARGET="127.0.0.1:$port" TICKVAULT_TOKEN=admin-token-python-0001 \
    /usr/bin/python3 client/examples/python/worker.py --user-id py-user --trades 250 --batch-size 100
}
twice worker

/usr/bin/python3 - "$work/first.json" "$work/second.json" <<'PY'
import json, sys
first, second = (json.load(open(p)) for p in sys.argv[1:3])
def check(name, got, want):
    if got != want:
        sys.exit("python-worker: %s: expected %r, got %r" % (name, want, got))
check("first run counts", [first[k] for k in ("received", "inserted", "duplicates", "rejected")], [250, 249, 0, 1])
check("rejection", {k: first["rejections"][0][k] for k in ("index", "record_key", "field", "code")},
      {"index": 3, "record_key": "7/1/py-3", "field": "price", "code": "REJECTION_REASON_INVALID_DECIMAL"})
check("second run counts", [second[k] for k in ("received", "inserted", "duplicates", "rejected")], [250, 0, 249, 1])
check("first run order book counts", first["books"], [30, 30, 0, 0])
check("second run order book counts", second["books"], [30, 0, 30, 0])
for run in (first, second):
    check("api keys", run["api_keys"], [{"exchange_id": 7, "access_key": "AK-PY", "label": "from-java"}])
    check("trades read back", [run["read_back"], run["read_back_ok"]], [249, True])
    # One page of 249 stored trades, then the caught_up response: two calls, the second resumed by token.
    check("trades subscribed to", [run["subscribed"], run["subscribed_ok"], run["subscribe_calls"]], [249, True, 2])
    # The 30 snapshots in one page, then the caught_up response: two calls, the second resumed by token.
    check("order books subscribed to at depth 3",
          [run["books_subscribed"], run["books_subscribed_ok"], run["books_subscribe_calls"]], [30, True, 2])
    check("last trade in the market state", [run["last_trade_id"], run["last_trade_price"], run["state_ok"]],
          ["py-249", "30249.90", True])
    # Batches of 100 claim [0, 99), [99, 199), [199, 249) (ms after the first trade); the disconnect
    # [249, 259) is reported once (a replayed report stores nothing more); the quiet claim is [259, 299).
    check("claims stored", run["coverage_stored"], 4)
    check("coverage", run["coverage"], {"complete": False, "covered": [[0, 249], [259, 299]],
                                        "holes": [{"range": [249, 259], "reports": ["GAP_REASON_DISCONNECTED"]}]})
print("python-worker: ok (249 stored, 1 rejected, replay all duplicates, key read, trades and state read back, "
      "coverage claimed with the disconnect's hole explained, subscribed to trades and order books and resumed by token)")
PY
