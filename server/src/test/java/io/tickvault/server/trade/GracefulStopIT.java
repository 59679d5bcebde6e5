package io.tickvault.server.trade;

import static io.tickvault.server.trade.TradeCalls.countTrades;
import static io.tickvault.server.trade.TradeCalls.registerMarket;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.testing.ServerProcess;
import io.tickvault.server.testing.TestDatabase;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SIGTERM to a real server process in the middle of a StreamTrades call: the stream is not cut
 * (CANCELLED) but ended with UNAVAILABLE once what the server read is committed and acknowledged,
 * so that what was acknowledged is exactly what is stored, and the process exits 0 within the grace.
 */
class GracefulStopIT {
  private static final int REQUESTS = 400;
  private static final int TRADES_PER_REQUEST = 500;

  @RegisterExtension
  static TestDatabase database = new TestDatabase();

  @Test
  void sigterm_endsTheStreamWithUnavailable_afterAcknowledgingWhatItCommitted() throws Exception {
    try (ServerProcess server = ServerProcess.start(database.url(), Map.of("TICKVAULT_SHUTDOWN_GRACE_SECONDS", "2"))) {
      database.jdbc().execute("TRUNCATE trades");
      registerMarket(server.channel(), 1, 1);
      List<List<Trade>> requests = StreamSender.requests(0, REQUESTS, TRADES_PER_REQUEST);

      CompletableFuture<Integer> exit = new CompletableFuture<>();
      StreamSender sender = StreamSender.start(server.channel(), requests, ack -> {
        if (ack.getRequestIndex() == 20) {
          CompletableFuture.runAsync(() -> exit.complete(server.stop()));
        }
      });
      Status status = sender.awaitEnd();
      long started = System.nanoTime();
      int exitCode = exit.get();

      assertThat(status.getCode()).as("%s", status).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(status.getDescription()).startsWith("the server is shutting down");
      assertThat(exitCode).isZero();
      assertThat((System.nanoTime() - started) / 1e9).as("seconds from the stream's end to the exit").isLessThan(10);
      assertThat(sender.values()).hasSizeBetween(21, REQUESTS - 1);
      // Acknowledged, committed; and nothing committed that was not acknowledged.
      assertThat(countTrades(database.jdbc())).isEqualTo(sender.insertedSum())
          .isEqualTo((long) sender.values().size() * TRADES_PER_REQUEST);
      Set<String> stored = new HashSet<>(database.jdbc().query("SELECT trade_id FROM trades", rs -> rs.getString(1)));
      assertThat(stored).containsExactlyInAnyOrderElementsOf(sender.acknowledgedTradeIds());
      assertThat(Files.readString(server.log().toPath())).contains("stopped").doesNotContain("cancelling them");
    }
  }
}
