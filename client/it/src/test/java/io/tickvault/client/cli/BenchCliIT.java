package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.server.testing.TestServer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code tickvault bench …} runs the benchmark classes against a real server and its database and
 * prints their ratios. Tiny sizes: this checks the wiring and that ratios come out, not speed.
 */
class BenchCliIT {
  @RegisterExtension
  static TestServer server = TestServer.netty();

  @Test
  void benchTrades_printsFreshAndReplayRatios() {
    Cli.Result result = new Cli().run("bench", "trades", "--target", "127.0.0.1:" + server.port(),
        "--database-url", server.database().url(), "--trades", "2000", "--rounds", "1");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    Matcher median = Pattern.compile("median ratio: fresh (\\d+\\.\\d\\d) of COPY, replay (\\d+\\.\\d\\d) of INSERT")
        .matcher(result.out());
    assertThat(median.find()).as(result.out()).isTrue();
    assertThat(Double.parseDouble(median.group(1))).isPositive();
    assertThat(Double.parseDouble(median.group(2))).isPositive();
  }

  @Test
  void benchTradesWithClaims_printsTheRatioAgainstTheSameTradesWithout() {
    Cli.Result result = new Cli().run("bench", "trades", "--target", "127.0.0.1:" + server.port(),
        "--database-url", server.database().url(), "--trades", "8000", "--rounds", "1", "--claims");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).contains("with 16 claims"); // 4 requests of 2,000 trades, 4 markets each
    Matcher median = Pattern.compile("median ratio: with claims (\\d+\\.\\d+) of without").matcher(result.out());
    assertThat(median.find()).as(result.out()).isTrue();
    assertThat(Double.parseDouble(median.group(1))).isPositive();
  }

  @Test
  void benchOrderBooks_printsTheRatioAgainstCopy() {
    Cli.Result result = new Cli().run("bench", "orderbooks", "--target", "127.0.0.1:" + server.port(),
        "--database-url", server.database().url(), "--snapshots", "200", "--depth", "5", "--rounds", "1");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    Matcher round = Pattern.compile("round 1: .* ratio (\\d+\\.\\d\\d)").matcher(result.out());
    assertThat(round.find()).as(result.out()).isTrue();
    assertThat(Double.parseDouble(round.group(1))).isPositive();
  }

  @Test
  void benchApiKeys_printsTheRatioAgainstHealthCheck() {
    Cli.Result result = new Cli().run("bench", "api-keys", "--target", "127.0.0.1:" + server.port(),
        "--concurrency", "4", "--seconds", "1", "--rounds", "1", "--warmup", "1");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    Matcher total = Pattern.compile("ratio GetApiKeys/Health (\\d+\\.\\d\\d)").matcher(result.out());
    assertThat(total.find()).as(result.out()).isTrue();
    assertThat(Double.parseDouble(total.group(1))).isPositive();
  }

  @Test
  void benchRead_printsTheRatiosAgainstCopyToAndHealthCheck() {
    Cli.Result result = new Cli().run("bench", "read", "--target", "127.0.0.1:" + server.port(),
        "--database-url", server.database().url(), "--trades", "3000", "--page-size", "500", "--rounds", "1",
        "--concurrency", "4", "--seconds", "1");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    // The psql reference is timed where psql is on the PATH (CI), and said to be missing elsewhere.
    Matcher median = Pattern.compile("median ratio: ReadTrades (\\d+\\.\\d\\d) of COPY TO \\(pgjdbc, rows discarded\\)"
        + "(?:, (\\d+\\.\\d\\d) of psql \\\\copy TO a file| \\(psql not found\\)), GetMarketState (\\d+\\.\\d\\d) of Health/Check")
        .matcher(result.out());
    assertThat(median.find()).as(result.out()).isTrue();
    assertThat(Double.parseDouble(median.group(1))).isPositive();
    if (median.group(2) != null) {
      assertThat(Double.parseDouble(median.group(2))).isPositive();
    }
    assertThat(Double.parseDouble(median.group(3))).isPositive();
    assertThat(result.out()).contains("stored 3,000 trades over StreamTrades");
  }

  @Test
  void benchWithoutTheDatabase_isAUsageError() {
    Cli.Result result = new Cli().run("bench", "trades", "--target", "127.0.0.1:" + server.port());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--database-url");
  }
}
