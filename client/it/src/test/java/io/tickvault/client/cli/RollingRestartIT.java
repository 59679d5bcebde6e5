package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.server.testing.ServerProcess;
import io.tickvault.server.testing.TestDatabase;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tickvault ingest} through a rolling restart: the server process is stopped with SIGTERM
 * in the middle of the file and started again on the same port and database; the command shows
 * its reconnects, and finishes with exact counts (every trade inserted once, none a duplicate).
 */
class RollingRestartIT {
  private static final int TRADES = 300_000;

  @RegisterExtension
  static TestDatabase database = new TestDatabase();

  @TempDir
  Path dir;

  @Test
  void ingestTrades_survivesSigtermAndRestart_withExactCounts() throws Exception {
    try (ServerProcess server = ServerProcess.start(database.url(), Map.of("TICKVAULT_SHUTDOWN_GRACE_SECONDS", "2"))) {
      database.jdbc().execute("TRUNCATE trades");
      Cli cli = Cli.atPort(server.port()).registerBinanceBtcUsdt();
      Path file = dir.resolve("trades.csv");
      try (BufferedWriter out = Files.newBufferedWriter(file)) {
        out.write("exchange_id,currency_pair_no,trade_id,price,quantity,trade_time_ms\n");
        for (int i = 0; i < TRADES; i++) {
          out.write("1,1,r-" + i + ",100.5,1,1764115200000\n");
        }
      }

      CompletableFuture<Cli.Result> ingest = CompletableFuture.supplyAsync(
          () -> cli.run("ingest", "trades", file.toString(), "--batch-size", "500"));
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
      while (count() < 30_000 && System.nanoTime() < deadline) {
        Thread.sleep(20); // polling the database for progress, not waiting for time to pass
      }
      assertThat(server.stop()).as("exit code after SIGTERM").isZero();
      long storedWhileDown = count();
      server.restart();
      Cli.Result result = ingest.get(3, TimeUnit.MINUTES);

      assertThat(storedWhileDown).isBetween(30_000L, TRADES - 1L);
      assertThat(result.exitCode()).as(result.toString()).isZero();
      assertThat(result.out()).matches("trades\\.csv: read " + TRADES + ", inserted " + TRADES
          + ", duplicates 0, rejected 0, reconnects \\d+\n");
      assertThat(result.err()).contains("reconnecting (attempt 1) after UNAVAILABLE: the server is shutting down");
      assertThat(count()).isEqualTo(TRADES);
    }
  }

  private static long count() {
    return database.jdbc().queryOne("SELECT count(*) FROM trades", rs -> rs.getLong(1)).orElseThrow();
  }
}
