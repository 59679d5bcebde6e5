#!/usr/bin/env node
// A tickvault worker in Node.js, with nothing but the .proto files of proto/src/main/proto:
// @grpc/grpc-js for the calls, @grpc/proto-loader to load the contracts at run time (no generated
// code), protobufjs to decode the google.rpc.BadRequest an INVALID_ARGUMENT carries.
//
// It registers a market, streams trades over StreamTrades with a bounded number of requests
// awaiting their acks (one trade is invalid, to show a per-record rejection), each request claiming
// the coverage it completes, then plays a disconnect from the exchange: on reconnecting it reports
// the gap (ReportGap) and claims again from where the feed resumed, and asks GetCoverage whether
// the session is complete. It reads a user's API keys, makes one deliberately bad call and decodes
// its BadRequest, and prints one JSON object. Run it twice: the second run finds every valid trade
// stored (duplicates), and its claims and report change nothing.
//
//   npm install --prefix client/examples/node
//   TICKVAULT_TARGET=127.0.0.1:50051 TICKVAULT_TOKEN=admin-token-0123456789 \
//     node client/examples/node/worker.js --user-id alice
'use strict';

const { parseArgs } = require('util');
const grpc = require('@grpc/grpc-js');
const protobuf = require('protobufjs');
// The .proto files loaded at run time with the options that decide how messages look in
// JavaScript (LOADER_OPTIONS there: .proto field names, int64 as strings, enums by name), the
// --target and --token options, the token on each call.
const { CONNECTION_OPTIONS, bearer, exitWith, loadServices } = require('./connect');

const EXCHANGE_ID = 8;
const PAIR_NO = 1;
const FIRST_TIME_MS = 1764115200000;
// The exchange timeline played after the last trade: the connection drops, the worker is subscribed
// again RECONNECT_MS later, and the market stays quiet (heartbeats, no trade) for QUIET_MS more.
const RECONNECT_MS = 10;
const QUIET_MS = 40;

// google.rpc.Status and google.rpc.BadRequest (googleapis, google/rpc/status.proto and
// error_details.proto), declared with the field numbers of those files: enough to read the trailer
// grpc-status-details-bin without shipping the files.
function loadErrorDetails() {
  const root = protobuf.Root.fromJSON({
    nested: {
      google: {
        nested: {
          protobuf: { nested: { Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } } } },
          rpc: {
            nested: {
              Status: {
                fields: {
                  code: { type: 'int32', id: 1 },
                  message: { type: 'string', id: 2 },
                  details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
                },
              },
              BadRequest: {
                fields: { field_violations: { rule: 'repeated', type: 'FieldViolation', id: 1 } },
                nested: {
                  FieldViolation: {
                    fields: { field: { type: 'string', id: 1 }, description: { type: 'string', id: 2 } },
                  },
                },
              },
            },
          },
        },
      },
    },
  });
  return { Status: root.lookupType('google.rpc.Status'), BadRequest: root.lookupType('google.rpc.BadRequest') };
}

/** The field violations of an INVALID_ARGUMENT, from its google.rpc.BadRequest detail; [] when there is none. */
function fieldViolations(error, details) {
  const raw = error.metadata ? error.metadata.get('grpc-status-details-bin') : [];
  if (raw.length === 0) {
    return [];
  }
  const status = details.Status.decode(raw[0]); // a Buffer: grpc-js has already undone the base64
  return status.details
    .filter((any) => any.type_url === 'type.googleapis.com/google.rpc.BadRequest')
    .flatMap((any) => details.BadRequest.decode(any.value).field_violations)
    .map((v) => ({ field: v.field, description: v.description }));
}

