package io.tickvault.client;

import static io.tickvault.server.trade.TradeCalls.registerMarket;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.MarketRef;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.SubscribeOrderBooksRequest;
import io.tickvault.server.testing.QueryCalls;
import io.tickvault.server.testing.ServerProcess;
import io.tickvault.server.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The client's order book subscriber against the real server, killed in the middle of a subscription. */
class SubscribeOrderBooksClientIT {
  private static final long T0 = 1_764_000_000_000L;

  @RegisterExtension
  static TestDatabase database = new TestDatabase();

  @Test
  void serverKilledMidSubscription_andRestarted_theSubscriberResumes_everySnapshotOnce_atItsDepth() throws Exception {
    try (ServerProcess server = ServerProcess.start(database.url())) {
      registerMarket(server.channel(), 1, 1);
      write(server, 0, 2_000);

      SubscribeOrderBooksRequest request = SubscribeOrderBooksRequest.newBuilder()
          .addMarkets(MarketRef.newBuilder().setExchangeId(1).setCurrencyPairNo(1))
          .setStartTimeMs(T0).setDepth(5).build();
      List<OrderBookSnapshot> received = new ArrayList<>();
      CompletableFuture<Void> restartedAndWritten = null;
      int reconnects;
      try (ResumingReader<OrderBookSnapshot> books = ResumingReader.subscribeOrderBooks(server.channel(), request,
          ResumingReader.Options.DEFAULT.withRetryFor(Duration.ofMinutes(1)))) {
        while (received.size() < 3_000 && books.hasNext()) {
          received.add(books.next());
          if (received.size() == 700) {
            // SIGKILL mid-history; once it is back, 1,000 more snapshots are committed.
            server.kill();
            restartedAndWritten = CompletableFuture.runAsync(() -> {
              server.restart();
              write(server, 2_000, 1_000);
            });
          }
        }
        reconnects = books.reconnects();
      }

      assertThat(restartedAndWritten).isNotNull();
      restartedAndWritten.get(1, TimeUnit.MINUTES);
      assertThat(reconnects).isPositive();
      Set<Long> distinct = new HashSet<>();
      received.forEach(s -> distinct.add(s.getSequenceId()));
      assertThat(distinct).hasSize(3_000);
      for (long i = 0; i < 3_000; i++) {
        assertThat(distinct).contains(i);
      }
      assertThat(received).allMatch(s -> s.getBidsCount() == 5 && s.getAsksCount() == 5);
    }
  }

  private static void write(ServerProcess server, int first, int count) {
    for (int from = first; from < first + count; from += 500) {
      List<OrderBookSnapshot> batch = new ArrayList<>();
      for (int i = from; i < from + 500; i++) {
        batch.add(QueryCalls.snapshot(1, 1, T0 + i, i, 20));
      }
      assertThat(QueryCalls.ingestOrderBooks(server.channel(), batch).getInserted()).isEqualTo(500);
    }
  }
}
