#!/usr/bin/env python3
"""A tickvault worker in Python, with nothing but stubs generated from proto/ (see generate.sh).

It registers a market, streams a few batches of trades over IngestTrades (one of them invalid, to
show a per-record rejection), each batch claiming the coverage it completes, then plays a
disconnect from the exchange: on reconnecting it reports the gap (ReportGap) and claims again from
where the feed resumed. It reads a user's API keys, its trades back (ReadTrades, page by page,
resuming from the last page token if the stream breaks), the market's hot state (GetMarketState)
and its coverage (GetCoverage), subscribes to the market from its first trade (SubscribeTrades,
one response per call, each call resumed from the last resume_token) until caught up. It also
stores a few order book snapshots (IngestOrderBooks) and subscribes to them the same way
(SubscribeOrderBooks, at a depth below theirs). It checks all of it against what it sent and prints
it as one JSON object. Run it twice: the second run finds every valid trade and snapshot already
stored (duplicates), because the server keys trades on (exchange_id, currency_pair_no, trade_id)
and snapshots on (exchange_id, currency_pair_no, server_time_ms, sequence_id), and its claims and
report change nothing.

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
from tickvault.v1 import coverage_pb2  # noqa: E402
from tickvault.v1 import ingest_pb2, ingest_pb2_grpc  # noqa: E402
from tickvault.v1 import market_pb2, market_pb2_grpc  # noqa: E402
from tickvault.v1 import query_pb2, query_pb2_grpc  # noqa: E402

EXCHANGE_ID = 7
PAIR_NO = 1
FIRST_TIME_MS = 1764115200000
REJECTED = 3  # the position of the trade with a price the server refuses
# The exchange timeline this worker plays after its last trade (at FIRST_TIME_MS + trades - 1): the
# connection drops, the worker is subscribed again RECONNECT_MS later, and the market stays quiet
# (heartbeats, no trade) for QUIET_MS more.
RECONNECT_MS = 10
QUIET_MS = 40
# The order books this worker stores: BOOKS snapshots of BOOK_LEVELS levels a side, BOOK_STEP_MS
# apart from FIRST_TIME_MS, and the depth it subscribes to them at (fewer levels, to see the cut).
BOOKS = 30
BOOK_LEVELS = 5
BOOK_STEP_MS = 10
BOOK_DEPTH = 3


def trades(count):
    """The worker's trades, one a millisecond from FIRST_TIME_MS. Prices and quantities end in
    zeros ("30000.00", "30001.10", "0.010"): they must come back with every digit as sent."""
    return [ingest_pb2.Trade(
        exchange_id=EXCHANGE_ID,
        currency_pair_no=PAIR_NO,
        trade_id="py-%d" % i,
        price="-1" if i == REJECTED else "%d.%d0" % (30000 + i, i % 10),
        quantity="0.%03d" % (i + 1),
        taker_side=ingest_pb2.TRADE_SIDE_BUY if i % 2 == 0 else ingest_pb2.TRADE_SIDE_SELL,
        trade_time_ms=FIRST_TIME_MS + i,
        receive_time_ms=FIRST_TIME_MS + i + 3,  # when 0, the server stores its own "now"
    ) for i in range(count)]


def order_books():
    """The worker's snapshots, sequence ids 1 to BOOKS, best levels first on each side."""
    def levels(best, step):
        return [ingest_pb2.PriceLevel(price="%d.50" % (best + step * level), quantity="0.%d00" % (level + 1))
                for level in range(BOOK_LEVELS)]
    return [ingest_pb2.OrderBookSnapshot(
        exchange_id=EXCHANGE_ID,
        currency_pair_no=PAIR_NO,
        server_time_ms=FIRST_TIME_MS + BOOK_STEP_MS * i,
        sequence_id=i,
        bids=levels(29990 + i, -1),
        asks=levels(30010 + i, 1),
        receive_time_ms=FIRST_TIME_MS + BOOK_STEP_MS * i + 2,
    ) for i in range(1, BOOKS + 1)]


def cut(snapshot, depth):
    """The snapshot as a subscription at `depth` levels a side delivers it."""
    cut = ingest_pb2.OrderBookSnapshot()
    cut.CopyFrom(snapshot)
    del cut.bids[depth:]
    del cut.asks[depth:]
    return cut


def claim(from_ms, until_ms):
    """A claim that every trade of the market in [from_ms, until_ms) has been sent on this stream."""
    return coverage_pb2.CoverageClaim(exchange_id=EXCHANGE_ID, currency_pair_no=PAIR_NO,
                                      channel=coverage_pb2.CHANNEL_TRADES, from_time_ms=from_ms, until_time_ms=until_ms)


