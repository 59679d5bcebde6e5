package io.tickvault.server.trade;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.SubscribeTradesRequest;
import io.tickvault.api.v1.SubscribeTradesResponse;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.metrics.Scrape;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.Ports;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A subscriber that takes its first response and then nothing while 300,000 trades are committed,
 * against the server in a child JVM at {@code -Xmx256m}: the server reads the log only for a call
 * ready to send, so it holds one response for it, ends it once the stall timeout (5 s here) has
 * passed, and stays healthy; resumed from its token, the subscriber gets every trade once.
 */
class SlowSubscriberIT {
  private static final int TRADES = 300_000;

  @RegisterExtension
  static TestDatabase db = new TestDatabase();

  @Test
  void subscriberThatStopsReading_while300000TradesGoIn_costsTheServerABoundedHeap_andGetsThemAllByResuming()
      throws Exception {
    int metricsPort = Ports.free();
    try (ServerProcess server = ServerProcess.start(db.url(), Map.of(
        "TICKVAULT_METRICS_PORT", String.valueOf(metricsPort),
        "TICKVAULT_READ_STALL_TIMEOUT_SECONDS", "5"), "256m")) {
      TradeCalls.registerMarket(server.channel(), 1, 1);
      SubscribeTradesRequest request = TradeSubscriber.request(0, "", new int[] {1, 1});
      CompletableFuture<String> firstToken = new CompletableFuture<>();
      CompletableFuture<Status> slowEnd = new CompletableFuture<>();
      CompletableFuture<ClientCallStreamObserver<SubscribeTradesRequest>> slowCall = new CompletableFuture<>();
      QueryServiceGrpc.newStub(server.channel()).subscribeTrades(request,
          new ClientResponseObserver<SubscribeTradesRequest, SubscribeTradesResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<SubscribeTradesRequest> call) {
              call.disableAutoRequestWithInitial(1); // the caught_up response, then nothing
              slowCall.complete(call);
            }

            @Override
            public void onNext(SubscribeTradesResponse response) {
              firstToken.complete(response.getResumeToken());
            }

            @Override
            public void onError(Throwable t) {
              slowEnd.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
              slowEnd.complete(Status.OK);
            }
          });
      String token = firstToken.get(60, TimeUnit.SECONDS);

      AtomicLong peakHeap = new AtomicLong();
      CompletableFuture<Void> stopSampling = new CompletableFuture<>();
      CompletableFuture<Void> sampling = CompletableFuture.runAsync(() -> {
        while (!stopSampling.isDone() || peakHeap.get() == 0) {
          try {
            Scrape.of(metricsPort).value("jvm_memory_used_bytes", "area", "heap")
                .ifPresent(bytes -> peakHeap.accumulateAndGet((long) bytes, Math::max));
            Thread.sleep(100);
          } catch (IOException e) {
            // skipped under load
          } catch (InterruptedException e) {
            return;
          }
        }
      });
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
      // The server ends it (its status waits behind what the client never takes, so the client
      // does not see it: it counts in the server's metrics), then it is given up and resumed.
      Duration stalledAfter = Eventually.await("the server ends the stalled subscription", Duration.ofSeconds(60),
          () -> stalledStreams(metricsPort) >= 1);
      stopSampling.complete(null);
      sampling.get(10, TimeUnit.SECONDS);
      slowCall.get().cancel("given up", null);

      TradeSubscriber resumed = TradeSubscriber.start(server.channel(), request.toBuilder().setResumeToken(token).build(),
          s -> false);
      Eventually.await("every trade after resuming", Duration.ofSeconds(120), () -> resumed.count() >= TRADES);
      Set<String> ids = new HashSet<>();
      resumed.trades().forEach(t -> ids.add(t.getTradeId()));
      resumed.cancel();
      boolean outOfMemory = Files.readString(server.log().toPath()).contains("OutOfMemoryError");
      ServingStatus health = HealthGrpc.newBlockingStub(server.channel()).withDeadlineAfter(5, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance()).getStatus();
      System.out.printf("a subscriber that stopped reading while %,d trades went in (-Xmx256m): ended by the server"
              + " %d ms after the writes; heap at most %.1f MiB; resumed from its token: %,d trades, %,d distinct;"
              + " OutOfMemoryError: %s; health %s%n",
          TRADES, stalledAfter.toMillis(), peakHeap.get() / 1048576.0, resumed.count(), ids.size(), outOfMemory, health);

      assertThat(slowEnd.isDone() && slowEnd.get().isOk()).as("the stalled subscription completed").isFalse();
      assertThat(resumed.count()).isEqualTo(TRADES);
      assertThat(ids).hasSize(TRADES);
      assertThat(outOfMemory).isFalse();
      assertThat(health).isEqualTo(ServingStatus.SERVING);
      assertThat(peakHeap.get()).as("heap bytes in use").isLessThan(256L * 1024 * 1024);
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
