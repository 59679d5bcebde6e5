package io.tickvault.server.orderbook;

import static io.tickvault.server.testing.QueryCalls.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.ReadOrderBooksRequest;
import io.tickvault.api.v1.ReadOrderBooksResponse;
import io.tickvault.api.v1.SubscribeOrderBooksRequest;
import io.tickvault.api.v1.SubscribeOrderBooksResponse;
import io.tickvault.server.testing.BookSubscriber;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.QueryCalls;
import io.tickvault.server.testing.Subscriber;
import io.tickvault.server.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SubscribeOrderBooks across two replicas on one database: a subscriber on B while collectors write
 * through A (or both) gets the stored snapshots from its start time and then every snapshot
 * committed, each once, at its depth, nothing else; cut part-way, it resumes from its last token,
 * on either replica, with the same result, also when a transaction's snapshots are more than one
 * response holds.
 */
class SubscribeOrderBooksIT {
  private static final long T0 = 1_764_000_000_000L;
  private static final Duration DELIVERY = Duration.ofSeconds(60);
  private static final Comparator<OrderBookSnapshot> KEY_ORDER = Comparator
      .comparingLong(OrderBookSnapshot::getServerTimeMs).thenComparingLong(OrderBookSnapshot::getSequenceId);

  @RegisterExtension
  @Order(1)
  static TestServer replicaA = TestServer.inProcess();
  @RegisterExtension
  @Order(2)
  static TestServer replicaB = TestServer.inProcessReplicaOf(replicaA);

  @BeforeAll
  static void registerMarkets() {
    OrderBookCalls.registerMarket(replicaA.channel(), 1, 1, 2, 3, 4, 5);
  }

  @Test
  void subscriberOnB_getsTheStoredSnapshotsFromItsStartTime_thenEveryOneInsertedThroughA_once_atItsDepth() {
    List<OrderBookSnapshot> history = new ArrayList<>();
    for (int i = 0; i < 1_500; i++) {
      history.add(snapshot(1, 1, T0 + i * 10L, i, 5));
    }
    QueryCalls.ingestOrderBooks(replicaA.channel(), history);
    long start = T0 + 5_000; // the 500th onwards
    var subscriber = BookSubscriber.start(replicaB.channel(), BookSubscriber.request(start, 3, "", new int[] {1, 1}),
        s -> false);
    Eventually.await("the first page", DELIVERY, () -> subscriber.responses() > 0);

    // In-order snapshots, late ones (before the start time too), stored ones again, another market's.
    for (int r = 0; r < 20; r++) {
      List<OrderBookSnapshot> request = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        int n = r * 25 + i;
        request.add(snapshot(1, 1, T0 + 40_000 + n, 0, 4));
        request.add(snapshot(1, 1, T0 + n * 13L, 10_000 + n, 6)); // late
        request.add(snapshot(1, 1, T0 + n * 30L, n * 3, 5)); // stored already: a duplicate
        request.add(snapshot(1, 2, T0 + 40_000 + n, 0, 4));
      }
      QueryCalls.ingestOrderBooks(replicaA.channel(), request);
    }

