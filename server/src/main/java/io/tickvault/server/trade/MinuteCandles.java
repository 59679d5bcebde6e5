package io.tickvault.server.trade;

import io.tickvault.api.v1.Trade;
import io.tickvault.server.db.PlainDecimal;
import io.tickvault.server.read.PageToken;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.Comparator;
import java.util.TreeMap;

/**
 * The one-minute candles of a batch of inserted trades, by market and minute, computed here so
 * that PostgreSQL merges a few rows per batch instead of aggregating every trade again. The
 * arithmetic is PostgreSQL's {@code numeric}: {@link BigDecimal} adds to the larger scale and
 * multiplies to the sum of the scales, as {@code numeric} does, and every price and quantity
 * accepted is a plain decimal whose text is its value and scale ({@link io.tickvault.server.db.PlainDecimal}).
 * Open and close are the first and last trade by (trade_time_ms, trade_id in UTF-8 byte order);
 * of prices of equal value, high and low keep the one with the most digits after the point.
 */
final class MinuteCandles {
  static final long MINUTE_MS = 60_000;

  /** A market's minute; in key order, the order rows are written in (against deadlocks). */
  record Key(int exchangeId, int currencyPairNo, long minute) implements Comparable<Key> {
    private static final Comparator<Key> ORDER = Comparator.comparingInt(Key::exchangeId)
        .thenComparingInt(Key::currencyPairNo).thenComparingLong(Key::minute);

    @Override
    public int compareTo(Key other) {
      return ORDER.compare(this, other);
    }
  }

  /** One minute's partial candle: what the trades of this batch add to it. */
  static final class Candle {
    final Key key;
    Trade open;
    Trade close;
    BigDecimal high;
    BigDecimal low;
    BigDecimal volume;
    BigDecimal quoteVolume;
    long tradeCount;

    private Candle(Key key) {
      this.key = key;
    }

    private void add(Trade trade) {
      BigDecimal price = PlainDecimal.toBigDecimal(trade.getPrice());
      BigDecimal quantity = PlainDecimal.toBigDecimal(trade.getQuantity());
      if (tradeCount == 0) {
        open = trade;
        close = trade;
        high = price;
        low = price;
        volume = quantity;
        quoteVolume = price.multiply(quantity);
      } else {
        if (before(trade, open)) {
          open = trade;
        }
        if (before(close, trade)) {
          close = trade;
        }
        high = higher(price, high) ? price : high;
        low = lower(price, low) ? price : low;
        volume = volume.add(quantity);
        quoteVolume = quoteVolume.add(price.multiply(quantity));
      }
      tradeCount++;
    }
  }

  private final TreeMap<Key, Candle> candles = new TreeMap<>();

  /** Counts {@code trade} in its minute's candle. */
  void add(Trade trade) {
    Key key = new Key(trade.getExchangeId(), trade.getCurrencyPairNo(), minuteOf(trade.getTradeTimeMs()));
    candles.computeIfAbsent(key, Candle::new).add(trade);
  }

  /** The candles, in key order. */
  Collection<Candle> candles() {
    return candles.values();
  }

  boolean isEmpty() {
    return candles.isEmpty();
  }

  /** Start of the minute holding {@code timeMs}, as the rollup's {@code minute} column. */
  static long minuteOf(long timeMs) {
    return Math.floorDiv(timeMs, MINUTE_MS) * MINUTE_MS;
  }

  private static boolean before(Trade a, Trade b) {
    return a.getTradeTimeMs() < b.getTradeTimeMs()
        || a.getTradeTimeMs() == b.getTradeTimeMs() && PageToken.compareUtf8(a.getTradeId(), b.getTradeId()) < 0;
  }

  /** Whether {@code price} replaces {@code high}: greater, or equal and spelled with more decimals. */
  static boolean higher(BigDecimal price, BigDecimal high) {
    int c = price.compareTo(high);
    return c > 0 || c == 0 && price.scale() > high.scale();
  }

  /** Whether {@code price} replaces {@code low}: smaller, or equal and spelled with more decimals. */
  static boolean lower(BigDecimal price, BigDecimal low) {
    int c = price.compareTo(low);
    return c < 0 || c == 0 && price.scale() > low.scale();
  }
}
