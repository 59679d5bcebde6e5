#!/usr/bin/env python3
"""A tickvault worker in Python, with nothing but stubs generated from proto/ (see generate.sh).

It registers a market, streams a few batches of trades over IngestTrades (one of them invalid, to
show a per-record rejection), reads a user's API keys, and prints the server's summary as one
JSON object. Run it twice: the second run finds every valid trade already stored (duplicates),
because the server keys trades on (exchange_id, currency_pair_no, trade_id).

    ./generate.sh
    TICKVAULT_TARGET=127.0.0.1:50051 TICKVAULT_TOKEN=admin-token-0123456789 \\
      /usr/bin/python3 worker.py --user-id alice
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "generated"))

import grpc  # noqa: E402

from tickvault.v1 import api_keys_pb2, api_keys_pb2_grpc  # noqa: E402
from tickvault.v1 import common_pb2  # noqa: E402
from tickvault.v1 import ingest_pb2, ingest_pb2_grpc  # noqa: E402
from tickvault.v1 import market_pb2, market_pb2_grpc  # noqa: E402

EXCHANGE_ID = 7
PAIR_NO = 1


def trade_batches(count, batch_size):
    """Yields IngestTradesRequest messages; the trade at position 3 has a price the server refuses."""
    batch = []
    for i in range(count):
        batch.append(ingest_pb2.Trade(
            exchange_id=EXCHANGE_ID,
            currency_pair_no=PAIR_NO,
            trade_id="py-%d" % i,
            price="-1" if i == 3 else "%d.25" % (30000 + i),
            quantity="0.%03d" % (i + 1),
            taker_side=ingest_pb2.TRADE_SIDE_BUY if i % 2 == 0 else ingest_pb2.TRADE_SIDE_SELL,
            trade_time_ms=1764115200000 + i,
        ))
        if len(batch) == batch_size:
            yield ingest_pb2.IngestTradesRequest(trades=batch)
            batch = []
    if batch:
        yield ingest_pb2.IngestTradesRequest(trades=batch)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default=os.environ.get("TICKVAULT_TARGET", "127.0.0.1:50051"))
    parser.add_argument("--token", default=os.environ.get("TICKVAULT_TOKEN", ""),
                        help="bearer token; registering a market needs an admin token")
    parser.add_argument("--user-id", default="alice", help="whose API keys to read")
    parser.add_argument("--trades", type=int, default=250)
    parser.add_argument("--batch-size", type=int, default=100)
    args = parser.parse_args()

    metadata = (("authorization", "Bearer " + args.token),) if args.token else ()
    deadline = 10  # seconds, for each unary call
    with grpc.insecure_channel(args.target) as channel:
        markets = market_pb2_grpc.MarketServiceStub(channel)
        markets.PutExchange(market_pb2.PutExchangeRequest(exchange_id=EXCHANGE_ID, code="python-demo"),
                            metadata=metadata, timeout=deadline)
        markets.PutCurrencyPair(market_pb2.PutCurrencyPairRequest(
            exchange_id=EXCHANGE_ID, currency_pair_no=PAIR_NO, base_currency="ETH", quote_currency="USDT"),
            metadata=metadata, timeout=deadline)

        ingest = ingest_pb2_grpc.IngestServiceStub(channel)
        summary = ingest.IngestTrades(trade_batches(args.trades, args.batch_size), metadata=metadata, timeout=120)

        api_keys = api_keys_pb2_grpc.ApiKeyServiceStub(channel)
        keys = api_keys.GetApiKeys(api_keys_pb2.GetApiKeysRequest(user_id=args.user_id),
                                   metadata=metadata, timeout=deadline).api_keys

    print(json.dumps({
        "received": summary.received,
        "inserted": summary.inserted,
        "duplicates": summary.duplicates,
        "rejected": summary.rejected,
        "rejections": [{"index": r.index, "record_key": r.record_key, "field": r.field, "reason": r.reason,
                        "code": common_pb2.RejectionReason.Name(r.code)}
                       for r in summary.rejections],
        "api_keys": [{"exchange_id": k.exchange_id, "access_key": k.access_key, "label": k.label}
                     for k in keys],
    }))


if __name__ == "__main__":
    try:
        main()
    except grpc.RpcError as e:
        print("worker: %s: %s" % (e.code().name, e.details()), file=sys.stderr)
        sys.exit(3 if e.code() == grpc.StatusCode.UNAVAILABLE else 1)
