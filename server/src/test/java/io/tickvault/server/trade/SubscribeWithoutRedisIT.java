package io.tickvault.server.trade;

import static io.tickvault.server.testing.QueryCalls.trade;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.testing.BookSubscriber;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.InProcessApp;
import io.tickvault.server.testing.OwnRedis;
import io.tickvault.server.testing.QueryCalls;
import io.tickvault.server.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Redis carries the commit announcements between replicas, for latency only: with it stopped, a
 * subscriber on replica B still gets every trade or order book snapshot written through A (by B's
 * poll of the log's counter), and once it is back, by announcement again.
 */
class SubscribeWithoutRedisIT {
  private static final long T0 = 1_764_000_000_000L;

  @RegisterExtension
  static TestDatabase database = new TestDatabase();

  static OwnRedis redis;
  static InProcessApp replicaA;
  static InProcessApp replicaB;

  @BeforeAll
  static void start() {
    redis = OwnRedis.start();
    replicaA = InProcessApp.start(InProcessApp.config(database.url()).redisUrl(redis.url()).build());
    replicaB = InProcessApp.start(InProcessApp.config(database.url()).redisUrl(redis.url()).build());
    TradeCalls.registerMarket(replicaA.channel(), 1, 1, 2);
  }

  @AfterAll
  static void stop() {
    replicaB.close();
    replicaA.close();
    redis.close();
  }

  @Test
  void redisStoppedDuringASubscription_everyTradeStillArrives_andAfterItsReturnToo() {
    TradeSubscriber subscriber = TradeSubscriber.start(replicaB.channel(),
        TradeSubscriber.request(0, "", new int[] {1, 1}), s -> false);
    Eventually.await("caught up", Duration.ofSeconds(30), subscriber::caughtUp);
    List<Trade> sent = new ArrayList<>();

    sent.addAll(write("before-", 500));
    awaitDelivered(subscriber, sent.size());

    redis.stop();
    sent.addAll(write("down-", 500));
    Duration took = awaitDelivered(subscriber, sent.size());
    assertThat(took).as("delivery with Redis down, by the poll").isLessThan(Duration.ofSeconds(5));

    redis.restart();
    sent.addAll(write("back-", 500));
    awaitDelivered(subscriber, sent.size());

    List<Trade> received = subscriber.trades();
    received.sort(QueryCalls.TRADE_ORDER);
    sent.sort(QueryCalls.TRADE_ORDER);
    assertThat(received).containsExactlyElementsOf(sent);
    subscriber.cancel();
  }

  @Test
  void redisStoppedDuringAnOrderBookSubscription_everySnapshotStillArrives_andAfterItsReturnToo() {
    var subscriber = BookSubscriber.start(replicaB.channel(), BookSubscriber.request(0, 0, "", new int[] {1, 2}),
        s -> false);
    Eventually.await("caught up", Duration.ofSeconds(30), subscriber::caughtUp);
    List<OrderBookSnapshot> sent = new ArrayList<>();

    sent.addAll(writeBooks(0, 200));
    Eventually.await("delivered", Duration.ofSeconds(30), () -> subscriber.count() >= 200);

    redis.stop();
    sent.addAll(writeBooks(200, 200));
    Duration took = Eventually.await("delivered", Duration.ofSeconds(30), () -> subscriber.count() >= 400);
    assertThat(took).as("delivery with Redis down, by the poll").isLessThan(Duration.ofSeconds(5));

    redis.restart();
    sent.addAll(writeBooks(400, 200));
    Eventually.await("delivered", Duration.ofSeconds(30), () -> subscriber.count() >= 600);

    assertThat(subscriber.records()).containsExactlyInAnyOrderElementsOf(sent);
    subscriber.cancel();
  }

  private static List<OrderBookSnapshot> writeBooks(int first, int n) {
    List<OrderBookSnapshot> snapshots = new ArrayList<>();
    for (int i = first; i < first + n; i++) {
      snapshots.add(QueryCalls.snapshot(1, 2, T0 + i, i, 10));
    }
    QueryCalls.ingestOrderBooks(replicaA.channel(), snapshots);
    return snapshots;
  }

  private static List<Trade> write(String prefix, int n) {
    List<Trade> trades = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      trades.add(trade(1, 1, prefix + i, T0 + i, "100." + i, "1"));
    }
    QueryCalls.ingestTrades(replicaA.channel(), trades);
    return trades;
  }

  private static Duration awaitDelivered(TradeSubscriber subscriber, int count) {
    return Eventually.await(count + " trades delivered", Duration.ofSeconds(30), () -> subscriber.count() >= count);
  }
}
