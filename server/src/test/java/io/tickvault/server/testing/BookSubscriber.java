package io.tickvault.server.testing;

import io.grpc.Channel;
import io.tickvault.api.v1.MarketRef;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.SubscribeOrderBooksRequest;
import io.tickvault.api.v1.SubscribeOrderBooksResponse;
import java.util.function.Predicate;

/** SubscribeOrderBooks calls for tests, kept by a {@link Subscriber}. */
public final class BookSubscriber {
  private BookSubscriber() {}

  private static final Subscriber.Fields<SubscribeOrderBooksResponse, OrderBookSnapshot> FIELDS = new Subscriber.Fields<>(
      SubscribeOrderBooksResponse::getSnapshotsList, SubscribeOrderBooksResponse::getResumeToken,
      SubscribeOrderBooksResponse::getCaughtUp);

  public static SubscribeOrderBooksRequest request(long startTimeMs, int depth, String token, int[]... markets) {
    SubscribeOrderBooksRequest.Builder r = SubscribeOrderBooksRequest.newBuilder().setStartTimeMs(startTimeMs)
        .setDepth(depth).setResumeToken(token);
    for (int[] m : markets) {
      r.addMarkets(MarketRef.newBuilder().setExchangeId(m[0]).setCurrencyPairNo(m[1]));
    }
    return r.build();
  }

  public static Subscriber<SubscribeOrderBooksRequest, SubscribeOrderBooksResponse, OrderBookSnapshot> start(Channel channel,
      SubscribeOrderBooksRequest request,
      Predicate<Subscriber<SubscribeOrderBooksRequest, SubscribeOrderBooksResponse, OrderBookSnapshot>> cancelWhen) {
    var subscriber = new Subscriber<>(FIELDS, cancelWhen);
    QueryServiceGrpc.newStub(channel).subscribeOrderBooks(request, subscriber);
    return subscriber;
  }
}