def trade_batches(sent, batch_size, claimed):
    """Yields IngestTradesRequest messages of at most batch_size trades, each claiming what it
    completes: from where the last claim ended (claimed[0]) to the time of its newest trade, the
    exchange time up to which every trade is in (one at that very millisecond may still come). The
    server stores a claim only once every trade sent before it is committed."""
    for start in range(0, len(sent), batch_size):
        batch = sent[start:start + batch_size]
        newest = max(t.trade_time_ms for t in batch)
        request = ingest_pb2.IngestTradesRequest(trades=batch)
        if newest > claimed[0]:
            request.coverage.append(claim(claimed[0], newest))
            claimed[0] = newest
        yield request


def read_trades(query, request, metadata, attempts=5):
    """Every trade of a ReadTrades range, page by page. A stream broken with UNAVAILABLE is opened
    again from the last next_page_token received: no trade is missed or read twice."""
    read = []
    token = request.page_token
    for _ in range(attempts):
        try:
            for page in query.ReadTrades(query_pb2.ReadTradesRequest(
                    exchange_id=request.exchange_id, currency_pair_no=request.currency_pair_no,
                    start_time_ms=request.start_time_ms, end_time_ms=request.end_time_ms,
                    page_size=request.page_size, page_token=token), metadata=metadata):
                read.extend(page.trades)
                token = page.next_page_token
                if not token:
                    return read
            return read
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.UNAVAILABLE:
                raise
    raise RuntimeError("ReadTrades: still UNAVAILABLE after %d attempts" % attempts)


