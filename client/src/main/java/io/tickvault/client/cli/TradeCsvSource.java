package io.tickvault.client.cli;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import io.tickvault.api.v1.Trade;
import io.tickvault.api.v1.TradeSide;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Trades from CSV: a header line naming the columns with the .proto field names, in any order,
 * then one trade per line; lowerCamelCase names (exchangeId) are read as well. {@code taker_side} (BUY, SELL, or empty) and {@code receive_time_ms}
 * may be left out. Values may be quoted ("a,b"; "" inside quotes is a quote). A line whose values
 * cannot be read (a letter in exchange_id, a column missing) is refused on its own; checking the
 * values themselves (prices, known markets) is the server's job.
 */
final class TradeCsvSource extends RecordSource<Trade> {
  static final List<String> REQUIRED = List.of(
      "exchange_id", "currency_pair_no", "trade_id", "price", "quantity", "trade_time_ms");
  static final Set<String> OPTIONAL = Set.of("taker_side", "receive_time_ms");

  private String[] columns;

  TradeCsvSource(Input input) {
    super(input);
  }

  TradeCsvSource(Path file) {
    super(file);
  }

  @Override
  Line<Trade> parse(long lineNumber, String text) {
    List<String> values = split(text);
    if (values == null && columns != null) {
      return Line.unreadable(lineNumber, "", "", "a quoted value is not closed on its line (a value cannot hold a line break)");
    }
    if (columns == null) {
      if (values == null) {
        throw new IllegalArgumentException("CSV header: a quoted name is not closed");
      }
      columns = header(values);
      Line<Trade> next = next();
      return next;
    }
    if (values.size() != columns.length) {
      return Line.unreadable(lineNumber, "", "", "expected " + columns.length + " values as in the header, got " + values.size());
    }
    Trade.Builder trade = Trade.newBuilder();
    for (int i = 0; i < columns.length; i++) {
      String column = columns[i];
      String value = values.get(i);
      try {
        set(trade, column, value);
      } catch (NumberFormatException e) {
        return Line.unreadable(lineNumber, key(trade), column, "not a whole number: '" + value + "'");
      } catch (IllegalArgumentException e) {
        return Line.unreadable(lineNumber, key(trade), column, e.getMessage());
      }
    }
    return Line.of(lineNumber, trade.build());
  }

  private static String[] header(List<String> names) {
    List<String> columns = new ArrayList<>();
    for (String name : names) {
      // exchangeId as well as exchange_id, as the JSON mapping accepts both.
      String column = name.trim().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
      if (!REQUIRED.contains(column) && !OPTIONAL.contains(column)) {
        throw new IllegalArgumentException("CSV header: unknown column '" + name.trim() + "'; the columns are "
            + String.join(",", REQUIRED) + " and optionally " + String.join(",", List.of("taker_side", "receive_time_ms")));
      }
      if (columns.contains(column)) {
        throw new IllegalArgumentException("CSV header: column '" + column + "' appears twice");
      }
      columns.add(column);
    }
    for (String required : REQUIRED) {
      if (!columns.contains(required)) {
        throw new IllegalArgumentException("CSV header: column '" + required + "' is missing; the header must name "
            + String.join(",", REQUIRED));
      }
    }
    return columns.toArray(String[]::new);
  }

  private static void set(Trade.Builder trade, String column, String value) {
    switch (column) {
      case "exchange_id":
        trade.setExchangeId(Integer.parseInt(value));
        break;
      case "currency_pair_no":
        trade.setCurrencyPairNo(Integer.parseInt(value));
        break;
      case "trade_id":
        trade.setTradeId(value);
        break;
      case "price":
        trade.setPrice(value);
        break;
      case "quantity":
        trade.setQuantity(value);
        break;
      case "taker_side":
        trade.setTakerSide(side(value));
        break;
      case "trade_time_ms":
        trade.setTradeTimeMs(Long.parseLong(value));
        break;
      case "receive_time_ms":
        trade.setReceiveTimeMs(value.isEmpty() ? 0 : Long.parseLong(value));
        break;
      default:
        throw new IllegalStateException("unchecked column " + column);
    }
  }

  private static TradeSide side(String value) {
    if (value.isEmpty()) {
      return TradeSide.TRADE_SIDE_UNSPECIFIED;
    }
    EnumValueDescriptor side = EnumSpellings.find(TradeSide.getDescriptor(), value);
    if (side == null) {
      throw new IllegalArgumentException("expected " + EnumSpellings.shortNames(TradeSide.getDescriptor())
          + " or empty, got '" + value + "'");
    }
    return TradeSide.valueOf(side);
  }

  static String key(Trade.Builder trade) {
    return trade.getExchangeId() + "/" + trade.getCurrencyPairNo() + "/" + trade.getTradeId();
  }

  /**
   * Splits one CSV line: commas separate, double quotes enclose, "" inside quotes is a quote.
   * Spaces and control characters around a value are trimmed, but never inside quotes: the value
   * {@code " a b "} is " a b ", as {@link CsvLines#text} writes it. Null when a quote is left open.
   */
  static List<String> split(String line) {
    List<String> values = new ArrayList<>();
    StringBuilder value = new StringBuilder();
    boolean quoted = false;
    int keepFrom = -1; // value[keepFrom, keepTo) came from inside quotes: not trimmed
    int keepTo = -1;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          value.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
          keepTo = value.length();
        } else {
          value.append(c);
        }
      } else if (c == '"') {
        quoted = true;
        keepFrom = keepFrom < 0 ? value.length() : keepFrom;
      } else if (c == ',') {
        values.add(trim(value, keepFrom, keepTo));
        value.setLength(0);
        keepFrom = -1;
        keepTo = -1;
      } else {
        value.append(c);
      }
    }
    if (quoted) {
      return null;
    }
    values.add(trim(value, keepFrom, keepTo));
    return values;
  }

  /** The value without the spaces and control characters around it, outside [keepFrom, keepTo). */
  private static String trim(StringBuilder value, int keepFrom, int keepTo) {
    int start = 0;
    int end = value.length();
    int startLimit = keepFrom < 0 ? end : keepFrom;
    while (start < startLimit && value.charAt(start) <= ' ') {
      start++;
    }
    int endLimit = keepTo < 0 ? start : keepTo;
    while (end > endLimit && value.charAt(end - 1) <= ' ') {
      end--;
    }
    return value.substring(start, end);
  }
}
