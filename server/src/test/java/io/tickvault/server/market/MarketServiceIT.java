package io.tickvault.server.market;

import static io.tickvault.server.testing.GrpcAssertions.assertInvalidArgument;
import static io.tickvault.server.testing.GrpcAssertions.assertInvalidArgumentFields;
import static io.tickvault.server.testing.GrpcAssertions.rpcError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.grpc.StatusRuntimeException;
import io.tickvault.api.v1.CurrencyPair;
import io.tickvault.api.v1.Exchange;
import io.tickvault.api.v1.ListCurrencyPairsRequest;
import io.tickvault.api.v1.ListCurrencyPairsResponse;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.PutCurrencyPairRequest;
import io.tickvault.api.v1.PutExchangeRequest;
import io.tickvault.server.testing.TestServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MarketServiceIT {
  @RegisterExtension
  static TestServer server = TestServer.inProcess();

  private MarketServiceGrpc.MarketServiceBlockingStub markets;

  @BeforeEach
  void setUp() {
    server.database().truncate("currency_pairs", "exchanges CASCADE");
    markets = MarketServiceGrpc.newBlockingStub(server.channel());
  }

  @Test
  void putExchangeThenPairs_areListedInOrder() {
    assertThat(markets.putExchange(exchange(2, "upbit")).getCreated()).isTrue();
    assertThat(markets.putExchange(exchange(1, "binance")).getCreated()).isTrue();
    markets.putCurrencyPair(pair(2, 7, "BTC", "KRW"));
    markets.putCurrencyPair(pair(1, 2, "ETH", "USDT"));
    markets.putCurrencyPair(pair(1, 1, "BTC", "USDT"));

    assertThat(markets.listCurrencyPairs(ListCurrencyPairsRequest.getDefaultInstance()).getCurrencyPairsList())
        .extracting(CurrencyPair::getExchangeCode, CurrencyPair::getCurrencyPairNo, CurrencyPair::getBaseCurrency)
        .containsExactly(
            tuple("binance", 1, "BTC"),
            tuple("binance", 2, "ETH"),
            tuple("upbit", 7, "BTC"));
    assertThat(markets.listCurrencyPairs(ListCurrencyPairsRequest.newBuilder().setExchangeId(2).build()).getCurrencyPairsCount())
        .isEqualTo(1);
  }

  @Test
  void anExchangeWithoutPairs_isListedAmongTheExchanges() {
    markets.putExchange(exchange(2, "upbit"));
    markets.putExchange(exchange(1, "binance"));
    markets.putCurrencyPair(pair(1, 1, "BTC", "USDT"));

    ListCurrencyPairsResponse all = markets.listCurrencyPairs(ListCurrencyPairsRequest.getDefaultInstance());

    assertThat(all.getCurrencyPairsList()).extracting(CurrencyPair::getExchangeId).containsExactly(1);
    assertThat(all.getExchangesList()).extracting(Exchange::getExchangeId, Exchange::getCode)
        .containsExactly(tuple(1, "binance"), tuple(2, "upbit"));
    ListCurrencyPairsResponse upbit = markets.listCurrencyPairs(ListCurrencyPairsRequest.newBuilder().setExchangeId(2).build());
    assertThat(upbit.getCurrencyPairsList()).isEmpty();
    assertThat(upbit.getExchangesList()).extracting(Exchange::getCode).containsExactly("upbit");
  }

  @Test
  void exchangeIds_areOneTo32767_asMarketProtoSays() {
    assertThat(markets.putExchange(exchange(32767, "last")).getCreated()).isTrue();
    assertThat(markets.putCurrencyPair(pair(32767, 1, "BTC", "USDT")).getCreated()).isTrue();

    assertInvalidArgument(rpcError(() -> markets.putExchange(exchange(32768, "too-far"))),
        "exchange_id", "must be 1 to 32767, got 32768");
    assertInvalidArgument(rpcError(() -> markets.putCurrencyPair(pair(40000, 1, "BTC", "USDT"))),
        "exchange_id", "must be 1 to 32767, got 40000");
    assertInvalidArgument(rpcError(() -> markets.putExchange(exchange(0, "none"))), "exchange_id", "is required");
  }

  @Test
  void putExchangeTwice_updatesTheCode() {
    markets.putExchange(exchange(1, "binance"));

    assertThat(markets.putExchange(exchange(1, "binance-spot")).getCreated()).isFalse();
    markets.putCurrencyPair(pair(1, 1, "BTC", "USDT"));
    assertThat(markets.listCurrencyPairs(ListCurrencyPairsRequest.getDefaultInstance()).getCurrencyPairs(0).getExchangeCode())
        .isEqualTo("binance-spot");
  }

  @Test
  void putExchangeWithEmptyCode_isInvalidArgumentNamingTheField() {
    StatusRuntimeException e = rpcError(() -> markets.putExchange(exchange(1, "")));

    assertInvalidArgument(e, "code", "is required");
  }

  @Test
  void putExchangeWithTwoBadFields_namesBoth() {
    StatusRuntimeException e = rpcError(() -> markets.putExchange(PutExchangeRequest.newBuilder()
        .setExchangeId(0).setCode("Not A Code").build()));

    assertInvalidArgumentFields(e, "exchange_id", "is required",
        "code", "must be 1 to 32 lower case letters, digits, '_' or '-'");
  }

  @Test
  void putCurrencyPairWithEveryFieldBad_namesThemAll() {
    StatusRuntimeException e = rpcError(() -> markets.putCurrencyPair(PutCurrencyPairRequest.newBuilder()
        .setExchangeId(-1).setBaseCurrency("btc").build()));

    assertInvalidArgumentFields(e, "exchange_id", "must be positive, got -1", "currency_pair_no", "is required",
        "base_currency", "must be 1 to 16 upper case letters or digits, got 'btc'", "quote_currency", "is required");
  }

  @Test
  void putExchangeWithNegativeId_isInvalidArgument() {
    StatusRuntimeException e = rpcError(() -> markets.putExchange(exchange(-3, "binance")));

    assertInvalidArgument(e, "exchange_id", "must be positive, got -3");
  }

  @Test
  void putExchangeAboveTheDocumentedRange_isInvalidArgument_andTheLimitItselfIsAccepted() {
    assertInvalidArgument(rpcError(() -> markets.putExchange(exchange(32768, "big"))),
        "exchange_id", "must be 1 to 32767, got 32768");
    assertInvalidArgument(rpcError(() -> markets.putExchange(exchange(Integer.MAX_VALUE, "big"))),
        "exchange_id", "must be 1 to 32767, got 2147483647");

    assertThat(markets.putExchange(exchange(32767, "big")).getCreated()).isTrue();
  }

  @Test
  void putExchangeWithACodeTakenByAnother_isInvalidArgument() {
    markets.putExchange(exchange(1, "binance"));

    StatusRuntimeException e = rpcError(() -> markets.putExchange(exchange(2, "binance")));

    assertInvalidArgument(e, "code", "'binance' is already the code of exchange 1");
  }

  @Test
  void putCurrencyPairOfUnknownExchange_isInvalidArgumentNamingTheExchange() {
    StatusRuntimeException e = rpcError(() -> markets.putCurrencyPair(pair(9, 1, "BTC", "USDT")));

    assertInvalidArgument(e, "exchange_id", "exchange 9 is not registered: PutExchange first");
  }

  @Test
  void putCurrencyPairWithLowerCaseCurrency_isInvalidArgument() {
    markets.putExchange(exchange(1, "binance"));

    StatusRuntimeException e = rpcError(() -> markets.putCurrencyPair(pair(1, 1, "btc", "USDT")));

    assertInvalidArgument(e, "base_currency", "must be 1 to 16 upper case letters or digits, got 'btc'");
  }

  private static PutExchangeRequest exchange(int id, String code) {
    return PutExchangeRequest.newBuilder().setExchangeId(id).setCode(code).build();
  }

  private static PutCurrencyPairRequest pair(int exchangeId, int no, String base, String quote) {
    return PutCurrencyPairRequest.newBuilder()
        .setExchangeId(exchangeId).setCurrencyPairNo(no).setBaseCurrency(base).setQuoteCurrency(quote).build();
  }
}
