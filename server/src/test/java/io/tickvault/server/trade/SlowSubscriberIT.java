package io.tickvault.server.trade;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.SubscribeOrderBooksRequest;
import io.tickvault.api.v1.SubscribeOrderBooksResponse;
import io.tickvault.api.v1.SubscribeTradesRequest;
import io.tickvault.api.v1.SubscribeTradesResponse;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.metrics.Scrape;
import io.tickvault.server.testing.BookSubscriber;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.Ports;
import io.tickvault.server.testing.QueryCalls;
import io.tickvault.server.testing.ServerProcess;
import io.tickvault.server.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A subscriber that takes its first response and then nothing while 300,000 trades (or 30,000
 * order book snapshots of 40 levels) are committed, against the server in a child JVM at
 * {@code -Xmx256m}: the server reads the log only for a call ready to send, so it holds one
 * response for it, ends it once the stall timeout (5 s here) has passed, and stays healthy;
 * resumed from its token, the subscriber gets every record once.
 */
class SlowSubscriberIT {
  private static final int TRADES = 300_000;
  private static final int SNAPSHOTS = 30_000;

  @RegisterExtension
  static TestDatabase db = new TestDatabase();

  @Test
  void subscriberThatStopsReading_while300000TradesGoIn_costsTheServerABoundedHeap_andGetsThemAllByResuming()
      throws Exception {
    int metricsPort = Ports.free();
    try (ServerProcess server = start(metricsPort)) {
      TradeCalls.registerMarket(server.channel(), 1, 1);
      SubscribeTradesRequest request = TradeSubscriber.request(0, "", new int[] {1, 1});
      Stalled<SubscribeTradesRequest> slow = Stalled.start(server.channel(), QueryServiceGrpc.getSubscribeTradesMethod(),
          request, SubscribeTradesResponse::getResumeToken);
      String token = slow.firstToken.get(60, TimeUnit.SECONDS);

      HeapSampler heap = new HeapSampler(metricsPort);
      List<List<Trade>> requests = new ArrayList<>();
      for (int r = 0; r < TRADES / 10_000; r++) {
        List<Trade> batch = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
          long n = r * 10_000L + i;
          batch.add(TradeCalls.trade(n).toBuilder().setTradeTimeMs(TradeCalls.TIME + n).build());
        }
        requests.add(batch);
      }
      TradeCalls.stream(server.channel(), requests);
      Duration stalledAfter = endStalled(metricsPort, heap, slow);

      TradeSubscriber resumed = TradeSubscriber.start(server.channel(), request.toBuilder().setResumeToken(token).build(),
          s -> false);
      Eventually.await("every trade after resuming", Duration.ofSeconds(120), () -> resumed.count() >= TRADES);
      Set<String> ids = new HashSet<>();
      resumed.trades().forEach(t -> ids.add(t.getTradeId()));
      resumed.cancel();
      assertHealthyAfter(server, slow, heap, String.format("%,d trades went in: ended by the server %d ms after the writes;"
          + " resumed from its token: %,d trades, %,d distinct", TRADES, stalledAfter.toMillis(), resumed.count(), ids.size()));
      assertThat(resumed.count()).isEqualTo(TRADES);
      assertThat(ids).hasSize(TRADES);
    }
  }

  @Test
  void orderBookSubscriberThatStopsReading_while30000SnapshotsGoIn_costsTheServerABoundedHeap_andGetsThemAll()
      throws Exception {
    int metricsPort = Ports.free();
    try (ServerProcess server = start(metricsPort)) {
      TradeCalls.registerMarket(server.channel(), 1, 2);
      SubscribeOrderBooksRequest request = BookSubscriber.request(0, 0, "", new int[] {1, 2});
      Stalled<SubscribeOrderBooksRequest> slow = Stalled.start(server.channel(),
          QueryServiceGrpc.getSubscribeOrderBooksMethod(), request, SubscribeOrderBooksResponse::getResumeToken);
      String token = slow.firstToken.get(60, TimeUnit.SECONDS);

      HeapSampler heap = new HeapSampler(metricsPort);
      for (int r = 0; r < SNAPSHOTS / 1_000; r++) {
        List<OrderBookSnapshot> batch = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
          int n = r * 1_000 + i;
          batch.add(QueryCalls.snapshot(1, 2, TradeCalls.TIME + n, n, 20)); // 40 levels: 1.2 million in all
        }
        QueryCalls.ingestOrderBooks(server.channel(), batch);
      }
      Duration stalledAfter = endStalled(metricsPort, heap, slow);

      var resumed = BookSubscriber.start(server.channel(), request.toBuilder().setResumeToken(token).build(), s -> false);
      Eventually.await("every snapshot after resuming", Duration.ofSeconds(120), () -> resumed.count() >= SNAPSHOTS);
      Set<Long> ids = new HashSet<>();
      resumed.records().forEach(s -> ids.add(s.getSequenceId()));
      resumed.cancel();
      assertHealthyAfter(server, slow, heap, String.format("%,d snapshots went in: ended by the server %d ms after the"
          + " writes; resumed from its token: %,d snapshots, %,d distinct", SNAPSHOTS, stalledAfter.toMillis(),
          resumed.count(), ids.size()));
      assertThat(resumed.count()).isEqualTo(SNAPSHOTS);
      assertThat(ids).hasSize(SNAPSHOTS);
    }
  }

  private static ServerProcess start(int metricsPort) throws Exception {
    return ServerProcess.start(db.url(), Map.of(
        "TICKVAULT_METRICS_PORT", String.valueOf(metricsPort),
        "TICKVAULT_READ_STALL_TIMEOUT_SECONDS", "5"), "256m");
  }

  /**
   * The server ends the stalled subscription (its status waits behind what the client never
   * takes, so the client does not see it: it counts in the server's metrics); then it is given up.
   */
  private static Duration endStalled(int metricsPort, HeapSampler heap, Stalled<?> slow) throws Exception {
    Duration stalledAfter = Eventually.await("the server ends the stalled subscription", Duration.ofSeconds(60),
        () -> stalledStreams(metricsPort) >= 1);
    heap.stop();
    slow.call.get().cancel("given up", null);
    return stalledAfter;
  }

  private static void assertHealthyAfter(ServerProcess server, Stalled<?> slow, HeapSampler heap, String what)
      throws Exception {
    boolean outOfMemory = Files.readString(server.log().toPath()).contains("OutOfMemoryError");
    ServingStatus health = HealthGrpc.newBlockingStub(server.channel()).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus();
    System.out.printf("a subscriber that stopped reading while %s; heap at most %.1f MiB (-Xmx256m);"
        + " OutOfMemoryError: %s; health %s%n", what, heap.peak.get() / 1048576.0, outOfMemory, health);
    assertThat(slow.end.isDone() && slow.end.get().isOk()).as("the stalled subscription completed").isFalse();
    assertThat(outOfMemory).isFalse();
    assertThat(health).isEqualTo(ServingStatus.SERVING);
    assertThat(heap.peak.get()).as("heap bytes in use").isLessThan(256L * 1024 * 1024);
  }

  /** A subscription that takes its first response (the caught_up one) and then nothing. */
  private record Stalled<Q>(CompletableFuture<String> firstToken, CompletableFuture<Status> end,
                            CompletableFuture<ClientCallStreamObserver<Q>> call) {
    static <Q, R> Stalled<Q> start(Channel channel, MethodDescriptor<Q, R> method, Q request, Function<R, String> token) {
      Stalled<Q> s = new Stalled<>(new CompletableFuture<>(), new CompletableFuture<>(), new CompletableFuture<>());
      ClientCalls.asyncServerStreamingCall(channel.newCall(method, CallOptions.DEFAULT), request,
          new ClientResponseObserver<Q, R>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<Q> c) {
              c.disableAutoRequestWithInitial(1);
              s.call.complete(c);
            }

            @Override
            public void onNext(R response) {
              s.firstToken.complete(token.apply(response));
            }

            @Override
            public void onError(Throwable t) {
              s.end.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
              s.end.complete(Status.OK);
            }
          });
      return s;
    }
  }

  /** The server's heap in use, sampled from its metrics every 100 ms until stopped. */
  private static final class HeapSampler {
    final AtomicLong peak = new AtomicLong();
    private final CompletableFuture<Void> stop = new CompletableFuture<>();
    private final CompletableFuture<Void> sampling;

    HeapSampler(int metricsPort) {
      sampling = CompletableFuture.runAsync(() -> {
        while (!stop.isDone() || peak.get() == 0) {
          try {
            Scrape.of(metricsPort).value("jvm_memory_used_bytes", "area", "heap")
                .ifPresent(bytes -> peak.accumulateAndGet((long) bytes, Math::max));
            Thread.sleep(100);
          } catch (IOException e) {
            // skipped under load
          } catch (InterruptedException e) {
            return;
          }
        }
      });
    }

    void stop() throws Exception {
      stop.complete(null);
      sampling.get(10, TimeUnit.SECONDS);
    }
  }

  private static double stalledStreams(int metricsPort) {
    try {
      return Scrape.of(metricsPort).valueOrZero("tickvault_read_stalled_total");
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }
}