    List<OrderBookSnapshot> expected = stored(replicaA.channel(), 1, 1, 3).stream()
        .filter(s -> !(s.getSequenceId() < 10_000 && s.getServerTimeMs() < start && s.getServerTimeMs() < T0 + 40_000))
        .toList();
    assertThat(expected).hasSize(1_000 + 1_000);
    assertThat(expected).allMatch(s -> s.getBidsCount() <= 3 && s.getAsksCount() <= 3);
    assertDeliveredExactly(List.of(subscriber), expected);
    assertThat(subscriber.caughtUp()).isTrue();
    subscriber.cancel();
  }

  @Test
  void subscriberCutTwice_resumesFromItsLastToken_onEitherReplica_evenInsideATransactionLargerThanAResponse()
      throws Exception {
    List<OrderBookSnapshot> history = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      history.add(snapshot(1, 3, T0 + i * 10L, i, 200)); // 401 levels each: 49 to a response
    }
    QueryCalls.ingestOrderBooks(replicaA.channel(), history);
    var first = BookSubscriber.start(replicaB.channel(), BookSubscriber.request(T0, 0, "", new int[] {1, 3}),
        s -> s.count() >= 120);
    Eventually.await("the first page", DELIVERY, () -> first.responses() > 0);
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      for (int r = 0; r < 8; r++) {
        List<OrderBookSnapshot> request = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          int n = r * 100 + i;
          request.add(snapshot(1, 3, T0 + 60_000 + n, 0, 200)); // 100 of them: two responses and a bit
          request.add(snapshot(1, 3, T0 - 5_000 + n * 7L, 0, 3)); // late: before the start time and inside the history
          request.add(snapshot(1, 3, T0 + n % 150 * 20L, n % 150 * 2, 200)); // stored already: never delivered
        }
        QueryCalls.ingestOrderBooks(replicaA.channel(), request);
      }
    });
    assertThat(first.end().get()).isEqualTo(Status.CANCELLED);
    var second = BookSubscriber.start(replicaA.channel(), BookSubscriber.request(T0, 0, first.lastToken(),
        new int[] {1, 3}), s -> s.count() >= 500);
    assertThat(second.end().get()).isEqualTo(Status.CANCELLED);
    var third = BookSubscriber.start(replicaB.channel(), BookSubscriber.request(T0, 0, second.lastToken(),
        new int[] {1, 3}), s -> false);
    writer.get();

    assertThat(first.caughtUp()).isFalse();
    assertDeliveredExactly(List.of(first, second, third), stored(replicaA.channel(), 1, 3, 0).stream()
        .filter(s -> s.getServerTimeMs() >= T0 || s.getBidsCount() == 3).toList());
    third.cancel();
  }

  @Test
  void eightWritersOverBothReplicas_theSubscriberSeesExactlyTheRowsOfTheTable() throws Exception {
    List<OrderBookSnapshot> history = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      history.add(numbered(1, 4, i));
    }
    QueryCalls.ingestOrderBooks(replicaA.channel(), history);
    var subscriber = BookSubscriber.start(replicaB.channel(), BookSubscriber.request(T0 - 30_000, 2, "",
        new int[] {1, 4}), s -> false); // before every snapshot's time
    List<CompletableFuture<Void>> writers = new ArrayList<>();
    for (int w = 0; w < 8; w++) {
      Channel channel = (w % 2 == 0 ? replicaA : replicaB).channel();
      SplittableRandom random = new SplittableRandom(w);
      writers.add(CompletableFuture.runAsync(() -> {
        for (int r = 0; r < 15; r++) {
          List<OrderBookSnapshot> request = new ArrayList<>();
          for (int i = 0; i < 60; i++) {
            request.add(numbered(1, 4, random.nextInt(5_000))); // writers overlap, and meet the history
          }
          QueryCalls.ingestOrderBooks(channel, request);
        }
      }));
    }
    CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get();
    assertDeliveredExactly(List.of(subscriber), stored(replicaA.channel(), 1, 4, 2));
    subscriber.cancel();
  }

  @Test
  void aBadDepth_orAToken_ofTheOtherKind_isInvalidArgument_namingTheField() throws Exception {
    assertRefused(BookSubscriber.request(0, -1, "", new int[] {1, 5}), "depth: must be 1 to 32768, or 0 for every level, got -1");
    assertRefused(BookSubscriber.request(0, 32_769, "", new int[] {1, 5}), "depth");
    var trades = io.tickvault.api.v1.SubscribeTradesRequest.newBuilder().setStartTimeMs(T0)
        .addMarkets(io.tickvault.api.v1.MarketRef.newBuilder().setExchangeId(1).setCurrencyPairNo(5)).build();
    String tradeToken;
    try (Context.CancellableContext call = Context.current().withCancellation()) {
      tradeToken = call.call(() -> QueryServiceGrpc.newBlockingStub(replicaA.channel())
          .withDeadlineAfter(30, TimeUnit.SECONDS).subscribeTrades(trades).next().getResumeToken());
    }
    assertRefused(BookSubscriber.request(T0, 0, tradeToken, new int[] {1, 5}),
        "resume_token: was issued by another kind of subscription than SubscribeOrderBooks");
  }

  private static void assertRefused(SubscribeOrderBooksRequest request, String message) {
    assertThatThrownBy(() -> QueryServiceGrpc.newBlockingStub(replicaA.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
        .subscribeOrderBooks(request).next())
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains(message);
        });
  }

  /** Compares what the subscribers received, once they have as many snapshots as expected. */
  private static void assertDeliveredExactly(
      List<Subscriber<SubscribeOrderBooksRequest, SubscribeOrderBooksResponse, OrderBookSnapshot>> subscribers,
      List<OrderBookSnapshot> expected) {
    Subscriber.awaitDelivered(subscribers, expected.size(), DELIVERY);
    List<OrderBookSnapshot> received = new ArrayList<>();
    subscribers.forEach(s -> received.addAll(s.records()));
    Set<String> keys = new HashSet<>();
    List<String> twice = received.stream().map(s -> s.getServerTimeMs() + "/" + s.getSequenceId())
        .filter(k -> !keys.add(k)).toList();
    assertThat(twice).as("snapshots delivered twice").isEmpty();
    received.sort(KEY_ORDER);
    List<OrderBookSnapshot> sorted = new ArrayList<>(expected);
    sorted.sort(KEY_ORDER);
    assertThat(received).containsExactlyElementsOf(sorted);
  }

  /** The market's stored snapshots at {@code depth} (0 = all), oldest first, as ReadOrderBooks gives them. */
  private static List<OrderBookSnapshot> stored(Channel channel, int exchangeId, int pairNo, int depth) {
    List<OrderBookSnapshot> snapshots = new ArrayList<>();
    for (ReadOrderBooksResponse page : QueryCalls.readOrderBookPages(channel, ReadOrderBooksRequest.newBuilder()
        .setExchangeId(exchangeId).setCurrencyPairNo(pairNo).setDepth(depth).build())) {
      snapshots.addAll(page.getSnapshotsList());
    }
    return snapshots;
  }

  /** Snapshot {@code n}, the same whoever sends it, at a time that does not follow its number. */
  private static OrderBookSnapshot numbered(int exchangeId, int pairNo, int n) {
    return snapshot(exchangeId, pairNo, T0 - 20_000 + (n * 7919L) % 200_000, n, 3);
  }
}
