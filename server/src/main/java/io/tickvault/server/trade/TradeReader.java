package io.tickvault.server.trade;

import io.tickvault.api.v1.Trade;
import io.tickvault.api.v1.TradeSide;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.read.PageToken;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
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

  /**
   * The trades a transaction inserted into one market: that market's rows in
   * {@code [fromMs, toMs]} whose xmin is {@code tx} (a trade row is never updated, so its xmin stays
   * the transaction that inserted it).
   */
  record Named(int exchangeId, int currencyPairNo, long tx, long fromMs, long toMs) {}

  private static final String INSERTED_BY = "SELECT n.i, " + COLUMNS + """
       FROM unnest(?::integer[], ?::integer[], ?::bigint[], ?::bigint[], ?::bigint[]) WITH ORDINALITY AS n(e, p, tx, lo, hi, i)
       JOIN trades t ON t.exchange_id = n.e AND t.currency_pair_no = n.p AND t.trade_time_ms BETWEEN n.lo AND n.hi
        AND t.xmin = n.tx::text::xid
      ORDER BY n.i, t.trade_time_ms, t.trade_id COLLATE "C"
      """;

  /**
   * For each of {@code named}, in its order, the trades it names, oldest first by (trade_time_ms,
   * trade_id): one statement for all of them. Those deleted since (retention) are left out.
   */
  static List<List<Trade>> insertedBy(Connection c, List<Named> named) throws SQLException {
    int n = named.size();
    Integer[] exchanges = new Integer[n];
    Integer[] pairs = new Integer[n];
    Long[] txs = new Long[n];
    Long[] lows = new Long[n];
    Long[] highs = new Long[n];
    List<List<Trade>> trades = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Named e = named.get(i);
      exchanges[i] = e.exchangeId();
      pairs[i] = e.currencyPairNo();
      txs[i] = e.tx();
      lows[i] = e.fromMs();
      highs[i] = e.toMs();
      trades.add(new ArrayList<>());
    }
    try (PreparedStatement ps = c.prepareStatement(INSERTED_BY)) {
      ps.setArray(1, c.createArrayOf("int4", exchanges));
      ps.setArray(2, c.createArrayOf("int4", pairs));
      ps.setArray(3, c.createArrayOf("int8", txs));
      ps.setArray(4, c.createArrayOf("int8", lows));
      ps.setArray(5, c.createArrayOf("int8", highs));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Named e = named.get(rs.getInt(1) - 1);
          trades.get(rs.getInt(1) - 1).add(trade(rs, 1, e.exchangeId(), e.currencyPairNo()));
        }
      }
    }
    return trades;
  }

  /** The market's greatest trade by (trade_time_ms, trade_id). */
  public Optional<Trade> last(int exchangeId, int currencyPairNo) {
    return jdbc.queryOne(LAST, row -> trade(row, exchangeId, currencyPairNo), exchangeId, currencyPairNo);
  }

  private static Trade trade(ResultSet row, int exchangeId, int currencyPairNo) throws SQLException {
    return trade(row, 0, exchangeId, currencyPairNo);
  }

  /** The trade of {@link #COLUMNS}, read after the row's first {@code skip} columns. */
  private static Trade trade(ResultSet row, int skip, int exchangeId, int currencyPairNo) throws SQLException {
    short side = row.getShort(skip + 4);
    TradeSide takerSide = row.wasNull() ? TradeSide.TRADE_SIDE_UNSPECIFIED : TradeSide.forNumber(side);
    return Trade.newBuilder()
        .setExchangeId(exchangeId)
        .setCurrencyPairNo(currencyPairNo)
        .setTradeId(row.getString(skip + 1))
        .setPrice(row.getString(skip + 2))
        .setQuantity(row.getString(skip + 3))
        .setTakerSide(takerSide)
        .setTradeTimeMs(row.getLong(skip + 5))
        .setReceiveTimeMs(row.getLong(skip + 6))
        .build();
  }
}
