#!/usr/bin/env bash
# The Node.js worker of client/examples/node against a server built from this checkout: proof that
# a worker in JavaScript needs nothing but the .proto files (@grpc/proto-loader loads them at run
# time; no generated code). Installs the example's npm packages (pinned by its package-lock.json)
# into client/examples/node/node_modules (git-ignored), starts the server on the embedded default
# with tokens, stores an API key with the Java CLI, runs the worker twice and checks what it
# printed: the first run stores every valid trade and has the one invalid trade rejected, with its
# index and code; the second finds them all stored (duplicates); both read the key and decode the
# google.rpc.BadRequest of a call with two bad fields.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${NODE_WORKER_GRPC_PORT:-50051}

(cd client/examples/node && npm ci --silent --no-audit --no-fund)

source .ci/worker-server.sh
start_server "$port" worker-token-node-00001 admin-token-node-000001
cli markets put-exchange --exchange-id 8 --code node-demo
cli keys put --user-id js-user --exchange-id 8 --access-key AK-JS --secret-key-file /dev/stdin --label from-java <<< 'js-secret'

worker() {
  TICKVAULT_TARGET="127.0.0.1:$port" TICKVAULT_TOKEN=admin-token-node-000001 \
    node client/examples/node/worker.js --user-id js-user --trades 250 --batch-size 20 --max-in-flight 4
}
worker | tee "$work/first.json"
worker | tee "$work/second.json"

node - "$work/first.json" "$work/second.json" <<'JS'
const fs = require('fs');
const assert = require('assert');
const [first, second] = process.argv.slice(2).map((p) => JSON.parse(fs.readFileSync(p, 'utf8')));
const counts = (run) => [run.received, run.inserted, run.duplicates, run.rejected];
assert.deepStrictEqual(counts(first), [250, 249, 0, 1], 'first run counts');
assert.deepStrictEqual(counts(second), [250, 0, 249, 1], 'second run counts');
for (const run of [first, second]) {
  const r = run.rejections[0];
  assert.deepStrictEqual([r.index, r.record_key, r.field, r.code], [3, '8/1/js-3', 'price', 'REJECTION_REASON_INVALID_DECIMAL'], 'rejection');
  assert.deepStrictEqual(run.api_keys, [{ exchange_id: 8, access_key: 'AK-JS', label: 'from-java' }], 'api keys');
  assert.strictEqual(run.bad_request.code, 'INVALID_ARGUMENT');
  assert.deepStrictEqual(run.bad_request.field_violations.map((v) => v.field), ['exchange_id', 'code'], 'BadRequest');
}
console.log('node-worker: ok (249 stored, 1 rejected, replay all duplicates, key read, BadRequest decoded)');
JS
