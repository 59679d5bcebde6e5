package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.ServerProcess;
import io.tickvault.server.testing.TestDatabase;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C during {@code tickvault ingest}, in a real process against a server process: the first
 * stops sending and waits for the acknowledgements in flight, so the count it prints is the
 * table's; a rerun with {@code --skip} finishes the file; a second Ctrl-C quits at once, saying the
 * count may be low.
 */
class IngestInterruptIT {
  private static final int TRADES = 400_000;

  @RegisterExtension
  static TestDatabase database = new TestDatabase();

  @TempDir
  Path dir;

  private Path file;

  @BeforeEach
  void setUp() throws IOException {
    file = dir.resolve("big.csv");
    try (BufferedWriter out = Files.newBufferedWriter(file)) {
      out.write("exchange_id,currency_pair_no,trade_id,price,quantity,trade_time_ms\n");
      for (int i = 0; i < TRADES; i++) {
        out.write("1,1,i-" + i + ",100.5,1,1764115200000\n");
      }
    }
  }

  @Test
  void ctrlC_printsExactlyWhatTheTableHolds_exits130_andSkipResumes() throws Exception {
    try (ServerProcess server = ServerProcess.start(database.url(), Map.of())) {
      database.jdbc().execute("TRUNCATE trades");
      Cli cli = Cli.atPort(server.port()).registerBinanceBtcUsdt();
      CliProcess ingest = CliProcess.start(dir, Map.of("TICKVAULT_TARGET", "127.0.0.1:" + server.port()),
          // Two calls: the count is the sum of both calls' acknowledgements, and --skip a run from the
          // start of the file that both have acknowledged (one call is the simple case of the same code).
          "ingest", "trades", file.toString(), "--batch-size", "500", "--streams", "2");
      // Well into the file, so that some acknowledgements have come back too.
      Eventually.await("50,000 trades stored", Duration.ofSeconds(60), () -> count() >= 50_000);
      ingest.interrupt();
      Cli.Result interrupted = ingest.await();

      assertThat(interrupted.exitCode()).as(interrupted.toString()).isEqualTo(130);
      assertThat(interrupted.err()).contains("interrupted: stopping; waiting up to 5 s for the acknowledgements of what was sent");
      Matcher said = Pattern.compile("interrupted: ([\\d,]+) of ([\\d,]+) trades committed; rerun with --skip (\\d+) to resume "
          + "\\(or rerun as is: committed trades count as duplicates\\)\n").matcher(interrupted.err());
      assertThat(said.find()).as(interrupted.err()).isTrue();
      long committed = Long.parseLong(said.group(1).replace(",", ""));
      long resumeAt = Long.parseLong(said.group(3));
      assertThat(committed).as("the count printed is the table's").isEqualTo(count()).isLessThan(TRADES);
      assertThat(resumeAt).isPositive().isLessThanOrEqualTo(committed);

      Cli.Result resumed = cli.run("ingest", "trades", file.toString(), "--skip", String.valueOf(resumeAt));

      assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
      assertThat(resumed.out()).startsWith("big.csv: read " + TRADES + ", inserted ");
      assertThat(count()).isEqualTo(TRADES);
    }
  }

  @Test
  void aSecondCtrlC_whileWaitingForAcknowledgements_quitsAtOnce_sayingTheCountMayBeLow() throws Exception {
    try (ServerProcess server = ServerProcess.start(database.url(), Map.of())) {
      database.jdbc().execute("TRUNCATE trades");
      Cli.atPort(server.port()).registerBinanceBtcUsdt();
      CliProcess ingest = CliProcess.start(dir, Map.of("TICKVAULT_TARGET", "127.0.0.1:" + server.port()),
          "ingest", "trades", file.toString(), "--batch-size", "500", "--stop-wait", "120");
      Eventually.await("20,000 trades stored", Duration.ofSeconds(60), () -> count() >= 20_000);
      // No acknowledgement can come now: the first Ctrl-C waits its full --stop-wait, long enough
      // for the second to arrive within it however slow the machine (5 s once was not).
      server.kill();
      ingest.interrupt();
      Eventually.await("the first Ctrl-C's wait", Duration.ofSeconds(30),
          () -> ingest.errSoFar().contains("interrupted: stopping; waiting up to 120 s"));
      ingest.interrupt();
      Cli.Result quit = ingest.await();

      assertThat(quit.exitCode()).as(quit.toString()).isEqualTo(130);
      Matcher said = Pattern.compile("interrupted again: quitting without waiting; at least ([\\d,]+) of ([\\d,]+) trades "
          + "committed \\(the count may be low\\); rerun with --skip (\\d+) to resume").matcher(quit.err());
      assertThat(said.find()).as(quit.err()).isTrue();
      assertThat(Long.parseLong(said.group(1).replace(",", ""))).isPositive().isLessThanOrEqualTo(count());
      assertThat(quit.err()).doesNotContain("interrupted: at least").doesNotContain("trades committed; rerun");
    }
  }

  private static long count() {
    return database.jdbc().queryOne("SELECT count(*) FROM trades", rs -> rs.getLong(1)).orElseThrow();
  }
}