function unary(client, method, request, metadata) {
  const deadline = new Date(Date.now() + 10_000);
  return new Promise((resolve, reject) => {
    client[method](request, metadata, { deadline }, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

/** A claim that every trade of the market in [fromMs, untilMs) has been sent on this stream. */
function claim(fromMs, untilMs) {
  return {
    exchange_id: EXCHANGE_ID, currency_pair_no: PAIR_NO, channel: 'CHANNEL_TRADES',
    from_time_ms: String(fromMs), until_time_ms: String(untilMs),
  };
}

/**
 * Requests of `batchSize` trades; the trade at position 3 has a price the server refuses. Each
 * claims what it completes: from where the last claim ended to the time of its newest trade, the
 * exchange time up to which every trade is in (one at that very millisecond may still come). The
 * server stores a claim only once every trade sent before it is committed. Returns the requests
 * and where the last claim ends.
 */
function tradeRequests(count, batchSize) {
  const requests = [];
  let claimedUntil = FIRST_TIME_MS; // where the subscription started
  for (let start = 0; start < count; start += batchSize) {
    const trades = [];
    for (let i = start; i < Math.min(count, start + batchSize); i++) {
      trades.push({
        exchange_id: EXCHANGE_ID,
        currency_pair_no: PAIR_NO,
        trade_id: `js-${i}`,
        price: i === 3 ? '-1' : `${30000 + i}.25`, // decimals are strings, never JavaScript numbers
        quantity: `0.${String(i + 1).padStart(3, '0')}`,
        taker_side: i % 2 === 0 ? 'TRADE_SIDE_BUY' : 'TRADE_SIDE_SELL',
        trade_time_ms: String(FIRST_TIME_MS + i), // int64 as a string: exact beyond 2^53
      });
    }
    const newest = FIRST_TIME_MS + Math.min(count, start + batchSize) - 1;
    requests.push({ trades, coverage: newest > claimedUntil ? [claim(claimedUntil, newest)] : [] });
    claimedUntil = Math.max(claimedUntil, newest);
  }
  return { requests, claimedUntil };
}

/**
 * Sends `requests` over one StreamTrades call, keeping at most `maxInFlight` unacknowledged, and
 * adds up the acks. request_index and RejectedRecord.index restart at 0 on every call: this call
 * starts at request `first`, so request_index i is requests[first + i], and a rejection's index
 * counts trades from the first trade of requests[first]. A worker resuming after UNAVAILABLE opens
 * a new call with `first` = the first unacknowledged request.
 */
function streamTrades(ingest, metadata, requests, first, maxInFlight) {
  const tradesBefore = [0];
  for (const r of requests) tradesBefore.push(tradesBefore[tradesBefore.length - 1] + r.trades.length);
  return new Promise((resolve, reject) => {
    const call = ingest.StreamTrades(metadata);
    const totals = { received: 0, inserted: 0, duplicates: 0, rejected: 0, coverage_stored: 0, rejections: [] };
    let sent = first;
    let acked = first;
    let ended = false;
    const sendMore = () => {
      while (sent < requests.length && sent - acked < maxInFlight) {
        if (!call.write(requests[sent++])) {
          call.once('drain', sendMore); // the transport is full: wait until it is not
          return;
        }
      }
      if (sent === requests.length && !ended) {
        ended = true;
        call.end(); // half-close: the server acks what is left, then closes
      }
    };
    call.on('data', (ack) => {
      const request = first + Number(ack.request_index);
      acked = request + 1; // acks come one per request, in request order
      for (const key of ['received', 'inserted', 'duplicates', 'rejected', 'coverage_stored']) totals[key] += Number(ack[key]);
      for (const r of ack.rejections) {
        totals.rejections.push({
          index: tradesBefore[first] + Number(r.index), // position among all the trades this worker sent
          record_key: r.record_key,
          field: r.field,
          reason: r.reason,
          code: r.code, // an enum name with its prefix: "REJECTION_REASON_INVALID_DECIMAL"
        });
      }
      sendMore();
    });
    call.on('error', reject);
    call.on('end', () => resolve(totals));
    sendMore();
  });
}

async function main() {
  const { values: args } = parseArgs({
    options: {
      ...CONNECTION_OPTIONS,
      'user-id': { type: 'string', default: 'alice' },
      trades: { type: 'string', default: '250' },
      'batch-size': { type: 'string', default: '100' },
      'max-in-flight': { type: 'string', default: '16' },
    },
  });
  const v1 = loadServices(
    ['tickvault/v1/market.proto', 'tickvault/v1/api_keys.proto', 'tickvault/v1/ingest.proto', 'tickvault/v1/query.proto']);
  const details = loadErrorDetails();
  const metadata = bearer(args.token);
  const credentials = grpc.credentials.createInsecure();
  const markets = new v1.MarketService(args.target, credentials);
  const apiKeys = new v1.ApiKeyService(args.target, credentials);
  const ingest = new v1.IngestService(args.target, credentials);
  const query = new v1.QueryService(args.target, credentials);

  await unary(markets, 'PutExchange', { exchange_id: EXCHANGE_ID, code: 'node-demo' }, metadata);
  await unary(markets, 'PutCurrencyPair',
    { exchange_id: EXCHANGE_ID, currency_pair_no: PAIR_NO, base_currency: 'SOL', quote_currency: 'USDT' }, metadata);

  const { requests, claimedUntil } = tradeRequests(Number(args.trades), Number(args['batch-size']));
  const summary = await streamTrades(ingest, metadata, requests, 0, Number(args['max-in-flight']));

  // The exchange connection drops after the last trade; subscribed again at `resumed`, the worker
  // reports what it may have missed, then claims afresh from there: the quiet market with a
  // request of claims only, on a new call.
  const resumed = FIRST_TIME_MS + Number(args.trades) - 1 + RECONNECT_MS;
  await unary(ingest, 'ReportGap', {
    exchange_id: EXCHANGE_ID, currency_pair_no: PAIR_NO, channel: 'CHANNEL_TRADES',
    from_time_ms: String(claimedUntil), until_time_ms: String(resumed), reason: 'GAP_REASON_DISCONNECTED',
    detail: 'websocket closed (1006), subscribed again',
  }, metadata);
  const quiet = await streamTrades(ingest, metadata, [{ trades: [], coverage: [claim(resumed, resumed + QUIET_MS)] }], 0, 1);
  const coverage = await unary(query, 'GetCoverage', {
    exchange_id: EXCHANGE_ID, currency_pair_no: PAIR_NO, channel: 'CHANNEL_TRADES',
    start_time_ms: String(FIRST_TIME_MS), end_time_ms: String(resumed + QUIET_MS),
  }, metadata);
  const offset = (ms) => Number(ms) - FIRST_TIME_MS; // times as ms after the first trade, for reading

  const keys = (await unary(apiKeys, 'GetApiKeys', { user_id: args['user-id'] }, metadata)).api_keys;

  // A call with two bad fields: INVALID_ARGUMENT, with a BadRequest naming both.
  let badRequest = null;
  try {
    await unary(markets, 'PutExchange', { exchange_id: 0, code: 'Not A Code' }, metadata);
  } catch (error) {
    if (error.code !== grpc.status.INVALID_ARGUMENT) throw error;
    badRequest = { code: grpc.status[error.code], message: error.details, field_violations: fieldViolations(error, details) };
  }

  console.log(JSON.stringify({
    ...summary,
    coverage_stored: summary.coverage_stored + quiet.coverage_stored,
    coverage: {
      complete: coverage.complete,
      covered: coverage.covered.map((r) => [offset(r.from_time_ms), offset(r.until_time_ms)]),
      holes: coverage.holes.map((h) => ({
        range: [offset(h.from_time_ms), offset(h.until_time_ms)], reports: h.reports.map((g) => g.reason),
      })),
    },
    api_keys: keys.map((k) => ({ exchange_id: k.exchange_id, access_key: k.access_key, label: k.label })),
    bad_request: badRequest,
  }));
  for (const client of [markets, apiKeys, ingest, query]) client.close();
}

main().catch(exitWith('worker'));
