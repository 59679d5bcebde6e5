package io.tickvault.client.cli;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import io.tickvault.api.v1.Trade;
import io.tickvault.api.v1.TradeSide;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * Trades from CSV: a header line naming the columns with the .proto field names, in any order,
 * then one trade per line; lowerCamelCase names (exchangeId) are read as well. {@code taker_side} (BUY, SELL, or empty) and {@code receive_time_ms}
 * may be left out. Values may be quoted ("a,b"; "" inside quotes is a quote). A line whose values
 * cannot be read (a letter in exchange_id, a column missing, text that is not UTF-8) is refused on
 * its own; checking the values themselves (prices, known markets) is the server's job.
 *
 * <p>Lines are read as bytes ({@link ByteLines}, {@link CsvFields}) and the text values go into the
 * message as bytes: no String per value, which made the parsing most of the CLI's own work.
 */
final class TradeCsvSource extends RecordSource<Trade> {
  /** A column a trade file may have; its name is the .proto field's. */
  private enum Column {
    EXCHANGE_ID, CURRENCY_PAIR_NO, TRADE_ID, PRICE, QUANTITY, TAKER_SIDE, TRADE_TIME_MS, RECEIVE_TIME_MS;

    final String field = name().toLowerCase(Locale.ROOT);

    boolean required() {
      return this != TAKER_SIDE && this != RECEIVE_TIME_MS;
    }

    static Column named(String field) {
      for (Column column : values()) {
        if (column.field.equals(field)) {
          return column;
        }
      }
      return null;
    }
  }

  /** The file's columns in its order, from the header; matched once, not per line. */
  private Column[] columns;
  private final CsvFields values = new CsvFields();
  private final Trade.Builder trade = Trade.newBuilder(); // reused: cleared for each line

  TradeCsvSource(Input input) {
    super(input);
  }

  TradeCsvSource(Path file) {
    super(file);
  }

  @Override
  Line<Trade> tooLong(long lineNumber, long length) {
    if (columns == null) {
      throw new IllegalArgumentException("CSV header (line " + lineNumber + "): " + tooLongReason(length)
          + "; is this a CSV file of trades?");
    }
    return super.tooLong(lineNumber, length);
  }

  @Override
  Line<Trade> parse(long lineNumber, ByteLines line) {
    values.split(line.bytes(), line.start(), line.end());
    if (!values.closed() && columns != null) {
      return Line.unreadable(lineNumber, "", "", "a quoted value is not closed on its line (a value cannot hold a line break)");
    }
    if (columns == null) {
      if (!values.closed()) {
        throw new IllegalArgumentException("CSV header: a quoted name is not closed");
      }
      columns = header();
      return next();
    }
    if (values.count() != columns.length) {
      return Line.unreadable(lineNumber, "", "", "expected " + columns.length + " values as in the header, got " + values.count());
    }
    trade.clear();
    for (int i = 0; i < columns.length; i++) {
      Column column = columns[i];
      try {
        set(column, i);
      } catch (NumberFormatException e) {
        return Line.unreadable(lineNumber, key(trade), column.field, "not a whole number: '" + Excerpt.of(values.bytes(), values.start(i), values.end(i)) + "'");
      } catch (IllegalArgumentException e) {
        return Line.unreadable(lineNumber, key(trade), column.field, e.getMessage());
      }
    }
    return Line.of(lineNumber, trade.build());
  }

  /** The columns the header line just split into {@link #values} names. */
  private Column[] header() {
    List<Column> columns = new ArrayList<>();
    for (int i = 0; i < values.count(); i++) {
      String name = values.text(i).trim();
      // exchangeId as well as exchange_id, as the JSON mapping accepts both.
      Column column = Column.named(name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT));
      if (column == null) { // shown from its bytes: a binary file's are not decoded into U+FFFD
        throw new IllegalArgumentException("CSV header: unknown column '" + Excerpt.of(values.bytes(), values.start(i), values.end(i))
            + "'; the columns are "
            + fields(true) + " and optionally " + fields(false));
      }
      if (columns.contains(column)) {
        throw new IllegalArgumentException("CSV header: column '" + column.field + "' appears twice");
      }
      columns.add(column);
    }
    for (Column required : Column.values()) {
      if (required.required() && !columns.contains(required)) {
        throw new IllegalArgumentException("CSV header: column '" + required.field + "' is missing; the header must name "
            + fields(true));
      }
    }
    return columns.toArray(Column[]::new);
  }

  /** The required columns' names, or the optional ones', for a message. */
  private static String fields(boolean required) {
    StringJoiner names = new StringJoiner(",");
    for (Column column : Column.values()) {
      if (column.required() == required) {
        names.add(column.field);
      }
    }
    return names.toString();
  }

  private void set(Column column, int i) {
    switch (column) {
      case EXCHANGE_ID -> trade.setExchangeId(values.parseInt(i));
      case CURRENCY_PAIR_NO -> trade.setCurrencyPairNo(values.parseInt(i));
      case TRADE_ID -> trade.setTradeIdBytes(bytes(i));
      case PRICE -> trade.setPriceBytes(bytes(i));
      case QUANTITY -> trade.setQuantityBytes(bytes(i));
      case TAKER_SIDE -> trade.setTakerSide(side(i));
      case TRADE_TIME_MS -> trade.setTradeTimeMs(values.parseLong(i));
      case RECEIVE_TIME_MS -> trade.setReceiveTimeMs(values.length(i) == 0 ? 0 : values.parseLong(i));
      default -> throw new IllegalStateException("unchecked column " + column);
    }
  }

  /** The value's bytes as they are: protobuf sends them without encoding a String again. */
  private ByteString bytes(int i) {
    ByteString value = ByteString.copyFrom(values.bytes(), values.start(i), values.length(i));
    if (!values.ascii() && !value.isValidUtf8()) {
      // A Reader would have put U+FFFD in silently; a text that is not what the file says is refused.
      throw new IllegalArgumentException("not valid UTF-8");
    }
    return value;
  }

  private TradeSide side(int i) {
    // The spellings `tickvault read` writes, without making a String; any other goes the long way.
    if (values.length(i) == 0) {
      return TradeSide.TRADE_SIDE_UNSPECIFIED;
    } else if (values.is(i, "BUY")) {
      return TradeSide.TRADE_SIDE_BUY;
    } else if (values.is(i, "SELL")) {
      return TradeSide.TRADE_SIDE_SELL;
    }
    return side(values.text(i));
  }

  private static TradeSide side(String value) {
    if (value.isEmpty()) {
      return TradeSide.TRADE_SIDE_UNSPECIFIED;
    }
    EnumValueDescriptor side = EnumSpellings.find(TradeSide.getDescriptor(), value);
    if (side == null) {
      throw new IllegalArgumentException("expected " + EnumSpellings.shortNames(TradeSide.getDescriptor())
          + " or empty, got '" + Excerpt.of(value) + "'");
    }
    return TradeSide.valueOf(side);
  }

  static String key(Trade.Builder trade) {
    return trade.getExchangeId() + "/" + trade.getCurrencyPairNo() + "/" + trade.getTradeId();
  }
}
