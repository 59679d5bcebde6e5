package io.tickvault.client.cli;

import static io.tickvault.server.trade.TradeCalls.registerMarket;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.Channel;
import io.tickvault.api.v1.GapReason;
import io.tickvault.api.v1.GetCoverageResponse;
import io.tickvault.api.v1.TimeRange;
import io.tickvault.client.TickvaultClient;
import io.tickvault.client.TradeStreamWriter;
import io.tickvault.server.testing.TestServer;
import io.tickvault.server.trade.TradeCalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tickvault coverage} and {@code tickvault feeds}, {@code ingest … --covers} and {@code read
 * … --require-complete}, in-JVM against a real server. Exchange 1 holds the feed claimed before
 * all; each test of the others writes to a market of exchange 2 of its own.
 */
class CoverageCliIT {
  static final long T = TradeCalls.TIME;
  static final long S = 1_000;

  @RegisterExtension
  static TestServer server = TestServer.netty();

  static String target;

  @TempDir
  Path dir;

  @BeforeAll
  static void claimAndReport() throws Exception {
    registerMarket(server.channel(), 1, 1);
    registerMarket(server.channel(), 2, 1, 2, 3, 4, 5, 6);
    target = "127.0.0.1:" + server.port();
    try (TickvaultClient client = TickvaultClient.builder().target(target).build();
         TradeStreamWriter writer = client.openTradeWriter()) {
      writer.write(TradeCalls.trade(1, 1, "a", "1.5", "2").toBuilder().setTradeTimeMs(T + 5 * S).build());
      writer.claimCoverage(1, 1, T, T + 10 * S);
      writer.claimCoverage(1, 1, T + 20 * S, T + 30 * S);
      writer.finish();
      client.coverage().reportGap(1, 1, Channel.CHANNEL_TRADES, T + 10 * S, T + 20 * S, GapReason.GAP_REASON_SEQUENCE_JUMP, "17 then 40");
    }
  }

  static String at(long ms) {
    return Instant.ofEpochMilli(ms).toString();
  }

