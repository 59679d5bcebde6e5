package io.tickvault.server.trade;

import io.tickvault.api.v1.SubscribeTradesRequest;
import io.tickvault.api.v1.SubscribeTradesResponse;
import io.tickvault.server.grpc.FieldViolations;
import io.tickvault.server.read.PagedStream;
import io.tickvault.server.subscribe.MarketSubscriptions;

/** Opens SubscribeTrades streams (docs/subscribing.md): the request's fields are every subscription's. */
public final class TradeSubscriptions {
  private final MarketSubscriptions subscriptions;

  public TradeSubscriptions(MarketSubscriptions subscriptions) {
    this.subscriptions = subscriptions;
  }

  /** The stream of a request; INVALID_ARGUMENT naming every bad field when the request is bad. */
  public PagedStream.Pager<SubscribeTradesResponse> open(SubscribeTradesRequest r) {
    return subscriptions.open(new FieldViolations(), SubscribedTrades.INSTANCE, r.getMarketsList(), r.getStartTimeMs(),
        r.getResumeToken(), (trades, token, caughtUp) -> SubscribeTradesResponse.newBuilder()
            .addAllTrades(trades).setResumeToken(token).setCaughtUp(caughtUp).build());
  }
}
