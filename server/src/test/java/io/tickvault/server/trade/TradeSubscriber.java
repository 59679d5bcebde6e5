package io.tickvault.server.trade;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.tickvault.api.v1.MarketRef;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.SubscribeTradesRequest;
import io.tickvault.api.v1.SubscribeTradesResponse;
import io.tickvault.api.v1.Trade;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * A SubscribeTrades call that keeps what it receives: the trades, the last resume token, whether
 * it has caught up, how it ended; and that cancels itself once {@code cancelWhen} holds for what
 * it has received (a client whose connection broke part-way: nothing after is delivered to it).
 */
final class TradeSubscriber implements ClientResponseObserver<SubscribeTradesRequest, SubscribeTradesResponse> {
  private final Predicate<TradeSubscriber> cancelWhen;
  private final List<Trade> trades = new ArrayList<>();
  private final List<Trade> beforeCaughtUp = new ArrayList<>();
  private final CompletableFuture<Status> end = new CompletableFuture<>();
  private ClientCallStreamObserver<SubscribeTradesRequest> call;
  private String lastToken = "";
  private boolean caughtUp;
  private int responses;

  private TradeSubscriber(Predicate<TradeSubscriber> cancelWhen) {
    this.cancelWhen = cancelWhen;
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

  @Override
  public void beforeStart(ClientCallStreamObserver<SubscribeTradesRequest> requestStream) {
    call = requestStream;
  }

  @Override
  public synchronized void onNext(SubscribeTradesResponse response) {
    if (end.isDone()) {
      return;
    }
    responses++;
    trades.addAll(response.getTradesList());
    if (!caughtUp && !response.getCaughtUp()) {
      beforeCaughtUp.addAll(response.getTradesList());
    }
    caughtUp |= response.getCaughtUp();
    lastToken = response.getResumeToken();
    if (cancelWhen.test(this)) {
      end.complete(Status.CANCELLED);
      call.cancel("the test cuts the subscription", null);
    }
  }

  @Override
  public void onError(Throwable t) {
    end.complete(Status.fromThrowable(t));
  }

  @Override
  public void onCompleted() {
    end.complete(Status.OK);
  }

  synchronized List<Trade> trades() {
    return new ArrayList<>(trades);
  }

  synchronized int count() {
    return trades.size();
  }

  synchronized List<Trade> beforeCaughtUp() {
    return new ArrayList<>(beforeCaughtUp);
  }

  synchronized String lastToken() {
    return lastToken;
  }

  synchronized boolean caughtUp() {
    return caughtUp;
  }

  synchronized int responses() {
    return responses;
  }

  CompletableFuture<Status> end() {
    return end;
  }

  void cancel() {
    end.complete(Status.CANCELLED);
    call.cancel("the test is done", null);
  }
}
