package io.tickvault.client.cli;

import static io.tickvault.client.cli.Cli.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Channel;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.ReadTradesRequest;
import io.tickvault.api.v1.Trade;
import io.tickvault.api.v1.TradeSide;
import io.tickvault.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tickvault read trades … -o csv | tickvault ingest trades -} through a real shell
 * pipe, two child processes of the tool, gives back every trade digit for digit.
 *
 * <p>The CSV carries each trade's market (exchange_id, currency_pair_no) and {@code ingest trades}
 * stores a row in the market the row names: it has no option to move rows to another market. So
 * the honest round trip is the pipe exactly as a person types it, unmodified, from a server into a
 * second server with an empty database of its own and the same market registered. (Into the same
 * server, every row would only be a duplicate of itself, which proves nothing.)
 */
class ReadPipeIT {
  private static final String HEADER = "exchange_id,currency_pair_no,trade_id,price,quantity,taker_side,trade_time_ms,receive_time_ms";

  @RegisterExtension
  static TestServer source = TestServer.netty();

  @RegisterExtension
  static TestServer target = TestServer.netty();

  @TempDir
  static Path dir;

  /** The trades as ingested into the source, in the order reads give them back (time, then id). */
  static List<Trade> sent = new ArrayList<>();
  static List<String> sentRows = new ArrayList<>();

  @BeforeAll
  static void ingestIntoSource() throws Exception {
    for (TestServer server : List.of(source, target)) {
      Cli.atPort(server.port()).registerBinanceBtcUsdt();
    }
    long t = 1_764_115_200_000L;
    // Trailing zeros, the smallest and largest decimals ingestion accepts (18 places, 38 digits), every
    // taker side, ids with commas, quotes, spaces around them, tabs and non-ASCII characters.
    add("1,1,\"t,2 \"\"quoted\"\"\",99999999999999999999.999999999999999999,1,SELL," + t + "," + (t + 8),
        trade("t,2 \"quoted\"", "99999999999999999999.999999999999999999", "1", TradeSide.TRADE_SIDE_SELL, t, t + 8));
    add("1,1,t-1,12.30,0.000000010,BUY," + (t + 1) + "," + (t + 7),
        trade("t-1", "12.30", "0.000000010", TradeSide.TRADE_SIDE_BUY, t + 1, t + 7));
    add("1,1,\" padded \",0.000000000000000001,12345678901234567890123456789012345678,," + (t + 2) + "," + (t + 2),
        trade(" padded ", "0.000000000000000001", "12345678901234567890123456789012345678", TradeSide.TRADE_SIDE_UNSPECIFIED, t + 2, t + 2));
    add("1,1,é/ß-\uD83D\uDE00,64250.00,2.50,BUY," + (t + 3) + "," + (t + 3),
        trade("é/ß-\uD83D\uDE00", "64250.00", "2.50", TradeSide.TRADE_SIDE_BUY, t + 3, t + 3));
    add("1,1,tab\tinside 'single',1,1.0,SELL," + (t + 4) + "," + (t + 5),
        trade("tab\tinside 'single'", "1", "1.0", TradeSide.TRADE_SIDE_SELL, t + 4, t + 5));
    for (int i = 0; i < 2_500; i++) { // several pages of the read, several batches of the ingest
      long time = t + 1_000 + i;
      String price = (100 + i % 50) + "." + (i % 10) + "0";
      String quantity = "0.0" + (i + 1);
      TradeSide side = i % 3 == 0 ? TradeSide.TRADE_SIDE_BUY : i % 3 == 1 ? TradeSide.TRADE_SIDE_SELL : TradeSide.TRADE_SIDE_UNSPECIFIED;
      String sideText = side == TradeSide.TRADE_SIDE_BUY ? "BUY" : side == TradeSide.TRADE_SIDE_SELL ? "SELL" : "";
      add("1,1,bulk-" + i + "," + price + "," + quantity + "," + sideText + "," + time + "," + (time + 5),
          trade("bulk-" + i, price, quantity, side, time, time + 5));
    }
    List<String> file = new ArrayList<>(List.of(HEADER));
    file.addAll(sentRows);
    ok(Cli.atPort(source.port()).run("ingest", "trades", Files.write(dir.resolve("original.csv"), file).toString()));
  }

