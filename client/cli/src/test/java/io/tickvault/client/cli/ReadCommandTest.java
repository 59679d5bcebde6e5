package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.Candle;
import io.tickvault.api.v1.GetCandlesRequest;
import io.tickvault.api.v1.GetCandlesResponse;
import io.tickvault.api.v1.GetMarketStateRequest;
import io.tickvault.api.v1.GetMarketStateResponse;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.ReadTradesRequest;
import io.tickvault.api.v1.ReadTradesResponse;
import io.tickvault.api.v1.Trade;
import io.tickvault.api.v1.TradeSide;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code tickvault read …} against a stand-in QueryService on a real port: what reaches the
 * server, what is written, exit codes. The real server is exercised by the server module's ReadCliIT.
 */
class ReadCommandTest {
  private static final long NOW = 1_764_200_000_000L;

  @TempDir
  Path dir;

  private final List<ReadTradesRequest> tradeRequests = new CopyOnWriteArrayList<>();
  private final List<GetCandlesRequest> candleRequests = new CopyOnWriteArrayList<>();
  private final AtomicBoolean breakFirstStream = new AtomicBoolean(true);
  private Server server;

  /** Trades t-0..t-4 in pages of two; the first stream breaks after its first page. */
  private final class FakeQueries extends QueryServiceGrpc.QueryServiceImplBase {
    @Override
    public void readTrades(ReadTradesRequest request, StreamObserver<ReadTradesResponse> responses) {
      tradeRequests.add(request);
      int from = request.getPageToken().isEmpty() ? 0 : Integer.parseInt(request.getPageToken());
      for (int page = from; page < 5; page += 2) {
        ReadTradesResponse.Builder response = ReadTradesResponse.newBuilder();
        for (int i = page; i < Math.min(5, page + 2); i++) {
          response.addTrades(trade(i));
        }
        responses.onNext(response.setNextPageToken(page + 2 < 5 ? Integer.toString(page + 2) : "").build());
        if (breakFirstStream.getAndSet(false)) {
          responses.onError(Status.UNAVAILABLE.withDescription("replica restarting").asRuntimeException());
          return;
        }
      }
      responses.onCompleted();
    }

    @Override
    public void getMarketState(GetMarketStateRequest request, StreamObserver<GetMarketStateResponse> responses) {
      if (request.getCurrencyPairNo() != 2) {
        responses.onError(Status.INVALID_ARGUMENT.withDescription("currency_pair_no: market 1/9 is not registered")
            .asRuntimeException());
        return;
      }
      responses.onNext(GetMarketStateResponse.newBuilder().setLastTrade(trade(4)).build());
      responses.onCompleted();
    }

    @Override
    public void getCandles(GetCandlesRequest request, StreamObserver<GetCandlesResponse> responses) {
      candleRequests.add(request);
      responses.onNext(GetCandlesResponse.newBuilder().addCandles(Candle.newBuilder().setOpenTimeMs(1_764_115_200_000L)
          .setOpen("1.10").setHigh("1.20").setLow("1.00").setClose("1.15").setVolume("2.0").setQuoteVolume("2.30")
          .setTradeCount(2)).build());
      responses.onCompleted();
    }
  }

  private static Trade trade(int i) {
    return Trade.newBuilder().setExchangeId(1).setCurrencyPairNo(2).setTradeId("t-" + i).setPrice("100.10")
        .setQuantity("0.0" + (i + 1)).setTakerSide(i % 2 == 0 ? TradeSide.TRADE_SIDE_BUY : TradeSide.TRADE_SIDE_SELL)
        .setTradeTimeMs(1_764_115_200_000L + i).setReceiveTimeMs(1_764_115_200_005L + i).build();
  }

  @BeforeEach
  void start() throws Exception {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(new FakeQueries()).build().start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private record Result(int exitCode, String out, String err) {}

  private Result run(String... args) {
    CliContext context = new CliContext(Map.of("TICKVAULT_TARGET", "127.0.0.1:" + server.getPort()), false,
        Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
    CommandLine cli = TickvaultCli.commandLine(context);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exitCode = cli.execute(args);
    return new Result(exitCode, out.toString(), err.toString());
  }

  @Test
  void readTrades_csvAcrossABrokenStream_everyTradeOnce_withTheHeaderIngestReads() {
    Result result = run("read", "trades", "--exchange-id", "1", "--pair-no", "2",
        "--from", "2025-11-26", "--to", "1764115300000", "--page-size", "2");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out().lines()).containsExactly(
        "exchange_id,currency_pair_no,trade_id,price,quantity,taker_side,trade_time_ms,receive_time_ms",
        "1,2,t-0,100.10,0.01,BUY,1764115200000,1764115200005",
        "1,2,t-1,100.10,0.02,SELL,1764115200001,1764115200006",
        "1,2,t-2,100.10,0.03,BUY,1764115200002,1764115200007",
        "1,2,t-3,100.10,0.04,SELL,1764115200003,1764115200008",
        "1,2,t-4,100.10,0.05,BUY,1764115200004,1764115200009");
    assertThat(result.err()).startsWith("read 5 trades in ");
    assertThat(tradeRequests).extracting(ReadTradesRequest::getPageToken).containsExactly("", "2");
    assertThat(tradeRequests.get(0)).isEqualTo(ReadTradesRequest.newBuilder().setExchangeId(1).setCurrencyPairNo(2)
        .setStartTimeMs(1_764_115_200_000L).setEndTimeMs(1_764_115_300_000L).setPageSize(2).build());
  }

  @Test
  void readTrades_toAJsonlFile_oneTradeALine() throws Exception {
    Path file = dir.resolve("trades.jsonl");

    Result result = run("read", "trades", "--exchange-id", "1", "--pair-no", "2", "--out", file.toString());

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).isEmpty();
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(5);
    assertThat(tradeRequests.get(0).getPageSize()).as("the CLI's default page").isEqualTo(10_000);
    assertThat(lines.get(0)).isEqualTo("{\"exchange_id\":1,\"currency_pair_no\":2,\"trade_id\":\"t-0\",\"price\":\"100.10\","
        + "\"quantity\":\"0.01\",\"taker_side\":\"TRADE_SIDE_BUY\",\"trade_time_ms\":\"1764115200000\","
        + "\"receive_time_ms\":\"1764115200005\"}");
  }

