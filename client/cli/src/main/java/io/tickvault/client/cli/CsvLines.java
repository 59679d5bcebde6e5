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

  /**
   * The trade's line, without the line break; taker_side BUY, SELL or empty. A trade id with a line
   * break is refused (IllegalArgumentException): {@code ingest trades} reads one record a line, so
   * that trade would not read back as it was stored.
   */
  static void trade(StringBuilder line, Trade t) {
    if (t.getTradeId().indexOf('\n') >= 0 || t.getTradeId().indexOf('\r') >= 0) {
      throw new IllegalArgumentException("-o csv: trade " + t.getExchangeId() + "/" + t.getCurrencyPairNo()
          + " at " + t.getTradeTimeMs() + " has a line break in its trade_id, which CSV cannot carry so that "
          + "'ingest trades' reads it back; use -o jsonl");
    }
    line.append(t.getExchangeId()).append(',').append(t.getCurrencyPairNo()).append(',');
    text(line, t.getTradeId()).append(',');
    text(line, t.getPrice()).append(',');
    text(line, t.getQuantity()).append(',');
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
    text(line, c.getOpen()).append(',');
    text(line, c.getHigh()).append(',');
    text(line, c.getLow()).append(',');
    text(line, c.getClose()).append(',');
    text(line, c.getVolume()).append(',');
    text(line, c.getQuoteVolume()).append(',').append(c.getTradeCount());
  }

  /**
   * A value, in double quotes (with "" for a quote) when it holds a comma, a quote or a line break,
   * or starts or ends with a space or control character, which the CSV reader trims from values
   * outside quotes ({@link CsvFields}). Returns {@code line}, as {@link StringBuilder#append} does.
   */
  static StringBuilder text(StringBuilder line, String value) {
    boolean plain = value.isEmpty() || value.charAt(0) > ' ' && value.charAt(value.length() - 1) > ' ';
    for (int i = 0; i < value.length() && plain; i++) {
      char c = value.charAt(i);
      plain = c != ',' && c != '"' && c != '\n' && c != '\r';
    }
    if (plain) {
      return line.append(value);
    }
    line.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      line.append(c);
      if (c == '"') {
        line.append('"');
      }
    }
    return line.append('"');
  }
}