  @Test
  void readTradesCsv_pipedIntoIngestTradesStdin_givesBackEveryTradeDigitForDigit() throws Exception {
    assertThat(readAll(source.channel())).as("the source stored what was sent").containsExactlyElementsOf(sent);
    Path piped = dir.resolve("piped.csv");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // tee keeps what went through the pipe, to compare it with the rows sent.
    ProcessBuilder pipe = new ProcessBuilder("bash", "-c", "set -o pipefail; "
        + "\"$JAVA\" -cp \"$CP\" io.tickvault.client.cli.TickvaultCli read trades --target \"$SOURCE\" "
        + "--exchange-id 1 --pair-no 1 -o csv --page-size 700 "
        + "| tee \"$PIPED\" "
        + "| \"$JAVA\" -cp \"$CP\" io.tickvault.client.cli.TickvaultCli ingest trades - --target \"$TARGET\" --batch-size 1000")
        .redirectOutput(dir.resolve("pipe.out").toFile())
        .redirectError(dir.resolve("pipe.err").toFile());
    pipe.environment().keySet().removeIf(name -> name.startsWith("TICKVAULT_"));
    pipe.environment().put("JAVA", java);
    pipe.environment().put("CP", System.getProperty("java.class.path"));
    pipe.environment().put("SOURCE", "127.0.0.1:" + source.port());
    pipe.environment().put("TARGET", "127.0.0.1:" + target.port());
    pipe.environment().put("PIPED", piped.toString());
    Process process = pipe.start();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the pipe ends within two minutes").isTrue();
    String out = Files.readString(dir.resolve("pipe.out"));
    String err = Files.readString(dir.resolve("pipe.err"));

    assertThat(process.exitValue()).as("exit of the pipe; out:\n%s\nerr:\n%s", out, err).isZero();
    assertThat(out).contains("read " + sent.size() + ", inserted " + sent.size() + ", duplicates 0, rejected 0");
    List<String> expectedCsv = new ArrayList<>(List.of(HEADER));
    expectedCsv.addAll(sentRows);
    assertThat(Files.readAllLines(piped)).as("the CSV in the pipe").containsExactlyElementsOf(expectedCsv);
    // Every field of every trade, as the target stored it, equals what the source holds and what was sent.
    List<Trade> copied = readAll(target.channel());
    assertThat(copied).containsExactlyElementsOf(sent);
    Cli.Result readBack = Cli.atPort(target.port()).run("read", "trades", "--exchange-id", "1", "--pair-no", "1", "-o", "csv");
    ok(readBack);
    assertThat(readBack.out()).isEqualTo(Files.readString(piped));
  }

  private static void add(String row, Trade trade) {
    sentRows.add(row);
    sent.add(trade);
  }

  private static Trade trade(String id, String price, String quantity, TradeSide side, long time, long receiveTime) {
    return Trade.newBuilder().setExchangeId(1).setCurrencyPairNo(1).setTradeId(id).setPrice(price)
        .setQuantity(quantity).setTakerSide(side).setTradeTimeMs(time).setReceiveTimeMs(receiveTime).build();
  }

  private static List<Trade> readAll(Channel channel) {
    List<Trade> trades = new ArrayList<>();
    QueryServiceGrpc.newBlockingStub(channel)
        .readTrades(ReadTradesRequest.newBuilder().setExchangeId(1).setCurrencyPairNo(1).setPageSize(10_000).build())
        .forEachRemaining(page -> trades.addAll(page.getTradesList()));
    return trades;
  }
}