  @Test
  void readTrades_formatFollowsTheFileName_unlessOutputSaysOtherwise() throws Exception {
    Path json = dir.resolve("trades.json");
    Path csv = dir.resolve("trades.csv");
    Path forced = dir.resolve("trades.csv.txt");

    for (Result result : List.of(
        run("read", "trades", "--exchange-id", "1", "--pair-no", "2", "--out", json.toString()),
        run("read", "trades", "--exchange-id", "1", "--pair-no", "2", "--out", csv.toString()),
        run("read", "trades", "--exchange-id", "1", "--pair-no", "2", "--out", forced.toString(), "-o", "jsonl"))) {
      assertThat(result.exitCode()).as(result.err()).isZero();
    }

    assertThat(Files.readAllLines(json).get(0)).startsWith("{\"exchange_id\":1,");
    assertThat(Files.readAllLines(csv).get(0)).isEqualTo(CsvLines.TRADE_HEADER);
    assertThat(Files.readAllLines(forced).get(0)).startsWith("{\"exchange_id\":1,");
  }

  @Test
  void readCandles_intervalInUnits_toDefaultsToNow() {
    Result result = run("read", "candles", "--exchange-id", "1", "--pair-no", "2", "--from", "2025-11-26T00:00:00Z",
        "--interval", "15m");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out().lines()).containsExactly(
        "open_time_ms,open,high,low,close,volume,quote_volume,trade_count",
        "1764115200000,1.10,1.20,1.00,1.15,2.0,2.30,2");
    assertThat(candleRequests).containsExactly(GetCandlesRequest.newBuilder().setExchangeId(1).setCurrencyPairNo(2)
        .setStartTimeMs(1_764_115_200_000L).setEndTimeMs(NOW).setIntervalMs(900_000).build());
  }

  @Test
  void readState_isOneJsonLine() {
    Result result = run("read", "state", "--exchange-id", "1", "--pair-no", "2");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).startsWith("{\"last_trade\":{\"exchange_id\":1,\"currency_pair_no\":2,\"trade_id\":\"t-4\"")
        .endsWith("}\n");
  }

  @Test
  void readState_withOutputJson_isTheSameLine_andTextIsRefused() {
    Result json = run("read", "state", "--exchange-id", "1", "--pair-no", "2", "-o", "json");
    Result text = run("read", "state", "--exchange-id", "1", "--pair-no", "2", "-o", "text");

    assertThat(json.exitCode()).as(json.err()).isZero();
    assertThat(json.out()).isEqualTo(run("read", "state", "--exchange-id", "1", "--pair-no", "2").out());
    assertThat(text.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(text.err()).contains("'read' writes csv or jsonl, not text");
  }

  @Test
  void refusedByTheServer_exit5_withItsMessage() {
    Result result = run("read", "state", "--exchange-id", "1", "--pair-no", "9");

    assertThat(result.exitCode()).isEqualTo(ExitCodes.REFUSED);
    assertThat(result.err()).contains("INVALID_ARGUMENT: currency_pair_no: market 1/9 is not registered");
  }

  @Test
  void badTimeOrInterval_orCsvOfOrderBooks_isAUsageError_beforeAnyCall() {
    Result time = run("read", "trades", "--exchange-id", "1", "--pair-no", "2", "--from", "last tuesday");
    Result interval = run("read", "candles", "--exchange-id", "1", "--pair-no", "2", "--from", "0", "--interval", "1y");
    Result csvBooks = run("read", "orderbooks", "--exchange-id", "1", "--pair-no", "2", "-o", "csv");

    assertThat(time.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(time.err()).contains("'last tuesday'");
    assertThat(interval.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(csvBooks.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(csvBooks.err()).contains("JSON Lines only");
    assertThat(tradeRequests).isEmpty();
  }
}
