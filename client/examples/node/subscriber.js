#!/usr/bin/env node
// Subscribes to a market's trades in Node.js, with nothing but the .proto files: SubscribeTrades
// from a start time gives the stored trades first, then a response with caught_up, then every trade
// committed, through any server. Each response carries a resume_token: a call that broke (or that
// this example ends on purpose, --responses-per-call N) goes on with a new call of the same request
// and the last token received, and gets exactly what it had not (docs/subscribing.md).
//
// With --orderbooks it also subscribes to the market's order book snapshots (SubscribeOrderBooks,
// --depth levels a side, 0: all), in a call of its own that resumes the same way.
//
// Stops once it has caught up and received --max trades (and, with --orderbooks, --max-snapshots
// snapshots), and prints one JSON object.
//
//   npm ci --prefix client/examples/node
//   TICKVAULT_TARGET=127.0.0.1:50051 TICKVAULT_TOKEN=worker-token-0123456789 \
//     node client/examples/node/subscriber.js --exchange-id 8 --pair-no 1 --from 1764115200000 --max 249 \
//     [--orderbooks --depth 3 --max-snapshots 30]
'use strict';

const { parseArgs } = require('util');
const grpc = require('@grpc/grpc-js');
const { CONNECTION_OPTIONS, MARKET_OPTIONS, bearer, exitWith, loadServices, marketOf, readUntil } = require('./connect');

/**
 * One call of `method` (SubscribeTrades or SubscribeOrderBooks) from `token`, ended after
 * `maxResponses` responses (0: never) or once `done()` says so. Resolves to the last token
 * received; rejects on any other end.
 */
function subscribeOnce(query, method, request, token, maxResponses, metadata, onResponse, done) {
  let responses = 0;
  return readUntil(query[method]({ ...request, resume_token: token }, metadata), token, (r) => r.resume_token,
    (response) => {
      onResponse(response);
      responses++;
      return done() || (maxResponses > 0 && responses === maxResponses);
    },
    [grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]); // a break: the next call resumes
}

/**
 * Calls of `method` until `done()`, each resuming from the last token of the one before, `onItems`
 * given each response's records (`field`). Resolves to what it saw: whether it caught up, and calls.
 */
async function subscribe(query, method, field, request, maxResponses, metadata, onItems, enough) {
  const seen = { caughtUp: false, calls: 0 };
  const done = () => seen.caughtUp && enough();
  let token = '';
  while (!done()) {
    token = await subscribeOnce(query, method, request, token, maxResponses, metadata, (response) => {
      onItems(response[field]);
      seen.caughtUp = seen.caughtUp || response.caught_up;
    }, done);
    seen.calls++;
  }
  return seen;
}

async function main() {
  const { values: args } = parseArgs({
    options: {
      ...CONNECTION_OPTIONS,
      ...MARKET_OPTIONS,
      from: { type: 'string', default: '0' }, // epoch ms; 0: only what is committed from now on
      max: { type: 'string', default: '0' }, // stop once caught up with this many trades
      'responses-per-call': { type: 'string', default: '0' }, // 0: one call for everything
      orderbooks: { type: 'boolean', default: false }, // also SubscribeOrderBooks of the market
      depth: { type: 'string', default: '0' }, // levels a side in each snapshot; 0: all
      'max-snapshots': { type: 'string', default: '0' }, // stop once caught up with this many snapshots
    },
  });
  const v1 = loadServices(['tickvault/v1/query.proto']);
  const query = new v1.QueryService(args.target, grpc.credentials.createInsecure());
  const metadata = bearer(args.token);
  const request = {
    markets: [marketOf(args)],
    start_time_ms: args.from,
  };
  const max = Number(args.max);
  const perCall = Number(args['responses-per-call']);

  const ids = [];
  const trades = subscribe(query, 'SubscribeTrades', 'trades', request, perCall, metadata,
    (trades) => ids.push(...trades.map((t) => t.trade_id)), () => max > 0 && ids.length >= max);
  // A snapshot's key is its server time and sequence id; the deepest side tells whether depth held.
  const keys = [];
  let maxLevels = 0;
  const maxSnapshots = Number(args['max-snapshots']);
  const books = args.orderbooks
    ? subscribe(query, 'SubscribeOrderBooks', 'snapshots', { ...request, depth: Number(args.depth) }, perCall, metadata,
      (snapshots) => snapshots.forEach((s) => {
        keys.push(`${s.server_time_ms}/${s.sequence_id}`);
        maxLevels = Math.max(maxLevels, s.bids.length, s.asks.length);
      }), () => maxSnapshots > 0 && keys.length >= maxSnapshots)
    : null;
  const [traded, booked] = await Promise.all([trades, books]);
  console.log(JSON.stringify({
    received: ids.length,
    distinct: new Set(ids).size,
    calls: traded.calls,
    caught_up: traded.caughtUp,
    first_trade_id: ids.length ? ids[0] : null,
    last_trade_id: ids.length ? ids[ids.length - 1] : null,
    ...(booked && {
      orderbooks: {
        received: keys.length,
        distinct: new Set(keys).size,
        calls: booked.calls,
        caught_up: booked.caughtUp,
        max_levels: maxLevels,
        first: keys.length ? keys[0] : null,
        last: keys.length ? keys[keys.length - 1] : null,
      },
    }),
  }));
  query.close();
}

main().catch(exitWith('subscriber'));
