package io.tickvault.server.trade;

import static io.tickvault.server.testing.QueryCalls.TRADE_ORDER;
import static io.tickvault.server.testing.QueryCalls.trade;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Channel;
import io.grpc.Status;
import io.tickvault.api.v1.ReadTradesRequest;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.QueryCalls;
import io.tickvault.server.testing.Subscriber;
import io.tickvault.server.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SubscribeTrades across two replicas on one database: a subscriber on B while collectors write
 * through A (or both) gets the stored trades from its start time and then every trade committed,
 * each once, nothing else; cut part-way, it resumes from its last token, on either replica, with
 * the same result.
 */
class SubscribeTradesIT {
  private static final long T0 = 1_764_000_000_000L;
  private static final Duration DELIVERY = Duration.ofSeconds(60);

  @RegisterExtension
  @Order(1)
  static TestServer replicaA = TestServer.inProcess();
  @RegisterExtension
  @Order(2)
  static TestServer replicaB = TestServer.inProcessReplicaOf(replicaA);

  @BeforeAll
  static void registerMarkets() {
    TradeCalls.registerMarket(replicaA.channel(), 1, 1, 2, 3, 4);
  }

  @Test
  void subscriberOnB_getsTheStoredTradesFromItsStartTime_thenEveryTradeInsertedThroughA_once() {
    List<Trade> history = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      history.add(priced(1, 1, "h-" + i, T0 + i * 10L));
    }
    QueryCalls.ingestTrades(replicaA.channel(), history);
    long start = T0 + 5_000; // h-500 onwards
    TradeSubscriber subscriber = TradeSubscriber.start(replicaB.channel(),
        TradeSubscriber.request(start, "", new int[] {1, 1}), s -> false);
    Eventually.await("the first page", DELIVERY, () -> subscriber.responses() > 0);

