package io.tickvault.server.trade;

import static io.tickvault.server.testing.QueryCalls.trade;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.Trade;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class MinuteCandlesTest {
  private static final long MINUTE = 1_764_115_200_000L;

  @Test
  void add_groupsByMarketAndMinute_inKeyOrder_whateverTheOrderOfArrival() {
    MinuteCandles candles = candlesOf(trade(2, 1, "a", MINUTE + 61_000, "1", "1"),
        trade(1, 2, "b", MINUTE + 5, "1", "1"), trade(1, 2, "c", MINUTE + 59_999, "1", "1"),
        trade(1, 1, "d", MINUTE + 60_000, "1", "1"), trade(2, 1, "e", MINUTE + 119_999, "1", "1"));

    assertThat(candles.candles()).extracting(c -> c.key).containsExactly(
        new MinuteCandles.Key(1, 1, MINUTE + 60_000), new MinuteCandles.Key(1, 2, MINUTE),
        new MinuteCandles.Key(2, 1, MINUTE + 60_000));
    assertThat(candles.candles()).extracting(c -> c.tradeCount).containsExactly(1L, 2L, 2L);
  }

  @Test
  void openAndClose_areTheFirstAndLastByTimeThenIdInUtf8ByteOrder_whateverTheOrderOfArrival() {
    // U+FF5E sorts before U+1F600 in UTF-8 (and PostgreSQL's "C"), after it in String.compareTo.
    MinuteCandles candles = candlesOf(trade(1, 1, "\uD83D\uDE00", MINUTE + 10, "3", "1"),
        trade(1, 1, "z", MINUTE + 20, "4", "1"), trade(1, 1, "\uFF5E", MINUTE + 10, "2", "1"),
        trade(1, 1, "y", MINUTE + 20, "5", "1"));

    MinuteCandles.Candle candle = candles.candles().iterator().next();
    assertThat(candle.open.getPrice()).isEqualTo("2");
    assertThat(candle.close.getPrice()).isEqualTo("4");
  }

  @Test
  void highAndLow_ofEqualPrices_keepTheSpellingWithTheMostDecimals_andSumsAreExact() {
    MinuteCandles candles = new MinuteCandles();
    for (String price : List.of("5.0", "5.00", "5", "2", "2.000", "2.0")) {
      candles.add(trade(1, 1, "t" + price, MINUTE, price, "0.10"));
    }
    MinuteCandles.Candle candle = candles.candles().iterator().next();
    assertThat(candle.high.toPlainString()).isEqualTo("5.00");
    assertThat(candle.low.toPlainString()).isEqualTo("2.000");
    assertThat(candle.volume.toPlainString()).isEqualTo("0.60");
    assertThat(candle.quoteVolume.toPlainString()).isEqualTo("2.10000");
    assertThat(MinuteCandles.higher(new BigDecimal("5.0"), new BigDecimal("5.00"))).isFalse();
    assertThat(MinuteCandles.lower(new BigDecimal("1.99"), new BigDecimal("2.000"))).isTrue();
  }

  private static MinuteCandles candlesOf(Trade... trades) {
    MinuteCandles candles = new MinuteCandles();
    for (Trade trade : trades) {
      candles.add(trade);
    }
    return candles;
  }
}
