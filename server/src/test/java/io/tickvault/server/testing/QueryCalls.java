package io.tickvault.server.testing;

import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.IngestOrderBooksRequest;
import io.tickvault.api.v1.IngestOrderBooksResponse;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.PriceLevel;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.ReadOrderBooksRequest;
import io.tickvault.api.v1.ReadOrderBooksResponse;
import io.tickvault.api.v1.ReadTradesRequest;
import io.tickvault.api.v1.ReadTradesResponse;
import io.tickvault.api.v1.Trade;
import io.tickvault.api.v1.TradeSide;
import io.tickvault.server.trade.TradeCalls;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/** Test helpers for the read side: records to ingest, whole streams read back, the expected order. */
public final class QueryCalls {
  /** (trade_time_ms, trade_id as UTF-8 bytes): the order the reads promise, computed independently. */
  public static final Comparator<Trade> TRADE_ORDER = Comparator.comparingLong(Trade::getTradeTimeMs)
      .thenComparing((a, b) -> Arrays.compareUnsigned(
          a.getTradeId().getBytes(StandardCharsets.UTF_8), b.getTradeId().getBytes(StandardCharsets.UTF_8)));

  private QueryCalls() {}

  public static Trade trade(int exchangeId, int pairNo, String tradeId, long timeMs, String price, String quantity) {
    return Trade.newBuilder()
        .setExchangeId(exchangeId).setCurrencyPairNo(pairNo).setTradeId(tradeId)
        .setPrice(price).setQuantity(quantity).setTakerSide(TradeSide.TRADE_SIDE_SELL)
        .setTradeTimeMs(timeMs).setReceiveTimeMs(timeMs + 3)
        .build();
  }

  public static void ingestTrades(Channel channel, List<Trade> trades) {
    List<List<Trade>> requests = new ArrayList<>();
    for (int i = 0; i < trades.size(); i += 5_000) {
      requests.add(trades.subList(i, Math.min(trades.size(), i + 5_000)));
    }
    var response = TradeCalls.ingest(channel, requests);
    if (response.getRejected() != 0) {
      throw new IllegalStateException("rejected: " + response.getRejectionsList());
    }
  }

  public static OrderBookSnapshot snapshot(int exchangeId, int pairNo, long serverTimeMs, long sequenceId, int levels) {
    OrderBookSnapshot.Builder s = OrderBookSnapshot.newBuilder()
        .setExchangeId(exchangeId).setCurrencyPairNo(pairNo)
        .setServerTimeMs(serverTimeMs).setSequenceId(sequenceId).setReceiveTimeMs(serverTimeMs + 1);
    for (int i = 0; i < levels; i++) {
      // Trailing zeros on purpose: they must come back as sent.
      s.addBids(PriceLevel.newBuilder().setPrice((100_000 - i) + ".50").setQuantity("0.0" + (i + 1) + "0"));
      s.addAsks(PriceLevel.newBuilder().setPrice((100_001 + i) + ".10").setQuantity((i + 1) + ".000"));
    }
    return s.build();
  }

  public static IngestOrderBooksResponse ingestOrderBooks(Channel channel, List<OrderBookSnapshot> snapshots) {
    Responses<IngestOrderBooksResponse> summary = new Responses<>();
    StreamObserver<IngestOrderBooksRequest> requests = IngestServiceGrpc.newStub(channel).ingestOrderBooks(summary);
    requests.onNext(IngestOrderBooksRequest.newBuilder().addAllSnapshots(snapshots).build());
    requests.onCompleted();
    IngestOrderBooksResponse response = TradeCalls.await(summary.first());
    if (response.getRejected() != 0) {
      throw new IllegalStateException("rejected: " + response.getRejectionsList());
    }
    return response;
  }

  /** Every page of a ReadTrades call, in order. */
  public static List<ReadTradesResponse> readTradePages(Channel channel, ReadTradesRequest request) {
    List<ReadTradesResponse> pages = new ArrayList<>();
    Iterator<ReadTradesResponse> it = QueryServiceGrpc.newBlockingStub(channel).readTrades(request);
    it.forEachRemaining(pages::add);
    return pages;
  }

  public static List<Trade> tradesOf(List<ReadTradesResponse> pages) {
    List<Trade> trades = new ArrayList<>();
    pages.forEach(p -> trades.addAll(p.getTradesList()));
    return trades;
  }

  /** Every page of a ReadOrderBooks call, in order. */
  public static List<ReadOrderBooksResponse> readOrderBookPages(Channel channel, ReadOrderBooksRequest request) {
    List<ReadOrderBooksResponse> pages = new ArrayList<>();
    QueryServiceGrpc.newBlockingStub(channel).readOrderBooks(request).forEachRemaining(pages::add);
    return pages;
  }
}
