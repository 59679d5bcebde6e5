#!/usr/bin/env bash
# The Node.js worker of client/examples/node against a server built from this checkout: proof that
# a worker in JavaScript needs nothing but the .proto files (@grpc/proto-loader loads them at run
# time; no generated code). Installs the example's npm packages (pinned by its package-lock.json)
# into client/examples/node/node_modules (git-ignored), starts the server on the embedded default
# with tokens, stores an API key with the Java CLI, runs the worker twice and checks what it
# printed: the first run stores every valid trade and has the one invalid trade rejected, with its
# index and code; the second finds them all stored (duplicates); both read the key and decode the
# google.rpc.BadRequest of a call with two bad fields, claim coverage request by request, report the
# gap of their played disconnect and find the session incomplete with that one hole, explained
# (GetCoverage). Then the reader (reader.js, worker token)
# reads the trades back with ReadTrades, one page per call, each call resuming from the last
# page's token, and GetCandles: every stored trade once, in order, and the exact volume. Last, the
# subscriber (subscriber.js) subscribes from the first trade's time, one response per call, each
# call resuming from the last resume_token: every stored trade once, and caught up; with
# --orderbooks --depth 3 it also subscribes to the 30 order book snapshots of 5 levels a side that
# the Java CLI stored for the market: each once, in order, cut to 3 levels a side, and caught up.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${NODE_WORKER_GRPC_PORT:-50051}

(cd client/examples/node && npm ci --silent --no-audit --no-fund)

source .ci/worker-server.sh
start_server "$port" worker-token-node-00001 admin-token-node-000001
store_key 8 node-demo js-user AK-JS js-secret

worker() {
  TICKVAULT_TARGET="127.0.0.1:$port" TICKVAULT_TOKEN=admin-token-node-000001 \
    node client/examples/node/worker.js --user-id js-user --trades 250 --batch-size 20 --max-in-flight 4
}
twice worker
TICKVAULT_TARGET="127.0.0.1:$port" TICKVAULT_TOKEN=worker-token-node-00001 \
  node client/examples/node/reader.js --exchange-id 8 --pair-no 1 --page-size 100 --pages-per-call 1 \
  | tee "$work/read.json"
# 30 snapshots of 8/1, 10 ms apart from the first trade's time, sequence ids 1 to 30, 5 levels a side.
node -e '
for (let i = 1; i <= 30; i++) {
  const levels = (p0, step) => [0, 1, 2, 3, 4].map((l) => ({ price: String(p0 + step * l), quantity: "0.5" }));
  console.log(JSON.stringify({ exchange_id: 8, currency_pair_no: 1, server_time_ms: 1764115200000 + 10 * i,
    sequence_id: i, bids: levels(29990 + i, -1), asks: levels(30010 + i, 1) }));
}' > "$work/books.jsonl"
cli ingest orderbooks "$work/books.jsonl"
TICKVAULT_TARGET="127.0.0.1:$port" TICKVAULT_TOKEN=worker-token-node-00001 timeout 60 \
  node client/examples/node/subscriber.js --exchange-id 8 --pair-no 1 --from 1764115200000 --max 249 \
  --orderbooks --depth 3 --max-snapshots 30 --responses-per-call 1 | tee "$work/subscribed.json"

node - "$work/first.json" "$work/second.json" "$work/read.json" "$work/subscribed.json" <<'JS'
const fs = require('fs');
const assert = require('assert');
const [first, second, read, subscribed] = process.argv.slice(2).map((p) => JSON.parse(fs.readFileSync(p, 'utf8')));
const counts = (run) => [run.received, run.inserted, run.duplicates, run.rejected];
assert.deepStrictEqual(counts(first), [250, 249, 0, 1], 'first run counts');
assert.deepStrictEqual(counts(second), [250, 0, 249, 1], 'second run counts');
for (const run of [first, second]) {
  const r = run.rejections[0];
  assert.deepStrictEqual([r.index, r.record_key, r.field, r.code], [3, '8/1/js-3', 'price', 'REJECTION_REASON_INVALID_DECIMAL'], 'rejection');
  assert.deepStrictEqual(run.api_keys, [{ exchange_id: 8, access_key: 'AK-JS', label: 'from-java' }], 'api keys');
  assert.strictEqual(run.bad_request.code, 'INVALID_ARGUMENT');
  assert.deepStrictEqual(run.bad_request.field_violations.map((v) => v.field), ['exchange_id', 'code'], 'BadRequest');
  // 13 requests of 20 claim [0, 19), [19, 39) ... [239, 249) (ms after the first trade); the
  // disconnect [249, 259) is reported once (a replayed report stores nothing more); the quiet claim
  // is [259, 299), on a call of its own.
  assert.strictEqual(run.coverage_stored, 14, 'claims stored');
  assert.deepStrictEqual(run.coverage, { complete: false, covered: [[0, 249], [259, 299]],
    holes: [{ range: [249, 259], reports: ['GAP_REASON_DISCONNECTED'] }] }, 'coverage');
}
// 249 trades in pages of 100, one page per call: three calls, the second and third resumed by token.
assert.deepStrictEqual([read.read, read.pages, read.calls, read.in_order], [249, 3, 3, true], 'read back');
assert.deepStrictEqual([read.first_trade_id, read.last_trade_id], ['js-0', 'js-249'], 'first and last trade');
// Quantities 0.001 to 0.250 but js-3's 0.004: 31.375 - 0.004, every digit.
assert.strictEqual(read.volume, '31.371', 'volume of the trades read');
assert.deepStrictEqual(read.candles, [{ open_time_ms: '1764115200000', open: '30000.25', high: '30249.25',
  low: '30000.25', close: '30249.25', volume: '31.371', trade_count: '249' }], 'candles');
assert.strictEqual(read.volume_ok, true, 'candle volume = sum of the quantities read');
// The 249 stored trades in one page, then the caught_up response, each call resumed by token.
assert.deepStrictEqual([subscribed.received, subscribed.distinct, subscribed.caught_up], [249, 249, true], 'subscribed');
assert.ok(subscribed.calls >= 2, 'subscription resumed by token');
// The 30 snapshots the CLI stored, each once, oldest first, 3 levels a side of their 5.
const books = subscribed.orderbooks;
assert.deepStrictEqual([books.received, books.distinct, books.caught_up, books.max_levels], [30, 30, true, 3],
  'order books subscribed at depth 3');
assert.deepStrictEqual([books.first, books.last], ['1764115200010/1', '1764115200300/30'], 'first and last snapshot');
assert.ok(books.calls >= 2, 'order book subscription resumed by token');
console.log('node-worker: ok (249 stored, 1 rejected, replay all duplicates, key read, BadRequest decoded,'
  + ' coverage claimed with the disconnect\'s hole explained, read back by page token, candles exact,'
  + ' subscribed to trades and order books and resumed by token)');
JS
