package io.tickvault.server.trade;

import static io.tickvault.server.testing.GrpcAssertions.assertInvalidArgument;
import static io.tickvault.server.testing.GrpcAssertions.rpcError;
import static io.tickvault.server.testing.QueryCalls.TRADE_ORDER;
import static io.tickvault.server.testing.QueryCalls.ingestTrades;
import static io.tickvault.server.testing.QueryCalls.trade;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.Candle;
import io.tickvault.api.v1.GetCandlesRequest;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.testing.TestServer;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** GetCandles against candles computed here, in BigDecimal, from the trades the test sent. */
class CandlesIT {
  static final long MINUTE = 60_000;
  /** A multiple of a minute, so buckets are easy to reason about; trades start mid-bucket anyway. */
  static final long T0 = TradeCalls.TIME / MINUTE * MINUTE;

  @RegisterExtension
  static TestServer server = TestServer.inProcess();

  static List<Trade> sent = new ArrayList<>();

  @BeforeAll
  static void ingest() {
    TradeCalls.registerMarket(server.channel(), 1, 1);
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < 3_000; i++) {
      // 40 minutes with minutes 10 to 14 left empty, some trades sharing a millisecond.
      long minute = random.nextInt(0, 35);
      minute = minute >= 10 ? minute + 5 : minute;
      long time = T0 + minute * MINUTE + random.nextInt(0, 600) * 100L;
      String price = random.nextInt(1, 100_000) + "." + "0123456789".substring(0, random.nextInt(0, 9));
      String quantity = "0." + String.format("%08d", random.nextInt(1, 100_000_000));
      sent.add(trade(1, 1, "c" + i, time, price.endsWith(".") ? price + "5" : price, quantity));
    }
    ingestTrades(server.channel(), sent);
  }

  @Test
  void candles_matchOnesComputedIndependently_digitForDigit() {
    long start = T0 + 30_000; // mid-bucket: the first candle holds only the trades from here on
    long end = T0 + 41 * MINUTE;
    List<Candle> candles = QueryServiceGrpc.newBlockingStub(server.channel()).getCandles(GetCandlesRequest.newBuilder()
        .setExchangeId(1).setCurrencyPairNo(1).setStartTimeMs(start).setEndTimeMs(end).setIntervalMs(MINUTE).build())
        .getCandlesList();

    List<Candle> expected = expectedCandles(start, end, MINUTE);
    assertThat(expected).hasSize(35); // 40 minutes, 5 of them empty
    assertThat(candles).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      Candle e = expected.get(i);
      Candle c = candles.get(i);
      assertThat(c.getOpenTimeMs()).isEqualTo(e.getOpenTimeMs());
      assertThat(c.getOpen()).isEqualTo(e.getOpen());
      assertThat(c.getClose()).isEqualTo(e.getClose());
      assertThat(new BigDecimal(c.getHigh())).isEqualByComparingTo(e.getHigh());
      assertThat(new BigDecimal(c.getLow())).isEqualByComparingTo(e.getLow());
      assertThat(c.getVolume()).isEqualTo(e.getVolume());
      assertThat(c.getQuoteVolume()).isEqualTo(e.getQuoteVolume());
      assertThat(c.getTradeCount()).isEqualTo(e.getTradeCount());
    }
  }

  @Test
  void tooManyCandlesOrBadInterval_isInvalidArgumentNamingTheField() {
    var query = QueryServiceGrpc.newBlockingStub(server.channel());
    GetCandlesRequest base = GetCandlesRequest.newBuilder().setExchangeId(1).setCurrencyPairNo(1)
        .setStartTimeMs(0).setEndTimeMs(10_001).setIntervalMs(1).build();
    assertInvalidArgument(rpcError(() -> query.getCandles(base)),
        "interval_ms", "gives 10001 candles over [0, 10001), at most 10000 are allowed: use a shorter range or a longer interval");
    assertThat(query.getCandles(base.toBuilder().setEndTimeMs(10_000).build()).getCandlesList()).isEmpty();
    assertInvalidArgument(rpcError(() -> query.getCandles(base.toBuilder().setIntervalMs(0).build())),
        "interval_ms", "is required (milliseconds, e.g. 60000 for one minute)");
    assertInvalidArgument(rpcError(() -> query.getCandles(base.toBuilder().setIntervalMs(-60_000).build())),
        "interval_ms", "must be positive, got -60000");
    assertInvalidArgument(rpcError(() -> query.getCandles(base.toBuilder().setEndTimeMs(0).build())),
        "end_time_ms", "is required (epoch milliseconds)");
  }

  /** The candles of the sent trades in [start, end), by plain Java arithmetic. */
  private static List<Candle> expectedCandles(long start, long end, long interval) {
    TreeMap<Long, List<Trade>> buckets = new TreeMap<>();
    for (Trade t : sent) {
      if (t.getTradeTimeMs() >= start && t.getTradeTimeMs() < end) {
        buckets.computeIfAbsent(t.getTradeTimeMs() / interval * interval, k -> new ArrayList<>()).add(t);
      }
    }
    List<Candle> candles = new ArrayList<>();
    buckets.forEach((openTime, trades) -> {
      trades.sort(TRADE_ORDER);
      BigDecimal high = null;
      BigDecimal low = null;
      BigDecimal volume = BigDecimal.ZERO.setScale(0);
      BigDecimal quoteVolume = BigDecimal.ZERO.setScale(0);
      for (Trade t : trades) {
        BigDecimal price = new BigDecimal(t.getPrice());
        BigDecimal quantity = new BigDecimal(t.getQuantity());
        high = high == null || price.compareTo(high) > 0 ? price : high;
        low = low == null || price.compareTo(low) < 0 ? price : low;
        volume = volume.add(quantity);
        quoteVolume = quoteVolume.add(price.multiply(quantity));
      }
      candles.add(Candle.newBuilder()
          .setOpenTimeMs(openTime)
          .setOpen(trades.get(0).getPrice())
          .setHigh(high.toPlainString())
          .setLow(low.toPlainString())
          .setClose(trades.get(trades.size() - 1).getPrice())
          .setVolume(volume.toPlainString())
          .setQuoteVolume(quoteVolume.toPlainString())
          .setTradeCount(trades.size())
          .build());
    });
    return candles;
  }
}
