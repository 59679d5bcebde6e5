package io.tickvault.server.trade;

import io.tickvault.api.v1.Trade;
import io.tickvault.api.v1.TradeSide;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.read.PageToken;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Reads {@code trades} back, in the order of the read index (V2__read_indexes.sql):
 * {@code (exchange_id, currency_pair_no, trade_time_ms, trade_id COLLATE "C")}. trade_id compares
 * in "C" collation, byte by byte, whatever the database's collation: the order is then the same in
 * PostgreSQL, in page tokens and in Redis. Decimals are read as text ({@code price::text}), so they
 * come back with the digits they were stored with, never through a double or a rescaled BigDecimal;
 * pages are encoded from the rows' bytes ({@link TradePageEncoder}).
 */
public final class TradeReader {
  private static final String COLUMNS = "trade_id, price::text, quantity::text, taker_side, trade_time_ms, receive_time_ms";
  private static final String FIRST_PAGE = "SELECT " + COLUMNS + """
       FROM trades
      WHERE exchange_id = ? AND currency_pair_no = ? AND trade_time_ms >= ? AND trade_time_ms < ?
      ORDER BY trade_time_ms, trade_id COLLATE "C"
      LIMIT ?
      """;
  private static final String NEXT_PAGE = "SELECT " + COLUMNS + """
       FROM trades
      WHERE exchange_id = ? AND currency_pair_no = ? AND trade_time_ms < ?
        AND (trade_time_ms, trade_id COLLATE "C") > (?, ?)
      ORDER BY trade_time_ms, trade_id COLLATE "C"
      LIMIT ?
      """;
  private static final String LAST = "SELECT " + COLUMNS + """
       FROM trades
      WHERE exchange_id = ? AND currency_pair_no = ?
      ORDER BY trade_time_ms DESC, trade_id COLLATE "C" DESC
      LIMIT 1
      """;

  private final Jdbc jdbc;

  public TradeReader(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Fills {@code page} with up to its capacity of the market's trades in {@code [start, end)},
   * oldest first, after the token's key when there is one (its time is in the range already).
   *
   * @return whether more trades follow the page
   */
  public boolean page(TradePageEncoder page, long start, long end, PageToken after) {
    // One row more than a page tells whether this page is the last, without an empty page after it.
    int limit = page.capacity() + 1;
    int[] rows = {0};
    Jdbc.RowHandler handler = row -> {
      if (rows[0]++ < page.capacity()) {
        short side = row.getShort(4); // NULL reads as 0: unspecified
        page.add(row.getBytes(1), row.getBytes(2), row.getBytes(3), side, row.getLong(5), row.getLong(6));
      }
    };
    if (after == null) {
      jdbc.forEachRow(FIRST_PAGE, handler, page.exchangeId(), page.currencyPairNo(), start, end, limit);
    } else {
      jdbc.forEachRow(NEXT_PAGE, handler, page.exchangeId(), page.currencyPairNo(), end, after.lastTime(),
          after.lastTradeId(), limit);
    }
    return rows[0] > page.capacity();
  }

  /**
   * Up to {@code limit} of the market's trades after the key ({@code afterTime}, {@code afterId}),
   * oldest first, on the caller's connection (a subscription reads them in the snapshot it reads
   * the commit log in). ({@code time}, "") is before every trade of that time.
   */
  static java.util.List<Trade> after(java.sql.Connection c, int exchangeId, int currencyPairNo, long afterTime,
                                     String afterId, int limit) throws SQLException {
    return Jdbc.query(c, NEXT_PAGE, row -> trade(row, exchangeId, currencyPairNo), exchangeId, currencyPairNo,
        Long.MAX_VALUE, afterTime, afterId, limit);
  }

  /** The market's greatest trade by (trade_time_ms, trade_id). */
  public Optional<Trade> last(int exchangeId, int currencyPairNo) {
    return jdbc.queryOne(LAST, row -> trade(row, exchangeId, currencyPairNo), exchangeId, currencyPairNo);
  }

  private static Trade trade(ResultSet row, int exchangeId, int currencyPairNo) throws SQLException {
    short side = row.getShort(4);
    TradeSide takerSide = row.wasNull() ? TradeSide.TRADE_SIDE_UNSPECIFIED : TradeSide.forNumber(side);
    return Trade.newBuilder()
        .setExchangeId(exchangeId)
        .setCurrencyPairNo(currencyPairNo)
        .setTradeId(row.getString(1))
        .setPrice(row.getString(2))
        .setQuantity(row.getString(3))
        .setTakerSide(takerSide)
        .setTradeTimeMs(row.getLong(5))
        .setReceiveTimeMs(row.getLong(6))
        .build();
  }
}
