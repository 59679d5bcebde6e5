package io.tickvault.server.service;

import static io.tickvault.server.testing.GrpcAssertions.assertInvalidArgumentFields;
import static io.tickvault.server.testing.GrpcAssertions.rpcError;
import static io.tickvault.server.testing.QueryCalls.readOrderBookPages;
import static io.tickvault.server.testing.QueryCalls.readTradePages;

import io.tickvault.api.v1.GetCandlesRequest;
import io.tickvault.api.v1.GetMarketStateRequest;
import io.tickvault.api.v1.GetOrderBookRequest;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.ReadOrderBooksRequest;
import io.tickvault.api.v1.ReadTradesRequest;
import io.tickvault.server.read.PageToken;
import io.tickvault.server.testing.TestServer;
import io.tickvault.server.trade.TradeCalls;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A request to QueryService with several bad fields is refused with one INVALID_ARGUMENT whose
 * BadRequest names every one of them, in the order of the request's fields, with the market's
 * registration checked last; the single-field cases are in each RPC's own test.
 */
class QueryBadRequestIT {
  static final String UNKNOWN_1_9 = "market 1/9 is not registered: PutCurrencyPair first";
  static final String MANGLED_TOKEN = "is not a token this server issued (malformed or cut): "
      + "pass a next_page_token exactly as received, or leave it empty to start over";

  @RegisterExtension
  static TestServer server = TestServer.inProcess();

  @BeforeAll
  static void register() {
    TradeCalls.registerMarket(server.channel(), 1, 1);
  }

  static QueryServiceGrpc.QueryServiceBlockingStub query() {
    return QueryServiceGrpc.newBlockingStub(server.channel());
  }

  @Test
  void readTrades_namesEveryBadField() {
    assertInvalidArgumentFields(rpcError(() -> readTradePages(server.channel(), ReadTradesRequest.newBuilder()
            .setExchangeId(0).setCurrencyPairNo(1).setStartTimeMs(2_000).setEndTimeMs(1_000).setPageSize(10_001).build())),
        "exchange_id", "is required",
        "end_time_ms", "must not be before start_time_ms (2000), got 1000",
        "page_size", "must be 1 to 10000, or 0 for the default 1000, got 10001");
    assertInvalidArgumentFields(rpcError(() -> readTradePages(server.channel(), ReadTradesRequest.newBuilder()
            .setExchangeId(1).setCurrencyPairNo(9).setStartTimeMs(-1).setEndTimeMs(-2).setPageSize(-3)
            .setPageToken("not a token!").build())),
        "start_time_ms", "must not be negative (epoch milliseconds), got -1",
        "end_time_ms", "must be positive, got -2",
        "page_size", "must be 1 to 10000, or 0 for the default 1000, got -3",
        "page_token", MANGLED_TOKEN,
        "currency_pair_no", UNKNOWN_1_9);
    String orderBookToken = new PageToken(PageToken.Kind.ORDER_BOOKS, 1, 1, 0, 0, 5, "", 1).encode();
    assertInvalidArgumentFields(rpcError(() -> readTradePages(server.channel(), ReadTradesRequest.newBuilder()
            .setExchangeId(-4).setCurrencyPairNo(-5).setPageToken(orderBookToken).build())),
        "exchange_id", "must be positive, got -4",
        "currency_pair_no", "must be positive, got -5",
        "page_token", "is a token of another RPC");
  }

  @Test
  void readOrderBooks_namesEveryBadField() {
    String tradeToken = new PageToken(PageToken.Kind.TRADES, 1, 1, 10, 5, 5, "t", 0).encode();
    assertInvalidArgumentFields(rpcError(() -> readOrderBookPages(server.channel(), ReadOrderBooksRequest.newBuilder()
            .setExchangeId(1).setCurrencyPairNo(0).setStartTimeMs(10).setEndTimeMs(5).setDepth(40_000)
            .setPageSize(1_001).setPageToken(tradeToken).build())),
        "currency_pair_no", "is required",
        "end_time_ms", "must not be before start_time_ms (10), got 5",
        "depth", "must be 1 to 32768, or 0 for every level, got 40000",
        "page_size", "must be 1 to 1000, or 0 for the default 100, got 1001",
        "page_token", "is a token of another RPC");
    String otherRead = new PageToken(PageToken.Kind.ORDER_BOOKS, 1, 1, 0, 0, 5, "", 1).encode();
    assertInvalidArgumentFields(rpcError(() -> readOrderBookPages(server.channel(), ReadOrderBooksRequest.newBuilder()
            .setExchangeId(1).setCurrencyPairNo(9).setDepth(-1).setPageToken(otherRead).build())),
        "depth", "must be 1 to 32768, or 0 for every level, got -1",
        "page_token", "was issued for a read with market 1/1 (this request has 1/9): send it with the request that received it"
            + " (only page_token changes), or leave it empty to start over",
        "currency_pair_no", UNKNOWN_1_9);
  }

