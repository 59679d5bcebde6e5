package io.tickvault.server.trade;

import static io.tickvault.server.testing.QueryCalls.trade;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.tickvault.api.v1.MarketRef;
import io.tickvault.api.v1.SubscribeTradesRequest;
import io.tickvault.server.subscribe.Subscribable;
import io.tickvault.server.subscribe.SubscriptionToken;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.QueryCalls;
import io.tickvault.server.testing.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** SubscribeTrades refusing what it cannot serve, each with the status and field that say why. */
class SubscribeTradesRequestsIT {
  private static final long T0 = 1_764_000_000_000L;

  @RegisterExtension
  static TestServer server = TestServer.inProcess();

  @BeforeAll
  static void registerMarkets() {
    TradeCalls.registerMarket(server.channel(), 1, 1, 2);
  }

  @Test
  void badRequests_areInvalidArgument_namingTheField() throws Exception {
    assertRefused(SubscribeTradesRequest.newBuilder().build(), Status.Code.INVALID_ARGUMENT, "markets");
    SubscribeTradesRequest.Builder many = SubscribeTradesRequest.newBuilder();
    for (int i = 1; i <= 101; i++) {
      many.addMarkets(MarketRef.newBuilder().setExchangeId(1).setCurrencyPairNo(i));
    }
    assertRefused(many.build(), Status.Code.INVALID_ARGUMENT, "markets: must name 1 to 100 markets, got 101");
    assertRefused(TradeSubscriber.request(0, "", new int[] {1, 1}, new int[] {1, 1}), Status.Code.INVALID_ARGUMENT,
        "markets[1]: names market 1/1 a second time");
    assertRefused(TradeSubscriber.request(0, "", new int[] {1, 1}, new int[] {1, 9}), Status.Code.INVALID_ARGUMENT,
        "markets[1].");
    assertRefused(TradeSubscriber.request(0, "", new int[] {0, 1}), Status.Code.INVALID_ARGUMENT,
        "markets[0].exchange_id");
    assertRefused(TradeSubscriber.request(-1, "", new int[] {1, 1}), Status.Code.INVALID_ARGUMENT, "start_time_ms");
    assertRefused(TradeSubscriber.request(0, "bm90IGEgdG9rZW4", new int[] {1, 1}), Status.Code.INVALID_ARGUMENT,
        "resume_token");
    // A well-formed token of a commit that never was.
    String beyond = new SubscriptionToken((byte) 1, 0, new int[] {1}, new int[] {2}, new long[] {1_000_000}, new int[1], 1,
        new Subscribable.Cursor(0, 0, "")).encode();
    assertRefused(TradeSubscriber.request(0, beyond, new int[] {1, 2}), Status.Code.INVALID_ARGUMENT, "resume_token");
  }

  @Test
  void aTokenWhoseCommitsWerePruned_isOutOfRange_andSaysToStartAgainFromATime() throws Exception {
    TradeSubscriber first = TradeSubscriber.start(server.channel(), TradeSubscriber.request(0, "", new int[] {1, 1}),
        s -> s.caughtUp());
    assertThat(first.end().get(30, TimeUnit.SECONDS)).isEqualTo(Status.CANCELLED);
    QueryCalls.ingestTrades(server.channel(), List.of(trade(1, 1, "a", T0, "1", "1")));
    QueryCalls.ingestTrades(server.channel(), List.of(trade(1, 1, "b", T0 + 1, "1", "1")));
    assertThat(TradeCommitLog.prune(server.database().jdbc(), Duration.ZERO)).isEqualTo(2);

    Status status = refusal(TradeSubscriber.request(0, first.lastToken(), new int[] {1, 1}));
    assertThat(status.getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
    assertThat(status.getDescription()).contains("market 1/1").contains("start_time_ms");
  }

  private static void assertRefused(SubscribeTradesRequest request, Status.Code code, String description) throws Exception {
    Status status = refusal(request);
    assertThat(status.getCode()).as(String.valueOf(status)).isEqualTo(code);
    assertThat(status.getDescription()).contains(description);
  }

  private static Status refusal(SubscribeTradesRequest request) throws Exception {
    TradeSubscriber s = TradeSubscriber.start(server.channel(), request, x -> false);
    Eventually.await("the call ends", Duration.ofSeconds(30), () -> s.end().isDone());
    return s.end().get();
  }
}
