package io.tickvault.server.orderbook;

import io.tickvault.api.v1.SubscribeOrderBooksRequest;
import io.tickvault.api.v1.SubscribeOrderBooksResponse;
import io.tickvault.server.grpc.FieldViolations;
import io.tickvault.server.read.PagedStream;
import io.tickvault.server.read.ReadArguments;
import io.tickvault.server.subscribe.MarketSubscriptions;

/**
 * Opens SubscribeOrderBooks streams (docs/subscribing.md): every subscription's fields, and the
 * depth, levels a side, as GetOrderBook and ReadOrderBooks take it.
 */
public final class OrderBookSubscriptions {
  private final MarketSubscriptions subscriptions;

  public OrderBookSubscriptions(MarketSubscriptions subscriptions) {
    this.subscriptions = subscriptions;
  }

  /** The stream of a request; INVALID_ARGUMENT naming every bad field when the request is bad. */
  public PagedStream.Pager<SubscribeOrderBooksResponse> open(SubscribeOrderBooksRequest r) {
    FieldViolations violations = new FieldViolations();
    int depth = ReadArguments.depth(violations, r.getDepth());
    return subscriptions.open(violations, new SubscribedOrderBooks(depth), r.getMarketsList(), r.getStartTimeMs(),
        r.getResumeToken(), (snapshots, token, caughtUp) -> SubscribeOrderBooksResponse.newBuilder()
            .addAllSnapshots(snapshots).setResumeToken(token).setCaughtUp(caughtUp).build());
  }
}
