package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.server.testing.TestServer;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C during {@code tickvault ingest}, in a real process: it says how many trades were
 * committed and how to resume, exits 130, and a rerun with {@code --skip} finishes the file.
 */
class IngestInterruptIT {
  private static final int TRADES = 400_000;

  @RegisterExtension
  static TestServer server = TestServer.netty();

  @TempDir
  Path dir;

  @Test
  void ctrlC_printsWhatWasCommitted_exits130_andSkipResumes() throws Exception {
    Cli cli = Cli.atPort(server.port()).registerBinanceBtcUsdt();
    Path file = dir.resolve("big.csv");
    try (BufferedWriter out = Files.newBufferedWriter(file)) {
      out.write("exchange_id,currency_pair_no,trade_id,price,quantity,trade_time_ms\n");
      for (int i = 0; i < TRADES; i++) {
        out.write("1,1,i-" + i + ",100.5,1,1764115200000\n");
      }
    }

    CliProcess ingest = CliProcess.start(dir, Map.of("TICKVAULT_TARGET", "127.0.0.1:" + server.port()),
        // Two calls: what is said to be committed must be a run from the start of the file that
        // both have acknowledged (one call is the simple case of the same code).
        "ingest", "trades", file.toString(), "--batch-size", "500", "--streams", "2");
    long deadline = System.nanoTime() + 60_000_000_000L;
    // Well into the file, so that some acknowledgements have come back too.
    while (count() < 50_000 && System.nanoTime() < deadline) {
      Thread.sleep(20); // polling the database for commits, not waiting for time to pass
    }
    ingest.interrupt();
    Cli.Result interrupted = ingest.await();

    assertThat(interrupted.exitCode()).as(interrupted.toString()).isEqualTo(130);
    Matcher said = Pattern.compile("interrupted: ([\\d,]+) of ([\\d,]+) trades committed; rerun with --skip (\\d+) to resume "
        + "\\(or rerun as is: committed trades count as duplicates\\)\n").matcher(interrupted.err());
    assertThat(said.find()).as(interrupted.err()).isTrue();
    long committed = Long.parseLong(said.group(3));
    assertThat(committed).isPositive().isLessThan(TRADES);
    assertThat(count()).as("every trade said to be committed is stored").isGreaterThanOrEqualTo(committed);

    Cli.Result resumed = cli.run("ingest", "trades", file.toString(), "--skip", String.valueOf(committed));

    assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
    assertThat(resumed.out()).startsWith("big.csv: read " + TRADES + ", inserted ");
    assertThat(count()).isEqualTo(TRADES);
  }

  private static long count() {
    return server.database().jdbc().queryOne("SELECT count(*) FROM trades", rs -> rs.getLong(1)).orElseThrow();
  }
}
