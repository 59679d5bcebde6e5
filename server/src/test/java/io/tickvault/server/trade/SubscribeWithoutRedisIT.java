package io.tickvault.server.trade;

import static io.tickvault.server.testing.QueryCalls.trade;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.Trade;
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
 * subscriber on replica B still gets every trade written through A (by B's poll of
 * market_commit_seq), and once it is back, by announcement again.
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
    TradeCalls.registerMarket(replicaA.channel(), 1, 1);
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