def subscribe(method, request, records_of, expected):
    """The records of a subscription (SubscribeTrades or SubscribeOrderBooks: `method`, its
    `request`, `records_of` a response's records) until it has caught up with `expected` of them.
    Each call is ended after one response on purpose and the next one resumes from its
    resume_token, as after a broken stream (UNAVAILABLE, a restart): no record is missed or
    received twice."""
    received = []
    caught_up = False
    calls = 0
    while not (caught_up and len(received) >= expected):
        calls += 1
        call = method(request)
        try:
            for response in call:
                received.extend(records_of(response))
                caught_up = caught_up or response.caught_up
                request.resume_token = response.resume_token
                break
        except grpc.RpcError as e:
            if e.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                raise
        finally:
            call.cancel()
        if calls > 100:
            raise RuntimeError("%s: not caught up after 100 calls" % type(request).__name__)
    return received, calls


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

        sent = trades(args.trades)
        ingest = ingest_pb2_grpc.IngestServiceStub(channel)
        claimed = [FIRST_TIME_MS]  # where the last claim ended: where the subscription started
        summary = ingest.IngestTrades(trade_batches(sent, args.batch_size, claimed), metadata=metadata, timeout=120)

        # The exchange connection drops after the last trade; subscribed again at `resumed`, the worker
        # reports what it may have missed, then claims afresh from there: the quiet market with a
        # request of claims only.
        resumed = FIRST_TIME_MS + args.trades - 1 + RECONNECT_MS
        ingest.ReportGap(ingest_pb2.ReportGapRequest(
            exchange_id=EXCHANGE_ID, currency_pair_no=PAIR_NO, channel=coverage_pb2.CHANNEL_TRADES,
            from_time_ms=claimed[0], until_time_ms=resumed, reason=coverage_pb2.GAP_REASON_DISCONNECTED,
            detail="websocket closed (1006), subscribed again"), metadata=metadata, timeout=deadline)
        quiet = ingest.IngestTrades(iter([ingest_pb2.IngestTradesRequest(coverage=[claim(resumed, resumed + QUIET_MS)])]),
                                    metadata=metadata, timeout=deadline)
        books = order_books()
        books_summary = ingest.IngestOrderBooks(iter([ingest_pb2.IngestOrderBooksRequest(snapshots=books[i:i + 10])
                                                      for i in range(0, len(books), 10)]),
                                                metadata=metadata, timeout=deadline)

        api_keys = api_keys_pb2_grpc.ApiKeyServiceStub(channel)
        keys = api_keys.GetApiKeys(api_keys_pb2.GetApiKeysRequest(user_id=args.user_id),
                                   metadata=metadata, timeout=deadline).api_keys

        # Read back what was stored: this worker's time range, oldest first, in pages of 100.
        query = query_pb2_grpc.QueryServiceStub(channel)
        read = read_trades(query, query_pb2.ReadTradesRequest(
            exchange_id=EXCHANGE_ID, currency_pair_no=PAIR_NO, start_time_ms=FIRST_TIME_MS,
            end_time_ms=FIRST_TIME_MS + args.trades, page_size=100), metadata)
        state = query.GetMarketState(query_pb2.GetMarketStateRequest(
            exchange_id=EXCHANGE_ID, currency_pair_no=PAIR_NO), metadata=metadata, timeout=deadline)
        # Whether the whole session is complete: it is not, and the hole carries the report.
        coverage = query.GetCoverage(query_pb2.GetCoverageRequest(
            exchange_id=EXCHANGE_ID, currency_pair_no=PAIR_NO, channel=coverage_pb2.CHANNEL_TRADES,
            start_time_ms=FIRST_TIME_MS, end_time_ms=resumed + QUIET_MS), metadata=metadata, timeout=deadline)
        # The same trades from a subscription: the stored ones first, then it has caught up.
        market = [query_pb2.MarketRef(exchange_id=EXCHANGE_ID, currency_pair_no=PAIR_NO)]
        subscribed, subscribe_calls = subscribe(
            lambda r: query.SubscribeTrades(r, metadata=metadata),
            query_pb2.SubscribeTradesRequest(markets=market, start_time_ms=FIRST_TIME_MS),
            lambda response: response.trades, args.trades - 1)
        # And the snapshots, BOOK_DEPTH levels a side of their BOOK_LEVELS.
        books_subscribed, books_subscribe_calls = subscribe(
            lambda r: query.SubscribeOrderBooks(r, metadata=metadata),
            query_pb2.SubscribeOrderBooksRequest(markets=market, start_time_ms=FIRST_TIME_MS, depth=BOOK_DEPTH),
            lambda response: response.snapshots, len(books))

    # Every field of every trade as sent (protobuf messages compare field by field, so decimals
    # compare as the strings they are, digit for digit), in the order sent, which is the read order.
    stored = [t for i, t in enumerate(sent) if i != REJECTED]
    read_back_ok = list(read) == stored
    subscribed_ok = list(subscribed) == stored
    # Every snapshot once, oldest first, every field as sent but the levels past BOOK_DEPTH.
    books_subscribed_ok = list(books_subscribed) == [cut(b, BOOK_DEPTH) for b in books]
    # The market's last trade and last snapshot are the last ones stored, whole.
    state_ok = state.last_trade == stored[-1] and state.last_order_book == books[-1]

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
        "read_back": len(read),
        "read_back_ok": read_back_ok,
        "subscribed": len(subscribed),
        "subscribed_ok": subscribed_ok,
        "subscribe_calls": subscribe_calls,
        "last_trade_id": state.last_trade.trade_id,
        "last_trade_price": state.last_trade.price,
        "state_ok": state_ok,
        "coverage_stored": summary.coverage_stored + quiet.coverage_stored,
        "coverage": {
            "complete": coverage.complete,
            "covered": [[r.from_time_ms - FIRST_TIME_MS, r.until_time_ms - FIRST_TIME_MS] for r in coverage.covered],
            "holes": [{"range": [h.from_time_ms - FIRST_TIME_MS, h.until_time_ms - FIRST_TIME_MS],
                       "reports": [coverage_pb2.GapReason.Name(g.reason) for g in h.reports]}
                      for h in coverage.holes],
        },
        "books": [books_summary.received, books_summary.inserted, books_summary.duplicates, books_summary.rejected],
        "books_subscribed": len(books_subscribed),
        "books_subscribed_ok": books_subscribed_ok,
        "books_subscribe_calls": books_subscribe_calls,
    }))
    if not read_back_ok:
        sys.exit("worker: the trades read back differ from the trades stored")
    if not subscribed_ok:
        sys.exit("worker: the trades subscribed to differ from the trades stored")
    if not books_subscribed_ok:
        sys.exit("worker: the order books subscribed to differ from the snapshots stored, cut to depth %d" % BOOK_DEPTH)
    if not state_ok:
        sys.exit("worker: GetMarketState does not give the last trade and the last snapshot stored")


if __name__ == "__main__":
    try:
        main()
    except grpc.RpcError as e:
        print("worker: %s: %s" % (e.code().name, e.details()), file=sys.stderr)
        sys.exit(3 if e.code() == grpc.StatusCode.UNAVAILABLE else 1)
