package io.tickvault.server.trade;

import io.grpc.Channel;
import io.tickvault.api.v1.MarketRef;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.SubscribeTradesRequest;
import io.tickvault.api.v1.SubscribeTradesResponse;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.testing.Subscriber;
import java.util.List;
import java.util.function.Predicate;

/** A SubscribeTrades call that keeps what it receives ({@link Subscriber}). */
final class TradeSubscriber extends Subscriber<SubscribeTradesRequest, SubscribeTradesResponse, Trade> {
  private static final Fields<SubscribeTradesResponse, Trade> FIELDS = new Fields<>(SubscribeTradesResponse::getTradesList,
      SubscribeTradesResponse::getResumeToken, SubscribeTradesResponse::getCaughtUp);

  private TradeSubscriber(Predicate<TradeSubscriber> cancelWhen) {
    super(FIELDS, s -> cancelWhen.test((TradeSubscriber) s));
  }

  static SubscribeTradesRequest request(long startTimeMs, String token, int[]... markets) {
    SubscribeTradesRequest.Builder r = SubscribeTradesRequest.newBuilder().setStartTimeMs(startTimeMs).setResumeToken(token);
    for (int[] m : markets) {
      r.addMarkets(MarketRef.newBuilder().setExchangeId(m[0]).setCurrencyPairNo(m[1]));
    }
    return r.build();
  }

  static TradeSubscriber start(Channel channel, SubscribeTradesRequest request, Predicate<TradeSubscriber> cancelWhen) {
    TradeSubscriber subscriber = new TradeSubscriber(cancelWhen);
    QueryServiceGrpc.newStub(channel).subscribeTrades(request, subscriber);
    return subscriber;
  }

  List<Trade> trades() {
    return records();
  }
}
