package io.tickvault.server.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.rpc.RetryInfo;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.tickvault.api.v1.GetCandlesRequest;
import io.tickvault.api.v1.GetCandlesResponse;
import io.tickvault.api.v1.ListCurrencyPairsRequest;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.server.testing.TestServer;
import io.tickvault.server.trade.TradeCalls;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A hundred GetCandles of 10,000 buckets each, over 200,000 trades, at once, beside cheap calls
 * and the health check on a connection of their own: the candles run a few at a time on their
 * share of the pool, or are refused RESOURCE_EXHAUSTED with RetryInfo, never UNAVAILABLE; the cheap
 * calls and health are answered at once, and a busy pool is never taken for PostgreSQL down.
 */
class HeavyReadsIT {
  private static final long T0 = 1_700_000_000_000L;
  private static final int TRADES = 200_000;
  private static final int HEAVY_CALLS = 100;

  @RegisterExtension
  static TestServer server = TestServer.netty();

  private final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeAll
  static void storeTrades() {
    TradeCalls.registerMarket(server.channel(), 1, 1);
    // Inserted by SQL rather than ingested: the test is about reading them, and this takes seconds.
    server.database().jdbc().execute("""
        INSERT INTO trades
        SELECT 1, 1, 't' || g, 100 + (g % 997) / 100.0, 0.5 + (g % 13) / 10.0, 1 + g % 2, ? + g * 5, ? + g * 5
          FROM generate_series(1, ?) g
        """, T0, T0, TRADES);
    server.database().jdbc().execute("ANALYZE trades");
  }

  @AfterEach
  void closeChannels() {
    channels.forEach(ManagedChannel::shutdownNow);
  }

  @Test
  void hundredCandleReadsAtOnce_neverStarveCheapCallsOrTheHealthCheck() throws InterruptedException {
    // 10,000 buckets of 100 ms, 20 trades each: about half a second of PostgreSQL's time per call.
    GetCandlesRequest candles = GetCandlesRequest.newBuilder().setExchangeId(1).setCurrencyPairNo(1)
        .setStartTimeMs(T0).setEndTimeMs(T0 + TRADES * 5L).setIntervalMs(100).build();
    // Two connections for the heavy calls (a connection carries at most 100 calls at once), one
    // for the cheap ones, as separate workers would have.
    List<QueryServiceGrpc.QueryServiceFutureStub> heavyStubs = List.of(
        QueryServiceGrpc.newFutureStub(channel()), QueryServiceGrpc.newFutureStub(channel()));
    ManagedChannel cheap = channel();
    MarketServiceGrpc.MarketServiceBlockingStub markets = MarketServiceGrpc.newBlockingStub(cheap);
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(cheap);
    markets.listCurrencyPairs(ListCurrencyPairsRequest.getDefaultInstance()); // connected and warm
    health.check(HealthCheckRequest.getDefaultInstance());

    long started = System.nanoTime();
    List<ListenableFuture<GetCandlesResponse>> heavy = new ArrayList<>();
    for (int i = 0; i < HEAVY_CALLS; i++) {
      heavy.add(heavyStubs.get(i % 2).withDeadlineAfter(50, TimeUnit.SECONDS).getCandles(candles));
    }
    Timings cheapCalls = new Timings();
    Timings healthChecks = new Timings();
    boolean monitorAlwaysReachable = true;
    HikariPoolMXBean pool = server.app().dataSource().getHikariPoolMXBean();
    int mostAwaitingConnection = 0;
    while (!heavy.stream().allMatch(ListenableFuture::isDone)) {
      mostAwaitingConnection = Math.max(mostAwaitingConnection, pool.getThreadsAwaitingConnection());
      cheapCalls.time(() -> markets.withDeadlineAfter(5, TimeUnit.SECONDS)
          .listCurrencyPairs(ListCurrencyPairsRequest.getDefaultInstance()));
      healthChecks.time(() -> {
        ServingStatus status = health.withDeadlineAfter(5, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus();
        return status == ServingStatus.SERVING ? "SERVING" : status.name();
      });
      monitorAlwaysReachable &= server.app().healthMonitor().reachable();
      Thread.sleep(20); // a steady trickle of cheap calls, not a second flood
    }
    long tookMillis = (System.nanoTime() - started) / 1_000_000;

    Map<String, Integer> heavyOutcomes = new TreeMap<>();
    for (ListenableFuture<GetCandlesResponse> call : heavy) {
      heavyOutcomes.merge(outcome(call), 1, Integer::sum);
    }
    System.out.printf("%d GetCandles of 10,000 buckets at once: %s in %d ms; beside them ListCurrencyPairs %s,"
        + " health %s; most threads awaiting a pool connection %d; monitor reachable throughout: %s%n", HEAVY_CALLS,
        heavyOutcomes, tookMillis, cheapCalls, healthChecks, mostAwaitingConnection, monitorAlwaysReachable);

    assertThat(heavyOutcomes.keySet()).as("each heavy call succeeds or is told to retry later")
        .isSubsetOf("OK", "RESOURCE_EXHAUSTED with RetryInfo");
    assertThat(heavyOutcomes).containsKey("OK");
    assertThat(cheapCalls.outcomes.keySet()).containsExactly("OK");
    assertThat(healthChecks.outcomes.keySet()).containsExactly("SERVING");
    // No call waited for a pool connection: the heavy reads never held more than their share. (The
    // slowest call of a loaded machine says little: a GC pause or a busy core makes one slow.)
    assertThat(mostAwaitingConnection).as("threads awaiting a pool connection").isZero();
    assertThat(cheapCalls.meanMillis()).as("mean ListCurrencyPairs (ms)").isLessThan(1_000);
    assertThat(healthChecks.meanMillis()).as("mean health check (ms)").isLessThan(1_000);
    assertThat(monitorAlwaysReachable).as("the health monitor found PostgreSQL reachable throughout").isTrue();
  }

  private static String outcome(ListenableFuture<GetCandlesResponse> call) throws InterruptedException {
    try {
      assertThat(call.get().getCandlesCount()).isEqualTo(10_000);
      return "OK";
    } catch (ExecutionException e) {
      Status status = Status.fromThrowable(e.getCause());
      com.google.rpc.Status details = StatusProto.fromThrowable(e.getCause());
      boolean retryInfo = details != null && details.getDetailsList().stream().anyMatch(d -> d.is(RetryInfo.class));
      return status.getCode() + (retryInfo ? " with RetryInfo" : ": " + status.getDescription());
    }
  }

  private ManagedChannel channel() {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    channels.add(channel);
    return channel;
  }

  /** Calls timed one by one, by outcome. */
  private static final class Timings {
    final Map<String, Integer> outcomes = new TreeMap<>();
    long slowestMillis;
    int slowestCall;
    long totalMillis;
    int calls;

    void time(java.util.function.Supplier<Object> call) {
      long start = System.nanoTime();
      String outcome;
      try {
        Object result = call.get();
        outcome = result instanceof String s ? s : "OK";
      } catch (StatusRuntimeException e) {
        outcome = e.getStatus().getCode().name();
      }
      long millis = (System.nanoTime() - start) / 1_000_000;
      outcomes.merge(outcome, 1, Integer::sum);
      if (millis > slowestMillis) {
        slowestCall = calls;
      }
      slowestMillis = Math.max(slowestMillis, millis);
      totalMillis += millis;
      calls++;
    }

    long meanMillis() {
      return calls == 0 ? 0 : totalMillis / calls;
    }

    @Override
    public String toString() {
      return calls + " calls " + outcomes + ", mean " + meanMillis() + " ms, slowest " + slowestMillis + " ms";
    }
  }
}