    // In-order trades, late ones (before the start time too), stored ones again, another market's.
    List<List<Trade>> requests = new ArrayList<>();
    for (int r = 0; r < 20; r++) {
      List<Trade> request = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        int n = r * 50 + i;
        request.add(priced(1, 1, "n-" + n, T0 + 40_000 + n));
        request.add(priced(1, 1, "late-" + n, T0 + n * 13L));
        request.add(priced(1, 1, "h-" + (n * 3), T0 + n * 30L));
        request.add(priced(1, 2, "o-" + n, T0 + 40_000 + n));
      }
      requests.add(request);
    }
    TradeCalls.stream(replicaA.channel(), requests);

    List<Trade> expected = stored(replicaA.channel(), 1, 1).stream()
        .filter(t -> !(t.getTradeId().startsWith("h-") && t.getTradeTimeMs() < start)).toList();
    assertThat(expected).hasSize(2_500 + 2_000);
    assertDeliveredExactly(List.of(subscriber), expected);
    assertThat(subscriber.caughtUp()).isTrue();
    subscriber.cancel();
  }

  @Test
  void subscriberCutTwice_resumesFromItsLastToken_onEitherReplica_andTheUnionIsExact() throws Exception {
    List<Trade> history = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      history.add(priced(1, 3, "h-" + i, T0 + i * 10L));
    }
    QueryCalls.ingestTrades(replicaA.channel(), history);
    CompletableFuture<Void> writer = new CompletableFuture<>();
    TradeSubscriber first = TradeSubscriber.start(replicaB.channel(),
        TradeSubscriber.request(T0, "", new int[] {1, 3}), s -> s.count() >= 1_500);
    // Once its first page came, its snapshot is taken: every trade written from here on is new to it.
    Eventually.await("the first page", DELIVERY, () -> first.responses() > 0);
    CompletableFuture.runAsync(() -> {
      for (int r = 0; r < 40; r++) {
        List<Trade> request = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          int n = r * 50 + i;
          request.add(priced(1, 3, "n-" + n, T0 + 60_000 + n));
          request.add(priced(1, 3, "late-" + n, T0 - 5_000 + n * 29L)); // before the start time and inside the history
          request.add(priced(1, 3, "h-" + (n * 2), T0 + n * 20L)); // stored already: never delivered
        }
        TradeCalls.stream(replicaA.channel(), List.of(request));
      }
    }).whenComplete((v, e) -> {
      if (e == null) {
        writer.complete(null);
      } else {
        writer.completeExceptionally(e);
      }
    });
    assertThat(first.end().get()).isEqualTo(Status.CANCELLED);
    TradeSubscriber second = TradeSubscriber.start(replicaA.channel(),
        TradeSubscriber.request(T0, first.lastToken(), new int[] {1, 3}), s -> s.count() >= 4_000);
    assertThat(second.end().get()).isEqualTo(Status.CANCELLED);
    TradeSubscriber third = TradeSubscriber.start(replicaB.channel(),
        TradeSubscriber.request(T0, second.lastToken(), new int[] {1, 3}), s -> false);
    writer.get();

    assertThat(first.caughtUp()).isFalse();
    assertDeliveredExactly(List.of(first, second, third), stored(replicaA.channel(), 1, 3));
    third.cancel();
  }

  @Test
  void eightWritersOverBothReplicas_theSubscriberSeesExactlyTheRowsOfTheTable() throws Exception {
    List<Trade> history = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      history.add(idTrade(1, 4, i));
    }
    QueryCalls.ingestTrades(replicaA.channel(), history);
    TradeSubscriber subscriber = TradeSubscriber.start(replicaB.channel(),
        TradeSubscriber.request(T0 - 30_000, "", new int[] {1, 4}), s -> false); // before every trade's time
    List<CompletableFuture<Void>> writers = new ArrayList<>();
    for (int w = 0; w < 8; w++) {
      Channel channel = (w % 2 == 0 ? replicaA : replicaB).channel();
      SplittableRandom random = new SplittableRandom(w);
      writers.add(CompletableFuture.runAsync(() -> {
        List<List<Trade>> requests = new ArrayList<>();
        for (int r = 0; r < 30; r++) {
          List<Trade> request = new ArrayList<>();
          for (int i = 0; i < 200; i++) {
            request.add(idTrade(1, 4, random.nextInt(20_000))); // writers overlap, and meet the history
          }
          requests.add(request);
        }
        TradeCalls.stream(channel, requests);
      }));
    }
    CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get();
    assertDeliveredExactly(List.of(subscriber), stored(replicaA.channel(), 1, 4));
    subscriber.cancel();
  }

  /** Compares what the subscribers received, once they have as many trades as expected. */
  private static void assertDeliveredExactly(List<TradeSubscriber> subscribers, List<Trade> expected) {
    Subscriber.awaitDelivered(subscribers, expected.size(), DELIVERY);
    List<Trade> received = new ArrayList<>();
    subscribers.forEach(s -> received.addAll(s.trades()));
    Set<String> keys = new HashSet<>();
    List<String> twice = received.stream().map(Trade::getTradeId).filter(id -> !keys.add(id)).toList();
    assertThat(twice).as("trades delivered twice").isEmpty();
    received.sort(TRADE_ORDER);
    assertThat(received).containsExactlyElementsOf(expected);
  }

  /** The market's stored trades, oldest first, as ReadTrades gives them. */
  private static List<Trade> stored(Channel channel, int exchangeId, int pairNo) {
    return QueryCalls.tradesOf(QueryCalls.readTradePages(channel, ReadTradesRequest.newBuilder()
        .setExchangeId(exchangeId).setCurrencyPairNo(pairNo).build()));
  }

  private static Trade priced(int exchangeId, int pairNo, String id, long time) {
    return trade(exchangeId, pairNo, id, time, "100." + Math.floorMod(id.hashCode(), 1000), "0.5");
  }

  /** Trade {@code n}, the same whoever sends it, at a time that does not follow its number. */
  private static Trade idTrade(int exchangeId, int pairNo, int n) {
    return trade(exchangeId, pairNo, "x-" + n, T0 - 20_000 + (n * 7919L) % 200_000, "7." + n, "1.25");
  }
}
