package io.tickvault.server.trade;

import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.IngestTradesAck;
import io.tickvault.api.v1.IngestTradesRequest;
import io.tickvault.api.v1.IngestTradesResponse;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.PutCurrencyPairRequest;
import io.tickvault.api.v1.PutExchangeRequest;
import io.tickvault.api.v1.StreamTradesRequest;
import io.tickvault.api.v1.Trade;
import io.tickvault.api.v1.TradeSide;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.testing.Responses;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Test helpers: make trades, send them over the real stubs, read the table back. */
public final class TradeCalls {
  /** A fixed "now" for trades, well in the past of any clock a test runs with. */
  public static final long TIME = 1_764_000_000_000L;

  private TradeCalls() {}

  public static Trade trade(int exchangeId, int pairNo, String tradeId, String price, String quantity) {
    return Trade.newBuilder()
        .setExchangeId(exchangeId)
        .setCurrencyPairNo(pairNo)
        .setTradeId(tradeId)
        .setPrice(price)
        .setQuantity(quantity)
        .setTakerSide(TradeSide.TRADE_SIDE_BUY)
        .setTradeTimeMs(TIME)
        .setReceiveTimeMs(TIME + 5)
        .build();
  }

  /** Trade {@code n} of market 1/1 ("t-n"), with a price and quantity derived from n. */
  public static Trade trade(long n) {
    return trade(1, 1, "t-" + n, (60_000 + n % 1000) + "." + (n % 97), "0.00" + (1 + n % 9000));
  }

  /** Registers exchange 1 with pair 1 (and more pairs if asked). */
  public static void registerMarket(Channel channel, int exchangeId, int... pairs) {
    MarketServiceGrpc.MarketServiceBlockingStub markets = MarketServiceGrpc.newBlockingStub(channel);
    markets.putExchange(PutExchangeRequest.newBuilder().setExchangeId(exchangeId).setCode("ex" + exchangeId).build());
    for (int pair : pairs) {
      markets.putCurrencyPair(PutCurrencyPairRequest.newBuilder()
          .setExchangeId(exchangeId).setCurrencyPairNo(pair).setBaseCurrency("BTC").setQuoteCurrency("USDT").build());
    }
  }

  /** IngestTrades with one request per list; the summary, or the call's error as thrown. */
  public static IngestTradesResponse ingest(Channel channel, List<List<Trade>> requests) {
    Responses<IngestTradesResponse> summary = new Responses<>();
    StreamObserver<IngestTradesRequest> requestStream = IngestServiceGrpc.newStub(channel).ingestTrades(summary);
    for (List<Trade> request : requests) {
      requestStream.onNext(IngestTradesRequest.newBuilder().addAllTrades(request).build());
    }
    requestStream.onCompleted();
    return await(summary.first());
  }

  /** IngestTrades with one request carrying trades and coverage claims; the summary, or the call's error as thrown. */
  public static IngestTradesResponse ingestWithClaims(Channel channel, List<Trade> trades,
                                                      List<io.tickvault.api.v1.CoverageClaim> claims) {
    Responses<IngestTradesResponse> summary = new Responses<>();
    StreamObserver<IngestTradesRequest> requestStream = IngestServiceGrpc.newStub(channel).ingestTrades(summary);
    requestStream.onNext(IngestTradesRequest.newBuilder().addAllTrades(trades).addAllCoverage(claims).build());
    requestStream.onCompleted();
    return await(summary.first());
  }

  /** StreamTrades with one request per list; every ack, or the call's error as thrown. */
  public static List<IngestTradesAck> stream(Channel channel, List<List<Trade>> requests) {
    Responses<IngestTradesAck> acks = new Responses<>();
    StreamObserver<StreamTradesRequest> requestStream = IngestServiceGrpc.newStub(channel).streamTrades(acks);
    for (List<Trade> request : requests) {
      requestStream.onNext(StreamTradesRequest.newBuilder().addAllTrades(request).build());
    }
    requestStream.onCompleted();
    return await(acks.all());
  }

  public static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(120, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The stored trades as "exchange/pair/trade_id price quantity side trade_time receive_time", sorted. */
  public static List<String> storedTrades(Jdbc jdbc) {
    return jdbc.query("""
            SELECT exchange_id || '/' || currency_pair_no || '/' || trade_id || ' ' || price || ' ' || quantity
                   || ' ' || coalesce(taker_side::text, '-') || ' ' || trade_time_ms || ' ' || receive_time_ms
            FROM trades ORDER BY exchange_id, currency_pair_no, trade_id
            """, row -> row.getString(1));
  }

  public static long countTrades(Jdbc jdbc) {
    return jdbc.queryOne("SELECT count(*) FROM trades", row -> row.getLong(1)).orElseThrow();
  }
}
