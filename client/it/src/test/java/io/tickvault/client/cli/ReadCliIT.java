package io.tickvault.client.cli;

import static io.tickvault.client.cli.Cli.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.server.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code tickvault read …}, in-JVM against a real server, PostgreSQL and Redis. */
class ReadCliIT extends CliAgainstServer {
  private static final String HEADER = "exchange_id,currency_pair_no,trade_id,price,quantity,taker_side,trade_time_ms,receive_time_ms";

  @BeforeEach
  void registerTheMarkets() {
    cli.registerBinanceBtcUsdt();
    ok(cli.run("markets", "put-pair", "--exchange-id", "1", "--pair-no", "2", "--base", "ETH", "--quote", "USDT"));
  }

  @Test
  void readTradesCsv_ingestedIntoAnotherMarket_readsBackDigitForDigit() throws Exception {
    List<String> rows = new ArrayList<>(List.of(
        // trade_id orders byte by byte: "t,2" (',' is 0x2C) before "t-1" ('-' is 0x2D) in the same millisecond.
        "1,1,\"t,2 \"\"quoted\"\"\",99999999999999999999.000000000000000001,1,SELL,1764115200000,1764115200008",
        "1,1,t-1,12.30,0.000100,BUY,1764115200000,1764115200007",
        "1,1,t-3,0.00000001,100,,1764115200001,1764115200009",
        "1,1,t-4,64250,2.50,BUY,1764115260000,1764115260001"));
    for (int i = 0; i < 3_000; i++) { // enough for several pages
      rows.add("1,1,bulk-" + i + "," + (100 + i % 50) + "." + (i % 10) + "0,0.0" + (i + 1) + ",SELL," + (1_764_115_300_000L + i)
          + "," + (1_764_115_300_005L + i));
    }
    Path original = Files.write(dir.resolve("original.csv"), lines(HEADER, rows));
    ok(cli.run("ingest", "trades", original.toString()));

    Cli.Result readA = cli.run("read", "trades", "--exchange-id", "1", "--pair-no", "1", "--page-size", "700");

    ok(readA);
    assertThat(readA.out().lines().toList()).isEqualTo(lines(HEADER, rows));

    // The same trades into market 1/2: only the currency_pair_no column changes.
    String asMarketB = readA.out().replaceAll("(?m)^1,1,", "1,2,");
    Path fileB = Files.writeString(dir.resolve("b.csv"), asMarketB);
    ok(cli.run("ingest", "trades", fileB.toString()));
    Cli.Result readB = cli.run("read", "trades", "--exchange-id", "1", "--pair-no", "2", "-o", "csv");

    ok(readB);
    assertThat(readB.out()).isEqualTo(asMarketB);
  }

  @Test
  void readTrades_fromTo_asIsoTimes_jsonlToAFile() throws Exception {
    Path original = Files.write(dir.resolve("t.csv"), lines(HEADER, List.of(
        "1,1,a,1.10,1,BUY,1764115199999,1764115200000",
        "1,1,b,1.20,1,BUY,1764115200000,1764115200000",
        "1,1,c,1.30,1,BUY,1764115259999,1764115260000",
        "1,1,d,1.40,1,BUY,1764115260000,1764115260000")));
    ok(cli.run("ingest", "trades", original.toString()));
    Path out = dir.resolve("read.jsonl");

    ok(cli.run("read", "trades", "--exchange-id", "1", "--pair-no", "1",
        "--from", "2025-11-26T00:00:00Z", "--to", "2025-11-26T00:01:00Z", "--out", out.toString()));

    assertThat(Files.readAllLines(out)).containsExactly(
        "{\"exchange_id\":1,\"currency_pair_no\":1,\"trade_id\":\"b\",\"price\":\"1.20\",\"quantity\":\"1\","
            + "\"taker_side\":\"TRADE_SIDE_BUY\",\"trade_time_ms\":\"1764115200000\",\"receive_time_ms\":\"1764115200000\"}",
        "{\"exchange_id\":1,\"currency_pair_no\":1,\"trade_id\":\"c\",\"price\":\"1.30\",\"quantity\":\"1\","
            + "\"taker_side\":\"TRADE_SIDE_BUY\",\"trade_time_ms\":\"1764115259999\",\"receive_time_ms\":\"1764115260000\"}");
  }

