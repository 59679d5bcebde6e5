#!/usr/bin/env node
// Subscribes to a market's trades in Node.js, with nothing but the .proto files: SubscribeTrades
// from a start time gives the stored trades first, then a response with caught_up, then every trade
// committed, through any server. Each response carries a resume_token: a call that broke (or that
// this example ends on purpose, --responses-per-call N) goes on with a new call of the same request
// and the last token received, and gets exactly what it had not (docs/subscribing.md).
//
// Stops once it has caught up and received --max trades, and prints one JSON object.
//
//   npm ci --prefix client/examples/node
//   TICKVAULT_TARGET=127.0.0.1:50051 TICKVAULT_TOKEN=worker-token-0123456789 \
//     node client/examples/node/subscriber.js --exchange-id 8 --pair-no 1 --from 1764115200000 --max 249
'use strict';

const { parseArgs } = require('util');
const grpc = require('@grpc/grpc-js');
const { CONNECTION_OPTIONS, MARKET_OPTIONS, bearer, exitWith, loadServices, marketOf, readUntil } = require('./connect');

/**
 * One SubscribeTrades call from `token`, ended after `maxResponses` responses (0: never) or once
 * `done()` says so. Resolves to the last token received; rejects on any other end.
 */
function subscribeOnce(query, request, token, maxResponses, metadata, onResponse, done) {
  let responses = 0;
  return readUntil(query.SubscribeTrades({ ...request, resume_token: token }, metadata), token, (r) => r.resume_token,
    (response) => {
      onResponse(response);
      responses++;
      return done() || (maxResponses > 0 && responses === maxResponses);
    },
    [grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]); // a break: the next call resumes
}

async function main() {
  const { values: args } = parseArgs({
    options: {
      ...CONNECTION_OPTIONS,
      ...MARKET_OPTIONS,
      from: { type: 'string', default: '0' }, // epoch ms; 0: only what is committed from now on
      max: { type: 'string', default: '0' }, // stop once caught up with this many trades
      'responses-per-call': { type: 'string', default: '0' }, // 0: one call for everything
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

  const ids = [];
  let caughtUp = false;
  let calls = 0;
  let token = '';
  const done = () => caughtUp && max > 0 && ids.length >= max;
  while (!done()) {
    token = await subscribeOnce(query, request, token, Number(args['responses-per-call']), metadata, (response) => {
      ids.push(...response.trades.map((t) => t.trade_id));
      caughtUp = caughtUp || response.caught_up;
    }, done);
    calls++;
  }
  console.log(JSON.stringify({
    received: ids.length,
    distinct: new Set(ids).size,
    calls,
    caught_up: caughtUp,
    first_trade_id: ids.length ? ids[0] : null,
    last_trade_id: ids.length ? ids[ids.length - 1] : null,
  }));
  query.close();
}

main().catch(exitWith('subscriber'));
