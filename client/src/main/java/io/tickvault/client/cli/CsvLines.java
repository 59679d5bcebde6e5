package io.tickvault.client.cli;

import io.tickvault.api.v1.Candle;
import io.tickvault.api.v1.Trade;

/**
 * Records as CSV lines for {@code tickvault read}. A trade's line has exactly the columns
 * {@code ingest trades} reads ({@link TradeCsvSource}), so what is read can be ingested again;
 * decimals are copied as stored, digit for digit.
 */
final class CsvLines {
  static final String TRADE_HEADER =
      "exchange_id,currency_pair_no,trade_id,price,quantity,taker_side,trade_time_ms,receive_time_ms";
  static final String CANDLE_HEADER = "open_time_ms,open,high,low,close,volume,quote_volume,trade_count";

  private CsvLines() {}

  /** The trade's line, without the line break; taker_side BUY, SELL or empty. */
  static void trade(StringBuilder line, Trade t) {
    line.append(t.getExchangeId()).append(',').append(t.getCurrencyPairNo()).append(',');
    text(line, t.getTradeId());
    line.append(',');
    text(line, t.getPrice());
    line.append(',');
    text(line, t.getQuantity());
    line.append(',');
    switch (t.getTakerSide()) {
      case TRADE_SIDE_BUY -> line.append("BUY");
      case TRADE_SIDE_SELL -> line.append("SELL");
      default -> { } // unspecified: empty, as ingest reads it
    }
    line.append(',').append(t.getTradeTimeMs()).append(',');
    if (t.getReceiveTimeMs() != 0) {
      line.append(t.getReceiveTimeMs());
    }
  }

  static void candle(StringBuilder line, Candle c) {
    line.append(c.getOpenTimeMs()).append(',');
    text(line, c.getOpen());
    line.append(',');
    text(line, c.getHigh());
    line.append(',');
    text(line, c.getLow());
    line.append(',');
    text(line, c.getClose());
    line.append(',');
    text(line, c.getVolume());
    line.append(',');
    text(line, c.getQuoteVolume());
    line.append(',').append(c.getTradeCount());
  }

  /** A value, in double quotes (with "" for a quote) when it holds a comma, a quote or a line break. */
  static void text(StringBuilder line, String value) {
    boolean plain = true;
    for (int i = 0; i < value.length() && plain; i++) {
      char c = value.charAt(i);
      plain = c != ',' && c != '"' && c != '\n' && c != '\r';
    }
    if (plain) {
      line.append(value);
      return;
    }
    line.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      line.append(c);
      if (c == '"') {
        line.append('"');
      }
    }
    line.append('"');
  }
}