  @Test
  void coverage_listsTheHoleWithItsReport_andExits7() {
    Cli.Result result = new Cli().run("coverage", "--target", target, "--exchange-id", "1", "--pair-no", "1",
        "--from", String.valueOf(T), "--to", String.valueOf(T + 30 * S));

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.INCOMPLETE);
    assertThat(result.out()).isEqualTo("incomplete: 1 hole(s)\n"
        + "covered [" + at(T) + ", " + at(T + 10 * S) + ")\n"
        + "covered [" + at(T + 20 * S) + ", " + at(T + 30 * S) + ")\n"
        + "hole    [" + at(T + 10 * S) + ", " + at(T + 20 * S) + ")\n"
        + "        reported [" + at(T + 10 * S) + ", " + at(T + 20 * S) + ") sequence_jump: 17 then 40\n");
  }

  @Test
  void coverageOfACompleteRange_exits0_andJsonIsTheResponse() {
    Cli.Result result = new Cli().run("coverage", "--target", target, "--exchange-id", "1", "--pair-no", "1",
        "--from", String.valueOf(T + S), "--to", String.valueOf(T + 9 * S), "-o", "json");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).isEqualTo("{\"complete\":true,\"covered\":[{\"from_time_ms\":\"" + (T + S)
        + "\",\"until_time_ms\":\"" + (T + 9 * S) + "\"}]}\n");
  }

  @Test
  void feeds_listsEachFeedsFreshness() {
    Cli.Result table = new Cli().run("feeds", "--target", target, "--exchange-id", "1");

    assertThat(table.exitCode()).as(table.toString()).isZero();
    assertThat(table.out().lines().skip(1).findFirst().orElseThrow().split("\\s+"))
        .containsExactly("1", "1", "trades", at(T + 30 * S), at(T + 5 * S));
    assertThat(new Cli().run("feeds", "--target", target, "--exchange-id", "1", "-o", "json").out()).isEqualTo("{\"exchange_id\":1,"
        + "\"currency_pair_no\":1,\"channel\":\"CHANNEL_TRADES\",\"covered_until_ms\":\"" + (T + 30 * S)
        + "\",\"last_record_time_ms\":\"" + (T + 5 * S) + "\"}\n");
  }

  /** A CSV of trades of market 2/{@code pair}, one a second from T + 1 s, each line as given (a bad one included). */
  Path tradesCsv(int pair, String... prices) throws Exception {
    StringBuilder csv = new StringBuilder("exchange_id,currency_pair_no,trade_id,price,quantity,trade_time_ms\n");
    for (int i = 0; i < prices.length; i++) {
      csv.append("2,").append(pair).append(",t").append(i).append(',').append(prices[i]).append(",0.5,")
          .append(T + (i + 1) * S).append('\n');
    }
    Path file = dir.resolve("trades-" + pair + ".csv");
    Files.writeString(file, csv);
    return file;
  }

  static GetCoverageResponse coverage(int pair, long from, long until) {
    try (TickvaultClient client = TickvaultClient.builder().target(target).build()) {
      return client.coverage().getCoverage(2, pair, Channel.CHANNEL_TRADES, from, until);
    }
  }

  static String range(long from, long until) {
    return from + ".." + until;
  }

  @Test
  void ingestCovers_claimsTheFilesRangeOnceItsTradesAreCommitted() throws Exception {
    Path file = tradesCsv(1, "100.5", "101", "100.75");

    Cli.Result result = new Cli().run("ingest", "trades", file.toString(), "--target", target,
        "--covers", at(T) + ".." + at(T + 60 * S));

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).isEqualTo("trades-1.csv: read 3, inserted 3, duplicates 0, rejected 0\n"
        + "coverage [" + at(T) + ", " + at(T + 60 * S) + ") claimed for 1 of 1 market(s)\n");
    assertThat(coverage(1, T, T + 60 * S).getCoveredList())
        .containsExactly(TimeRange.newBuilder().setFromTimeMs(T).setUntilTimeMs(T + 60 * S).build());
  }

  @Test
  void ingestCovers_overSeveralStreams_withARejectedTrade_stillClaims_andJsonCountsTheClaim() throws Exception {
    Path file = tradesCsv(2, "1", "2", "-3", "4", "5", "6", "7", "8");

    Cli.Result result = new Cli().run("ingest", "trades", file.toString(), "--target", target, "--streams", "3",
        "--batch-size", "1", "--covers", range(T, T + 60 * S), "-o", "json");

    assertThat(result.exitCode()).as("the negative price is rejected; " + result).isEqualTo(ExitCodes.RECORDS_REJECTED);
    assertThat(result.out()).contains("\"inserted\":7,").contains("\"coverage_claimed\":true,\"coverage_stored\":1,"
        + "\"coverage_rejections\":[]");
    assertThat(coverage(2, T, T + 60 * S).getComplete()).as("a rejected record was sent: it does not void the claim").isTrue();
  }

  @Test
  void ingestCovers_withALineThatCannotBeRead_claimsNothing() throws Exception {
    Path file = tradesCsv(3, "1", "2", "4");
    Files.writeString(file, "2,3,t9,1\n", java.nio.file.StandardOpenOption.APPEND); // columns missing

    Cli.Result result = new Cli().run("ingest", "trades", file.toString(), "--target", target,
        "--covers", range(T, T + 60 * S));

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.RECORDS_REJECTED);
    assertThat(result.out()).contains("coverage [" + at(T) + ", " + at(T + 60 * S) + ") not claimed: 1 line(s) could not be read");
    assertThat(coverage(3, T, T + 60 * S).getCoveredList()).isEmpty();
  }

  @Test
  void ingestCovers_aGzipThatCannotBeReadToItsEnd_claimsNothing() throws Exception {
    StringBuilder csv = new StringBuilder("exchange_id,currency_pair_no,trade_id,price,quantity,trade_time_ms\n");
    for (int i = 0; i < 50_000; i++) {
      csv.append("2,6,g").append(i).append(",100.").append(i % 97).append(",0.5,").append(T + i).append('\n');
    }
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(bytes)) {
      gzip.write(csv.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
    byte[] whole = bytes.toByteArray();
    Path truncated = Files.write(dir.resolve("cut.csv.gz"), java.util.Arrays.copyOf(whole, whole.length * 9 / 10));

    Cli.Result result = new Cli().run("ingest", "trades", truncated.toString(), "--target", target,
        "--covers", range(T, T + 60 * S));

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.PARTLY_SENT);
    assertThat(result.out()).contains(") not claimed: ");
    assertThat(coverage(6, T, T + 60 * S).getCoveredList()).as("the trades after the cut were never sent").isEmpty();
  }

  @Test
  void ingestCovers_aClaimTheServerRefuses_isListed_andExits1() throws Exception {
    Path file = tradesCsv(4, "1");
    long old = Instant.parse("2009-12-31T00:00:00Z").toEpochMilli();

    Cli.Result result = new Cli().run("ingest", "trades", file.toString(), "--target", target,
        "--covers", range(old, T + 60 * S));

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.RECORDS_REJECTED);
    assertThat(result.out()).contains("read 1, inserted 1, duplicates 0, rejected 0\n")
        .contains("claimed for 0 of 1 market(s)\nclaim rejected (2/4/");
  }

  @Test
  void ingestCovers_malformedOrEmptyRanges_areUsageErrors() throws Exception {
    Path file = tradesCsv(5, "1");
    for (String covers : new String[] {"2026-11-26", "2026-11-27..2026-11-26", "yesterday..today"}) {
      Cli.Result result = new Cli().run("ingest", "trades", file.toString(), "--target", target, "--covers", covers);

      assertThat(result.exitCode()).as(covers + ": " + result).isEqualTo(ExitCodes.USAGE);
      assertThat(result.err()).contains("--covers");
    }
    assertThat(coverage(5, T, T + 60 * S).getCoveredList()).isEmpty();
  }

  @Test
  void readRequireComplete_refusesARangeWithHoles_namingThem_andExits7() throws Exception {
    Path out = dir.resolve("out.csv");
    Cli.Result result = new Cli().run("read", "trades", "--target", target, "--exchange-id", "1", "--pair-no", "1",
        "--from", String.valueOf(T), "--to", String.valueOf(T + 30 * S), "--require-complete", "--out", out.toString());

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.INCOMPLETE);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).isEqualTo("not read: the range has holes (--require-complete)\n"
        + "incomplete: 1 hole(s)\n"
        + "covered [" + at(T) + ", " + at(T + 10 * S) + ")\n"
        + "covered [" + at(T + 20 * S) + ", " + at(T + 30 * S) + ")\n"
        + "hole    [" + at(T + 10 * S) + ", " + at(T + 20 * S) + ")\n"
        + "        reported [" + at(T + 10 * S) + ", " + at(T + 20 * S) + ") sequence_jump: 17 then 40\n");
    assertThat(out).as("nothing written").doesNotExist();
  }

  @Test
  void readRequireComplete_readsACompleteRange_andWantsFrom() {
    Cli.Result result = new Cli().run("read", "trades", "--target", target, "--exchange-id", "1", "--pair-no", "1",
        "--from", String.valueOf(T), "--to", String.valueOf(T + 10 * S), "--require-complete");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out().lines()).hasSize(2).last().asString().startsWith("1,1,a,1.5,2,");

    Cli.Result noFrom = new Cli().run("read", "trades", "--target", target, "--exchange-id", "1", "--pair-no", "1",
        "--require-complete");
    assertThat(noFrom.exitCode()).as(noFrom.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(noFrom.err()).contains("--require-complete: give --from");
  }
}