  @Test
  void readStateCandlesAndOrderBooks_afterIngest() throws Exception {
    // A market no other test uses: the market state lives in the tests' shared Redis, across databases.
    ok(cli.run("markets", "put-exchange", "--exchange-id", "919", "--code", "read-cli-state"));
    ok(cli.run("markets", "put-pair", "--exchange-id", "919", "--pair-no", "1", "--base", "BTC", "--quote", "USDT"));
    ok(cli.run("ingest", "trades", Files.write(dir.resolve("t.csv"), lines(HEADER, List.of(
        "919,1,x-1,10.0,2,BUY,1764115200000,1764115200001",
        "919,1,x-2,12.5,1,SELL,1764115230000,1764115230001",
        "919,1,x-3,11,4,BUY,1764115260000,1764115260001"))).toString()));
    // As protobuf's JSON printer writes them (fields in number order), so the read gives these lines back.
    String book1 = "{\"exchange_id\":919,\"currency_pair_no\":1,\"server_time_ms\":\"1764115200000\",\"sequence_id\":\"1\","
        + "\"bids\":[{\"price\":\"10.0\",\"quantity\":\"2\"},{\"price\":\"9.5\",\"quantity\":\"1\"}],"
        + "\"asks\":[{\"price\":\"10.5\",\"quantity\":\"3\"}],\"receive_time_ms\":\"1764115200002\"}";
    String book2 = "{\"exchange_id\":919,\"currency_pair_no\":1,\"server_time_ms\":\"1764115260000\",\"sequence_id\":\"2\","
        + "\"bids\":[{\"price\":\"11\",\"quantity\":\"1\"}],"
        + "\"asks\":[{\"price\":\"11.5\",\"quantity\":\"1\"},{\"price\":\"12\",\"quantity\":\"7\"}],\"receive_time_ms\":\"1764115260002\"}";
    ok(cli.run("ingest", "orderbooks", Files.write(dir.resolve("b.jsonl"), List.of(book1, book2)).toString()));

    Cli.Result state = cli.run("read", "state", "--exchange-id", "919", "--pair-no", "1");
    Cli.Result candles = cli.run("read", "candles", "--exchange-id", "919", "--pair-no", "1",
        "--from", "1764115200000", "--to", "2025-11-26T00:02:00Z", "--interval", "1m");
    Cli.Result books = cli.run("read", "orderbooks", "--exchange-id", "919", "--pair-no", "1");
    Cli.Result book = cli.run("read", "book", "--exchange-id", "919", "--pair-no", "1", "--at", "1764115259999", "--depth", "1");

    ok(state);
    assertThat(state.out()).startsWith("{\"last_trade\":{\"exchange_id\":919,\"currency_pair_no\":1,\"trade_id\":\"x-3\",\"price\":\"11\"")
        .contains("\"last_order_book\":" + book2);
    ok(candles);
    assertThat(candles.out().lines()).containsExactly(
        "open_time_ms,open,high,low,close,volume,quote_volume,trade_count",
        "1764115200000,10.0,12.5,10.0,12.5,3,32.5,2",
        "1764115260000,11,11,11,11,4,44,1");
    ok(books);
    assertThat(books.out().lines()).containsExactly(book1, book2);
    ok(book);
    assertThat(book.out()).isEqualTo("{\"exchange_id\":919,\"currency_pair_no\":1,\"server_time_ms\":\"1764115200000\","
        + "\"sequence_id\":\"1\",\"bids\":[{\"price\":\"10.0\",\"quantity\":\"2\"}],"
        + "\"asks\":[{\"price\":\"10.5\",\"quantity\":\"3\"}],\"receive_time_ms\":\"1764115200002\"}\n");
  }

