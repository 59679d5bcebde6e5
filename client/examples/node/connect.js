// What the examples here share (worker.js, reader.js, subscriber.js): the .proto files of
// proto/src/main/proto loaded at run time (no generated code), the --target and --token options,
// the bearer token on each call, a stream read until a token to resume from, and how a failed run
// ends.
'use strict';

const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const CONTRACTS = path.join(__dirname, '..', '..', '..', 'proto', 'src', 'main', 'proto');

// The options that decide how messages look in JavaScript (docs/worker-guide.md):
const LOADER_OPTIONS = {
  includeDirs: [CONTRACTS], // imports such as "tickvault/v1/common.proto" resolve from here
  keepCase: true, // field names as in the .proto: trade_id, not tradeId
  longs: String, // int64 fields (times, counts, indexes) as decimal strings: "1764115200000"
  enums: String, // enums by full name: "TRADE_SIDE_BUY"
  defaults: true, // fields left at 0 / "" / [] are present, not undefined
};

/** The tickvault.v1 package of these .proto files (paths below proto/src/main/proto). */
function loadServices(files) {
  return grpc.loadPackageDefinition(protoLoader.loadSync(files, LOADER_OPTIONS)).tickvault.v1;
}

/** The options of util.parseArgs every example takes: where the server is and the token to send. */
const CONNECTION_OPTIONS = {
  target: { type: 'string', default: process.env.TICKVAULT_TARGET || '127.0.0.1:50051' },
  token: { type: 'string', default: process.env.TICKVAULT_TOKEN || '' },
};

/** The options of the readers (reader.js, subscriber.js): the market, by default worker.js's. */
const MARKET_OPTIONS = {
  'exchange-id': { type: 'string', default: '8' },
  'pair-no': { type: 'string', default: '1' },
};

/** The market of those options, as a MarketRef or the market fields of a request. */
function marketOf(args) {
  return { exchange_id: Number(args['exchange-id']), currency_pair_no: Number(args['pair-no']) };
}

/** The metadata that sends the token on each call as `authorization: Bearer …`; none without a token. */
function bearer(token) {
  const metadata = new grpc.Metadata();
  if (token) metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

/**
 * Reads one streaming call until it ends, or until `onResponse` returns true, which cancels it
 * there. Resolves to the token of the last response (`tokenOf`), or `token` before any: the next
 * call resumes from it. Rejects on an error, but for the codes in `resumeOn` (breaks that the next
 * call recovers from).
 */
function readUntil(call, token, tokenOf, onResponse, resumeOn = []) {
  return new Promise((resolve, reject) => {
    let last = token;
    let stopped = false;
    call.on('data', (response) => {
      if (stopped) return;
      last = tokenOf(response);
      if (onResponse(response)) {
        stopped = true;
        call.cancel(); // ends this call; the token says where the next one starts
      }
    });
    call.on('error', (error) => {
      if ((stopped && error.code === grpc.status.CANCELLED) || resumeOn.includes(error.code)) resolve(last);
      else reject(error);
    });
    call.on('end', () => resolve(last));
  });
}

/**
 * Ends a failed run: a gRPC error (a numeric code and details) in one line, anything else (a bug
 * here) with its stack; exit code 3 when the server was unavailable, else 1.
 */
function exitWith(name) {
  return (error) => {
    console.error(typeof error.code === 'number' ? `${name}: ${grpc.status[error.code]}: ${error.details}` : error.stack);
    process.exit(error.code === grpc.status.UNAVAILABLE ? 3 : 1);
  };
}

module.exports = { LOADER_OPTIONS, loadServices, CONNECTION_OPTIONS, MARKET_OPTIONS, marketOf, bearer, readUntil, exitWith };
