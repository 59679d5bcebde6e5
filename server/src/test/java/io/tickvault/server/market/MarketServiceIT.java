package io.tickvault.server.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.BadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.tickvault.api.v1.CurrencyPair;
import io.tickvault.api.v1.ListCurrencyPairsRequest;
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
            org.assertj.core.groups.Tuple.tuple("binance", 1, "BTC"),
            org.assertj.core.groups.Tuple.tuple("binance", 2, "ETH"),
            org.assertj.core.groups.Tuple.tuple("upbit", 7, "BTC"));
    assertThat(markets.listCurrencyPairs(ListCurrencyPairsRequest.newBuilder().setExchangeId(2).build()).getCurrencyPairsCount())
        .isEqualTo(1);
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

  static void assertInvalidArgument(StatusRuntimeException e, String field, String description) {
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).isEqualTo(field + ": " + description);
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    assertThat(status).isNotNull();
    BadRequest badRequest = status.getDetailsList().stream()
        .filter(any -> any.is(BadRequest.class))
        .map(any -> {
          try {
            return any.unpack(BadRequest.class);
          } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
            throw new AssertionError(ex);
          }
        })
        .findFirst().orElseThrow();
    assertThat(badRequest.getFieldViolations(0).getField()).isEqualTo(field);
    assertThat(badRequest.getFieldViolations(0).getDescription()).isEqualTo(description);
  }

  static StatusRuntimeException rpcError(Runnable call) {
    return catchThrowableOfType(StatusRuntimeException.class, call::run);
  }

  private static PutExchangeRequest exchange(int id, String code) {
    return PutExchangeRequest.newBuilder().setExchangeId(id).setCode(code).build();
  }

  private static PutCurrencyPairRequest pair(int exchangeId, int no, String base, String quote) {
    return PutCurrencyPairRequest.newBuilder()
        .setExchangeId(exchangeId).setCurrencyPairNo(no).setBaseCurrency(base).setQuoteCurrency(quote).build();
  }
}