  @Test
  void getOrderBook_namesEveryBadField() {
    assertInvalidArgumentFields(rpcError(() -> query().getOrderBook(GetOrderBookRequest.newBuilder()
            .setExchangeId(-1).setCurrencyPairNo(0).setAtTimeMs(-1).setDepth(32_769).build())),
        "exchange_id", "must be positive, got -1",
        "currency_pair_no", "is required",
        "at_time_ms", "must be epoch milliseconds, or 0 for the latest, got -1",
        "depth", "must be 1 to 32768, or 0 for every level, got 32769");
    assertInvalidArgumentFields(rpcError(() -> query().getOrderBook(GetOrderBookRequest.newBuilder()
            .setExchangeId(1).setCurrencyPairNo(9).setDepth(-2).build())),
        "depth", "must be 1 to 32768, or 0 for every level, got -2",
        "currency_pair_no", UNKNOWN_1_9);
  }

  @Test
  void getCandles_namesEveryBadField() {
    assertInvalidArgumentFields(rpcError(() -> query().getCandles(GetCandlesRequest.newBuilder()
            .setExchangeId(0).setCurrencyPairNo(0).setStartTimeMs(60_000).setEndTimeMs(1).setIntervalMs(0).build())),
        "exchange_id", "is required",
        "currency_pair_no", "is required",
        "end_time_ms", "must not be before start_time_ms (60000), got 1",
        "interval_ms", "is required (milliseconds, e.g. 60000 for one minute)");
    assertInvalidArgumentFields(rpcError(() -> query().getCandles(GetCandlesRequest.newBuilder()
            .setExchangeId(1).setCurrencyPairNo(9).setStartTimeMs(-5).setIntervalMs(-60_000).build())),
        "start_time_ms", "must not be negative (epoch milliseconds), got -5",
        "end_time_ms", "is required (epoch milliseconds)",
        "interval_ms", "must be positive, got -60000",
        "currency_pair_no", UNKNOWN_1_9);
    // The candle count is only judged over a good range with a good interval.
    assertInvalidArgumentFields(rpcError(() -> query().getCandles(GetCandlesRequest.newBuilder()
            .setExchangeId(1).setCurrencyPairNo(9).setStartTimeMs(0).setEndTimeMs(10_001).setIntervalMs(1).build())),
        "interval_ms", "gives 10001 candles over [0, 10001), at most 10000 are allowed: use a shorter range or a longer interval",
        "currency_pair_no", UNKNOWN_1_9);
  }

  @Test
  void getMarketState_namesEveryBadField() {
    assertInvalidArgumentFields(rpcError(() -> query().getMarketState(GetMarketStateRequest.getDefaultInstance())),
        "exchange_id", "is required",
        "currency_pair_no", "is required");
    assertInvalidArgumentFields(rpcError(() -> query().getMarketState(GetMarketStateRequest.newBuilder()
            .setExchangeId(-1).setCurrencyPairNo(-2).build())),
        "exchange_id", "must be positive, got -1",
        "currency_pair_no", "must be positive, got -2");
    assertInvalidArgumentFields(rpcError(() -> query().getMarketState(GetMarketStateRequest.newBuilder()
            .setExchangeId(1).setCurrencyPairNo(9).build())),
        "currency_pair_no", UNKNOWN_1_9);
    assertInvalidArgumentFields(rpcError(() -> query().getMarketState(GetMarketStateRequest.newBuilder()
            .setExchangeId(7).setCurrencyPairNo(1).build())),
        "exchange_id", "exchange 7 is not registered (market 7/1): PutExchange first, then PutCurrencyPair");
  }
}
