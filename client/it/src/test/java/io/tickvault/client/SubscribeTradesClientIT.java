package io.tickvault.client;

import static io.tickvault.server.trade.TradeCalls.registerMarket;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.MarketRef;
import io.tickvault.api.v1.SubscribeTradesRequest;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.testing.ServerProcess;
import io.tickvault.server.testing.TestDatabase;
import io.tickvault.server.trade.TradeCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The client's subscriber against the real server, killed in the middle of a subscription. */
class SubscribeTradesClientIT {
  @RegisterExtension
  static TestDatabase database = new TestDatabase();

  @Test
  void serverKilledMidSubscription_andRestarted_theSubscriberResumes_everyTradeOnce() throws Exception {
    try (ServerProcess server = ServerProcess.start(database.url())) {
      registerMarket(server.channel(), 1, 1);
      write(server, 0, 5_000);

      SubscribeTradesRequest request = SubscribeTradesRequest.newBuilder()
          .addMarkets(MarketRef.newBuilder().setExchangeId(1).setCurrencyPairNo(1))
          .setStartTimeMs(TradeCalls.TIME).build();
      List<String> received = new ArrayList<>();
      CompletableFuture<Void> restartedAndWritten = null;
      int reconnects;
      try (ResumingReader<Trade> trades = ResumingReader.subscribeTrades(server.channel(), request,
          ResumingReader.Options.DEFAULT.withRetryFor(Duration.ofMinutes(1)))) {
        while (received.size() < 8_000 && trades.hasNext()) {
          received.add(trades.next().getTradeId());
          if (received.size() == 2_500) {
            // SIGKILL mid-history; once it is back, 3,000 more trades are committed.
            server.kill();
            restartedAndWritten = CompletableFuture.runAsync(() -> {
              server.restart();
              write(server, 5_000, 3_000);
            });
          }
        }
        reconnects = trades.reconnects();
      }

      assertThat(restartedAndWritten).isNotNull();
      restartedAndWritten.get(1, TimeUnit.MINUTES);
      assertThat(reconnects).isPositive();
      Set<String> distinct = new HashSet<>(received);
      assertThat(distinct).hasSize(8_000);
      for (long i = 0; i < 8_000; i++) {
        assertThat(distinct).contains("t-" + i);
      }
    }
  }

  private static void write(ServerProcess server, long first, int count) {
    try (TradeStreamWriter writer = TradeStreamWriter.open(server.channel())) {
      for (long i = first; i < first + count; i++) {
        writer.write(TradeCalls.trade(i).toBuilder().setTradeTimeMs(TradeCalls.TIME + i).build());
      }
      assertThat(writer.finish().inserted()).isEqualTo(count);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