  @Test
  void readTrades_onATerminal_drawsTheProgressOnStandardError_andOnlyRecordsOnStandardOutput() throws Exception {
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      rows.add("1,1,p-" + i + ",1.50,2,BUY," + (1_764_115_200_000L + i * 1_000) + "," + (1_764_115_200_000L + i * 1_000));
    }
    ok(cli.run("ingest", "trades", Files.write(dir.resolve("p.csv"), lines(HEADER, rows)).toString()));
    // A clock that moves a second each time it is asked, so every record is worth a redraw.
    Clock ticking = new MutableClock(Instant.ofEpochMilli(1_764_200_000_000L), Duration.ofSeconds(1));

    Cli.Result read = cli.terminal(true).clock(ticking).run("read", "trades", "--exchange-id", "1", "--pair-no", "1",
        "--from", "1764115200000", "--to", "1764115205000", "--page-size", "2");

    ok(read);
    assertThat(read.out().lines().toList()).isEqualTo(lines(HEADER, rows));
    // The bar, redrawn in place: 4 of the range's 5 seconds are behind the last record read.
    assertThat(read.err()).startsWith("\r[").contains(" 80%  5 trades  ").contains("\u001b[K")
        .containsPattern("\r\u001b\\[Kread 5 trades in [0-9.]+ s \\([0-9,]+ trades/s\\)\n$");
  }

  @Test
  void readTradesCsv_ofATradeIdWithALineBreak_stopsSayingToUseJsonLines() throws Exception {
    String trade = "{\"exchange_id\":1,\"currency_pair_no\":1,\"trade_id\":\"two\\nlines\",\"price\":\"1.50\","
        + "\"quantity\":\"2\",\"taker_side\":\"TRADE_SIDE_BUY\",\"trade_time_ms\":\"1764115200000\","
        + "\"receive_time_ms\":\"1764115200001\"}";
    ok(cli.run("ingest", "trades", Files.write(dir.resolve("nl.jsonl"), List.of(trade)).toString()));

    Cli.Result csv = cli.run("read", "trades", "--exchange-id", "1", "--pair-no", "1");
    Cli.Result jsonl = cli.run("read", "trades", "--exchange-id", "1", "--pair-no", "1", "-o", "jsonl");

    assertThat(csv.exitCode()).as(csv.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(csv.err()).isEqualTo("tickvault: -o csv: trade 1/1 at 1764115200000 has a line break in its "
        + "trade_id, which CSV cannot carry so that 'ingest trades' reads it back; use -o jsonl\n");
    ok(jsonl);
    assertThat(jsonl.out()).isEqualTo(trade + "\n");
  }

  @Test
  void readState_ofAMarketWithNothingStored_isAnEmptyObject() {
    // A market no test stores anything in: its state in the tests' shared Redis is empty too.
    ok(cli.run("markets", "put-exchange", "--exchange-id", "918", "--code", "read-cli-empty"));
    ok(cli.run("markets", "put-pair", "--exchange-id", "918", "--pair-no", "1", "--base", "BTC", "--quote", "USDT"));

    Cli.Result state = cli.run("read", "state", "--exchange-id", "918", "--pair-no", "1");

    ok(state);
    assertThat(state.out()).isEqualTo("{}\n");
  }

  @Test
  void refusals_haveTheirExitCodes() {
    Cli.Result unknownMarket = cli.run("read", "trades", "--exchange-id", "1", "--pair-no", "9");
    Cli.Result noBook = cli.run("read", "book", "--exchange-id", "1", "--pair-no", "2");
    Cli.Result backwards = cli.run("read", "candles", "--exchange-id", "1", "--pair-no", "1",
        "--from", "2025-11-26T00:02:00Z", "--to", "2025-11-26T00:01:00Z", "--interval", "1m");

    assertThat(unknownMarket.exitCode()).as(unknownMarket.toString()).isEqualTo(ExitCodes.REFUSED);
    assertThat(unknownMarket.err()).contains("INVALID_ARGUMENT");
    assertThat(noBook.exitCode()).as(noBook.toString()).isEqualTo(ExitCodes.REFUSED);
    assertThat(noBook.err()).contains("NOT_FOUND");
    assertThat(backwards.exitCode()).as(backwards.toString()).isEqualTo(ExitCodes.REFUSED);
    assertThat(backwards.err()).contains("end_time_ms");
  }

  private static List<String> lines(String header, List<String> rows) {
    List<String> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    return all;
  }
}
