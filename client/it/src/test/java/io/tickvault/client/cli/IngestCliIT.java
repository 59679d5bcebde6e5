package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code tickvault ingest …}, in-JVM against a real server and PostgreSQL. */
class IngestCliIT extends CliAgainstServer {
  @BeforeEach
  void registerBinanceBtcUsdt() {
    cli.registerBinanceBtcUsdt();
  }

  @Test
  void tradesCsv_validRowsStored_badRowsRejectedWithTheirLines_exit1() throws Exception {
    Path file = Files.write(dir.resolve("trades.csv"), List.of(
        "exchange_id,currency_pair_no,trade_id,price,quantity,taker_side,trade_time_ms",
        "1,1,t-1,64250.5,0.0125,BUY,1764115200000",
        "1,1,t-2,-3,1,SELL,1764115200100",
        "1,one,t-3,1,1,SELL,1764115200200",
        "1,1,t-4,64251,0.5,,1764115200300",
        "1,9,t-5,1,1,BUY,1764115200400"));

    Cli.Result result = cli.run("ingest", "trades", file.toString(), "--batch-size", "2");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.RECORDS_REJECTED).isEqualTo(1);
    assertThat(result.out().lines()).containsExactly(
        "trades.csv: read 5, inserted 2, duplicates 0, rejected 3",
        "(1 of the rejected lines could not be read and were not sent)",
        "rejected line 3 (1/1/t-2): price: must be a plain decimal (digits and at most one '.', no sign or exponent), got '-3'",
        "rejected line 4 (1/0/): currency_pair_no: not a whole number: 'one'",
        "rejected line 6 (1/9/t-5): currency_pair_no: market 1/9 is not registered: PutCurrencyPair first");
    assertThat(result.err()).startsWith("sent 4 trades in ");
    assertThat(tradeIds()).containsExactly("t-1", "t-4");
  }

  @Test
  void replayingAFile_countsDuplicates_andExits0() throws Exception {
    List<String> lines = new ArrayList<>(List.of("exchange_id,currency_pair_no,trade_id,price,quantity,trade_time_ms"));
    for (int i = 0; i < 5_000; i++) {
      lines.add("1,1,r-" + i + ",100.5," + (i + 1) + ",1764115200000");
    }
    Path file = Files.write(dir.resolve("many.csv"), lines);

    Cli.Result first = cli.run("ingest", "trades", file.toString(), "--batch-size", "700");
    Cli.Result again = cli.run("ingest", "trades", file.toString());

    assertThat(first.exitCode()).as(first.toString()).isZero();
    assertThat(first.out()).isEqualTo("many.csv: read 5000, inserted 5000, duplicates 0, rejected 0\n");
    assertThat(again.out()).isEqualTo("many.csv: read 5000, inserted 0, duplicates 5000, rejected 0\n");
    assertThat(count("trades")).isEqualTo(5_000);
  }

  @Test
  void tradesJsonLines_onATerminal_showsAProgressBar() throws Exception {
    Path file = Files.write(dir.resolve("trades.jsonl"), List.of(
        "{\"exchange_id\":1,\"currency_pair_no\":1,\"trade_id\":\"j-1\",\"price\":\"1.5\",\"quantity\":\"2\","
            + "\"taker_side\":\"TRADE_SIDE_SELL\",\"trade_time_ms\":\"1764115200000\"}",
        "{\"exchangeId\":1,\"currencyPairNo\":1,\"tradeId\":\"j-2\",\"price\":\"1.6\",\"quantity\":\"3\",\"tradeTimeMs\":1764115200001}"));

    Cli.Result result = cli.terminal(true).run("ingest", "trades", file.toString());

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).isEqualTo("trades.jsonl: read 2, inserted 2, duplicates 0, rejected 0\n");
    assertThat(result.err()).startsWith("\r\u001b[Ksent 2 trades in "); // the bar line is cleared at the end
    assertThat(tradeIds()).containsExactly("j-1", "j-2");
  }

  @Test
  void orderBooksJsonLines_storedWithTheirLevels_badSnapshotRejected() throws Exception {
    Path file = Files.write(dir.resolve("books.jsonl"), List.of(
        "{\"exchange_id\":1,\"currency_pair_no\":1,\"server_time_ms\":1764115200000,\"sequence_id\":1,"
            + "\"bids\":[{\"price\":\"100\",\"quantity\":\"2\"},{\"price\":\"99.5\",\"quantity\":\"1\"}],"
            + "\"asks\":[{\"price\":\"101\",\"quantity\":\"1\"}]}",
        "{\"exchange_id\":1,\"currency_pair_no\":1,\"server_time_ms\":1764115200100,\"sequence_id\":2,"
            + "\"bids\":[{\"price\":\"99\",\"quantity\":\"2\"},{\"price\":\"100\",\"quantity\":\"1\"}]}",
        "{\"exchange_id\":1,\"levels\":3}",
        "not json"));

    Cli.Result result = cli.run("ingest", "orderbooks", file.toString());

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.RECORDS_REJECTED);
    assertThat(result.out()).startsWith("books.jsonl: read 4, inserted 1, duplicates 0, rejected 3\n");
    assertThat(result.out()).contains("rejected line 2 (1/1/1764115200100/2): bids[1].price:");
    assertThat(result.out()).contains("rejected line 3 (1/0/0/0): "); // "levels" ignored, then refused by the server
    assertThat(result.out()).contains("rejected line 4: not a JSON OrderBookSnapshot");
    assertThat(result.err()).contains("warning: ignored fields that OrderBookSnapshot does not have: levels (first on line 3)");
    assertThat(count("orderbook_snapshots")).isEqualTo(1);
    assertThat(count("orderbook_levels")).isEqualTo(3);
  }

  @Test
  void orderBooksFromCsv_isAUsageError_andAMissingFileToo() {
    Cli.Result csv = cli.run("ingest", "orderbooks", dir.resolve("books.csv").toString());
    assertThat(csv.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(csv.err()).contains("order books are read from JSON Lines only");

    Cli.Result missing = cli.run("ingest", "trades", dir.resolve("nope.csv").toString());
    assertThat(missing.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(missing.err()).contains("no such file");
  }

  @Test
  void dash_readsStandardInput_andOutputJsonPrintsTheSummaryAsOneObject() {
    Cli.Result result = cli.stdin("exchangeId,currencyPairNo,tradeId,price,quantity,takerSide,tradeTimeMs\n"
            + "1,1,s-1,10,1,BUY,1764115200000\n1,1,s-2,-1,1,SELL,1764115200000\n")
        .run("ingest", "trades", "-", "--format", "csv", "--output", "json");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.RECORDS_REJECTED);
    assertThat(result.out()).isEqualTo("{\"file\":\"-\",\"read\":2,\"skipped\":0,\"sent\":2,\"inserted\":1,"
        + "\"duplicates\":0,\"rejected\":1,\"unreadable\":0,\"reconnects\":0,\"rejections\":[{\"line\":3,"
        + "\"key\":\"1/1/s-2\",\"field\":\"price\",\"reason\":\"must be a plain decimal (digits and at most one '.', "
        + "no sign or exponent), got '-1'\",\"code\":\"REJECTION_REASON_INVALID_DECIMAL\"}]}\n");
    assertThat(tradeIds()).containsExactly("s-1");
  }

  @Test
  void aCsvNamedTxt_isReadAsCsv_gzipToo() throws Exception {
    byte[] csv = "exchange_id,currency_pair_no,trade_id,price,quantity,trade_time_ms\n1,1,x-1,1,1,1764115200000\n"
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Path txt = Files.write(dir.resolve("export.txt"), csv);
    Path gz = dir.resolve("export2.txt.gz");
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(csv);
    }

    assertThat(cli.run("ingest", "trades", txt.toString()).out()).isEqualTo("export.txt: read 1, inserted 1, duplicates 0, rejected 0\n");
    assertThat(cli.run("ingest", "trades", gz.toString()).out()).isEqualTo("export2.txt.gz: read 1, inserted 0, duplicates 1, rejected 0\n");
  }

  @Test
  void anEmptyFile_saysSo() throws Exception {
    Path empty = Files.write(dir.resolve("empty.csv"), new byte[0]);
    Path headerOnly = Files.write(dir.resolve("header.csv"), List.of("exchange_id,currency_pair_no,trade_id,price,quantity,trade_time_ms"));

    Cli.Result nothing = cli.run("ingest", "trades", empty.toString());
    Cli.Result header = cli.run("ingest", "trades", headerOnly.toString());

    assertThat(nothing.exitCode()).isZero();
    assertThat(nothing.err()).isEqualTo("empty.csv: the file is empty; nothing sent\n");
    assertThat(header.err()).isEqualTo("header.csv: no trades in the file (only a header or blank lines); nothing sent\n");
  }

  @Test
  void skip_resumesAfterTheRecordsAlreadyCommitted() throws Exception {
    List<String> lines = new ArrayList<>(List.of("exchange_id,currency_pair_no,trade_id,price,quantity,trade_time_ms"));
    for (int i = 0; i < 100; i++) {
      lines.add("1,1,k-" + (1000 + i) + ",1,1,1764115200000");
    }
    Path file = Files.write(dir.resolve("resume.csv"), lines);

    Cli.Result result = cli.run("ingest", "trades", file.toString(), "--skip", "60");

    assertThat(result.out()).isEqualTo("resume.csv: read 100, inserted 40, duplicates 0, rejected 0, skipped 60\n");
    assertThat(tradeIds()).hasSize(40).first().isEqualTo("k-1060");
  }


  @Test
  void severalStreams_keepCountsExact_rejectionsOnTheirLines_andTheFirstOfTwoLinesWithOneKeyWins() throws Exception {
    List<String> lines = new ArrayList<>(List.of("exchange_id,currency_pair_no,trade_id,price,quantity,trade_time_ms"));
    for (int i = 0; i < 3_000; i++) {
      lines.add(switch (i % 1_000) {
        case 7 -> "1,1,bad-" + i + ",-1,1,1764115200000"; // rejected by the server
        case 8 -> "1,1,x-" + i + ",one,1,1764115200000\r"; // a price the server refuses too, CRLF
        default -> "1,1,s-" + i + ",100.5," + (i + 1) + ",1764115200000";
      });
    }
    lines.add("1,1,s-5,999,9,1764115200000"); // the same key as line 7, later in the file
    lines.add("");
    lines.add("1,one,s-unreadable,1,1,1764115200000");
    Path file = Files.write(dir.resolve("streams.csv"), lines);

    for (String streams : List.of("1", "3")) {
      server.database().truncate("trades");
      Cli.Result result = cli.run("ingest", "trades", file.toString(), "--streams", streams, "--batch-size", "100");

      assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.RECORDS_REJECTED);
      List<String> out = result.out().lines().toList();
      assertThat(out.get(0)).isEqualTo("streams.csv: read 3002, inserted 2994, duplicates 1, rejected 7");
      assertThat(out.subList(2, out.size())).as("streams " + streams).containsExactly(
          "rejected line 9 (1/1/bad-7): price: must be a plain decimal (digits and at most one '.', no sign or exponent), got '-1'",
          "rejected line 10 (1/1/x-8): price: must be a plain decimal (digits and at most one '.', no sign or exponent), got 'one'",
          "rejected line 1009 (1/1/bad-1007): price: must be a plain decimal (digits and at most one '.', no sign or exponent), got '-1'",
          "rejected line 1010 (1/1/x-1008): price: must be a plain decimal (digits and at most one '.', no sign or exponent), got 'one'",
          "rejected line 2009 (1/1/bad-2007): price: must be a plain decimal (digits and at most one '.', no sign or exponent), got '-1'",
          "rejected line 2010 (1/1/x-2008): price: must be a plain decimal (digits and at most one '.', no sign or exponent), got 'one'",
          "rejected line 3004 (1/0/): currency_pair_no: not a whole number: 'one'");
      assertThat(count("trades")).isEqualTo(2_994);
      assertThat(server.database().jdbc().queryOne("SELECT price::text FROM trades WHERE trade_id = 's-5'", rs -> rs.getString(1)))
          .contains("100.5");
    }
    assertThat(cli.run("ingest", "trades", file.toString(), "--streams", "9").err()).contains("--streams: must be 1 to 8, got 9");
  }

  private static long count(String table) {
    return server.database().jdbc().queryOne("SELECT count(*) FROM " + table, rs -> rs.getLong(1)).orElseThrow();
  }

  private List<String> tradeIds() {
    return server.database().jdbc().query("SELECT trade_id FROM trades ORDER BY trade_id", rs -> rs.getString(1));
  }
}
