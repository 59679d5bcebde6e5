package io.tickvault.client;

import static io.tickvault.server.trade.TradeCalls.registerMarket;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.ReadTradesRequest;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.testing.ServerProcess;
import io.tickvault.server.testing.TestDatabase;
import io.tickvault.server.trade.TradeCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The client's ResumingReader against the real server, killed in the middle of a read. */
class ResumingReaderIT {
  @RegisterExtension
  static TestDatabase database = new TestDatabase();

  @Test
  void serverKilledMidRead_andRestarted_theReaderResumesFromItsLastToken_everyTradeOnceInOrder() throws Exception {
    int total = 30_000;
    try (ServerProcess server = ServerProcess.start(database.url())) {
      registerMarket(server.channel(), 1, 1);
      List<String> written = new ArrayList<>();
      try (TradeStreamWriter writer = TradeStreamWriter.open(server.channel())) {
        for (long i = 0; i < total; i++) {
          // Each trade a millisecond of its own, so the order of reading is the order of writing.
          Trade trade = TradeCalls.trade(i).toBuilder().setTradeTimeMs(TradeCalls.TIME + i).build();
          writer.write(trade);
          written.add(trade.getTradeId());
        }
        assertThat(writer.finish().inserted()).isEqualTo(total);
      }

      ReadTradesRequest request = ReadTradesRequest.newBuilder().setExchangeId(1).setCurrencyPairNo(1).setPageSize(500).build();
      List<String> read = new ArrayList<>();
      CompletableFuture<Void> restarted = null;
      int reconnects;
      try (ResumingReader<Trade> trades = ResumingReader.trades(server.channel(), request,
          ResumingReader.Options.DEFAULT.withRetryFor(Duration.ofMinutes(1)))) {
        while (trades.hasNext()) {
          read.add(trades.next().getTradeId());
          if (read.size() == 7_250) {
            // SIGKILL mid-page, then a restart in the background: the reader meets a dead server
            // for a while and keeps trying until it is back.
            server.kill();
            restarted = CompletableFuture.runAsync(server::restart);
          }
        }
        reconnects = trades.reconnects();
      }

      assertThat(restarted).isNotNull();
      restarted.get(1, TimeUnit.MINUTES);
      assertThat(reconnects).isPositive();
      assertThat(read).hasSize(total).containsExactlyElementsOf(written);
    }
  }
}
