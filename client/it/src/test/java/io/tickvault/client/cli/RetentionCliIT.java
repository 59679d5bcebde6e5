package io.tickvault.client.cli;

import static io.tickvault.server.trade.TradeCalls.registerMarket;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.CoverageClaim;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.config.RetentionSettings;
import io.tickvault.server.testing.QueryCalls;
import io.tickvault.server.testing.TestServer;
import io.tickvault.server.trade.TradeCalls;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code tickvault retention status} against a real server that keeps a day of trades and order
 * books, before and after a run removed 100 trades of three days ago; {@code tickvault read
 * trades} and {@code tickvault coverage} of the removed range.
 */
class RetentionCliIT {
  static final long DAY = Duration.ofDays(1).toMillis();

  @RegisterExtension
  static TestServer server = TestServer.netty().configure(b -> b.retention(
      new RetentionSettings(Optional.of(Duration.ofDays(1)), Optional.of(Duration.ofDays(1)), 1_000, Duration.ZERO)));

  @Test
  void status_showsEachTablesWindowHorizonAndCounts_andCoverageTheRemovedRange() throws Exception {
    String target = "127.0.0.1:" + server.port();
    registerMarket(server.channel(), 1, 1);
    long old = (System.currentTimeMillis() - 3 * DAY) / 60_000 * 60_000;
    List<Trade> trades = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      trades.add(QueryCalls.trade(1, 1, "t" + i, old + i, "1.5", "2"));
    }
    TradeCalls.ingestWithClaims(server.channel(), trades, List.of(CoverageClaim.newBuilder().setExchangeId(1)
        .setCurrencyPairNo(1).setFromTimeMs(old).setUntilTimeMs(old + DAY).build()));

    Cli.Result before = new Cli().run("retention", "status", "--target", target);
    assertThat(before.exitCode()).as(before.toString()).isZero();
    assertThat(before.out()).isEqualTo(String.format("%-20s %-8s %-24s %12s %-24s %s%n", "table", "keeps", "removed_before",
        "rows_removed", "last_run", "oldest_kept")
        + String.format("%-20s %-8s %-24s %12d %-24s %s%n", "trades", "1d", "-", 0, "-", "-")
        + String.format("%-20s %-8s %-24s %12d %-24s %s%n", "orderbook_snapshots", "1d", "-", 0, "-", "-")
        + String.format("%-20s %-8s %-24s %12d %-24s %s%n", "orderbook_levels", "1d", "-", 0, "-", "-"));

    server.app().retention().runOnce();

    Cli.Result after = new Cli().run("retention", "status", "--target", target, "-o", "json");
    assertThat(after.exitCode()).as(after.toString()).isZero();
    String[] lines = after.out().split("\n");
    assertThat(lines).hasSize(3);
    assertThat(lines[0]).startsWith("{\"table\":\"trades\",\"retention_days\":1,\"horizon_ms\":\"")
        .contains("\"rows_removed\":\"100\"", "\"last_run_ms\":\"").doesNotContain("oldest_kept_ms");
    assertThat(lines[1]).startsWith("{\"table\":\"orderbook_snapshots\",\"retention_days\":1,\"horizon_ms\":\"");

    trades.clear();
    long recent = System.currentTimeMillis() - 60_000;
    trades.add(QueryCalls.trade(1, 1, "kept", recent, "1.5", "2"));
    QueryCalls.ingestTrades(server.channel(), trades);
    Cli.Result read = new Cli().run("read", "trades", "--target", target, "--exchange-id", "1", "--pair-no", "1",
        "--from", String.valueOf(old), "-o", "csv");
    assertThat(read.exitCode()).as(read.toString()).isZero();
    assertThat(read.out().lines()).hasSize(2).last().asString().startsWith("1,1,kept,");
    assertThat(read.err()).contains("note: the records before ").contains(" were removed by retention; what is left was read");
    Cli.Result readKept = new Cli().run("read", "trades", "--target", target, "--exchange-id", "1", "--pair-no", "1",
        "--from", String.valueOf(recent), "-o", "csv");
    assertThat(readKept.err()).doesNotContain("removed by retention");

    Cli.Result coverage = new Cli().run("coverage", "--target", target, "--exchange-id", "1", "--pair-no", "1",
        "--from", String.valueOf(old), "--to", String.valueOf(old + 1_000));
    assertThat(coverage.exitCode()).as(coverage.toString()).isEqualTo(ExitCodes.INCOMPLETE);
    assertThat(coverage.out()).isEqualTo("incomplete: 1 hole(s)\nhole    [" + Instant.ofEpochMilli(old) + ", "
        + Instant.ofEpochMilli(old + 1_000) + ")  removed by retention\n");
  }
}
