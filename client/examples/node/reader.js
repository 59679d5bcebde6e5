#!/usr/bin/env node
// Reads a market's trades back from tickvault in Node.js, with nothing but the .proto files of
// proto/src/main/proto (as worker.js writes them): ReadTrades page by page, resuming from the last
// page's next_page_token on a new call, then GetCandles over the same range.
//
// A read resumes from a token after any break (UNAVAILABLE, a deadline, a restart of the server):
// the same request with the token of the last page received continues right after that page. To
// show it, --pages-per-call N ends each call after N pages and goes on with a new one. The reader
// checks that the trades come oldest first by (trade_time_ms, trade_id) and that the candles'
// volume is the exact sum of the quantities it read, and prints one JSON object.
//
//   npm ci --prefix client/examples/node
//   TICKVAULT_TARGET=127.0.0.1:50051 TICKVAULT_TOKEN=worker-token-0123456789 \
//     node client/examples/node/reader.js --exchange-id 8 --pair-no 1 --page-size 100 --pages-per-call 1
'use strict';

const { parseArgs } = require('util');
const grpc = require('@grpc/grpc-js');
const { CONNECTION_OPTIONS, MARKET_OPTIONS, bearer, exitWith, loadServices, marketOf, readUntil } = require('./connect');

/**
 * One ReadTrades call from `token` (empty: the start of the range), at most `maxPages` pages.
 * Resolves to the token that resumes after the last page received: empty when the range is done.
 */
function readPages(query, request, token, maxPages, metadata, onPage) {
  let pages = 0;
  return readUntil(query.ReadTrades({ ...request, page_token: token }, metadata), token, (page) => page.next_page_token,
    (page) => {
      onPage(page.trades);
      pages++;
      return page.next_page_token !== '' && pages === maxPages;
    });
}

/** Adds decimal strings exactly (as BigInt, scaled to the longest fraction): never through a float. */
function sumDecimals(values) {
  const scale = Math.max(0, ...values.map((v) => (v.split('.')[1] || '').length));
  const scaled = (v) => {
    const [whole, fraction = ''] = v.split('.');
    return BigInt(whole + fraction.padEnd(scale, '0'));
  };
  const digits = values.reduce((sum, v) => sum + scaled(v), 0n).toString().padStart(scale + 1, '0');
  return scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** True when a comes before b in the order of every read: time, then trade_id byte by byte (UTF-8). */
function before(a, b) {
  if (a.trade_time_ms !== b.trade_time_ms) return BigInt(a.trade_time_ms) < BigInt(b.trade_time_ms);
  return Buffer.compare(Buffer.from(a.trade_id, 'utf8'), Buffer.from(b.trade_id, 'utf8')) < 0;
}

async function main() {
  const { values: args } = parseArgs({
    options: {
      ...CONNECTION_OPTIONS,
      ...MARKET_OPTIONS,
      from: { type: 'string', default: '1764115200000' }, // epoch ms, included
      to: { type: 'string', default: '1764115260000' }, // epoch ms, excluded
      'page-size': { type: 'string', default: '0' }, // 0: the server's default
      'pages-per-call': { type: 'string', default: '0' }, // 0: one call reads every page
      'interval-ms': { type: 'string', default: '60000' },
    },
  });
  const v1 = loadServices(['tickvault/v1/query.proto']);
  const query = new v1.QueryService(args.target, grpc.credentials.createInsecure());
  const metadata = bearer(args.token);
  const market = marketOf(args);
  const range = { ...market, start_time_ms: args.from, end_time_ms: args.to };

  const trades = [];
  let pages = 0;
  let calls = 0;
  let token = '';
  do {
    token = await readPages(query, { ...range, page_size: Number(args['page-size']) }, token,
      Number(args['pages-per-call']), metadata, (page) => {
        trades.push(...page);
        pages++;
      });
    calls++;
  } while (token !== '');
  const inOrder = trades.every((t, i) => i === 0 || before(trades[i - 1], t));

  const candles = await new Promise((resolve, reject) => {
    query.GetCandles({ ...range, interval_ms: args['interval-ms'] }, metadata,
      { deadline: new Date(Date.now() + 10_000) }, (error, response) => (error ? reject(error) : resolve(response.candles)));
  });
  const volume = sumDecimals(trades.map((t) => t.quantity));
  const candleVolume = sumDecimals(candles.map((c) => c.volume));

  console.log(JSON.stringify({
    read: trades.length,
    pages,
    calls,
    in_order: inOrder,
    first_trade_id: trades.length ? trades[0].trade_id : null,
    last_trade_id: trades.length ? trades[trades.length - 1].trade_id : null,
    volume,
    candles: candles.map((c) => ({
      open_time_ms: c.open_time_ms, open: c.open, high: c.high, low: c.low, close: c.close,
      volume: c.volume, trade_count: c.trade_count,
    })),
    volume_ok: volume === candleVolume,
  }));
  query.close();
}

main().catch(exitWith('reader'));
