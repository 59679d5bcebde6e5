package io.tickvault.server.orderbook;

import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.PriceLevel;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.read.PageToken;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads order book snapshots back: headers from {@code orderbook_snapshots} in the order of its
 * unique key {@code (exchange_id, currency_pair_no, server_time_ms, sequence_id)}, which serves
 * every read by market and time without another index, then the levels of those headers by the
 * primary key of {@code orderbook_levels} (market, snapshot_id, side, level_index). A header and its levels were committed together and are
 * never changed afterwards, so reading them in two statements sees a whole snapshot.
 */
public final class OrderBookReader {
  /** A snapshot's header, with its level counts so a page can be cut by levels before they are read. */
  public record Header(long snapshotId, long serverTimeMs, long sequenceId, long receiveTimeMs, int bidCount, int askCount) {
    /** Levels this snapshot brings at the given depth, both sides. */
    public int levels(int depth) {
      return Math.min(bidCount, depth) + Math.min(askCount, depth);
    }
  }

  private static final String HEADER_COLUMNS = "snapshot_id, server_time_ms, sequence_id, receive_time_ms, bid_count, ask_count";
  private static final String FIRST_PAGE = "SELECT " + HEADER_COLUMNS + """
       FROM orderbook_snapshots
      WHERE exchange_id = ? AND currency_pair_no = ? AND server_time_ms >= ? AND server_time_ms < ?
      ORDER BY server_time_ms, sequence_id
      LIMIT ?
      """;
  private static final String NEXT_PAGE = "SELECT " + HEADER_COLUMNS + """
       FROM orderbook_snapshots
      WHERE exchange_id = ? AND currency_pair_no = ? AND server_time_ms < ?
        AND (server_time_ms, sequence_id) > (?, ?)
      ORDER BY server_time_ms, sequence_id
      LIMIT ?
      """;
  private static final String AT = "SELECT " + HEADER_COLUMNS + """
       FROM orderbook_snapshots
      WHERE exchange_id = ? AND currency_pair_no = ? AND server_time_ms <= ?
      ORDER BY server_time_ms DESC, sequence_id DESC
      LIMIT 1
      """;
  // The range of the ids beside the list: a generic plan (PostgreSQL's after a
  // statement's fifth run) does not know how long the list is, and without a range it scanned all
  // the market's levels: 2 s instead of 0.1 s for 500 snapshots of 40 levels.
  private static final String LEVELS = """
      SELECT snapshot_id, side, price::text, quantity::text
        FROM orderbook_levels
       WHERE exchange_id = ? AND currency_pair_no = ? AND snapshot_id BETWEEN ? AND ? AND snapshot_id = ANY (?)
         AND level_index < ?
       ORDER BY snapshot_id, side, level_index
      """;
  private static final short BID = 1;

  private record Level(long snapshotId, short side, PriceLevel level) {}

  private final Jdbc jdbc;

  public OrderBookReader(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** Up to {@code limit} headers of the market in {@code [start, end)}, oldest first, after the token's key if any. */
  public List<Header> headers(int exchangeId, int currencyPairNo, long start, long end, PageToken after, int limit) {
    if (after == null) {
      return jdbc.query(FIRST_PAGE, OrderBookReader::header, exchangeId, currencyPairNo, start, end, limit);
    }
    return jdbc.query(NEXT_PAGE, OrderBookReader::header, exchangeId, currencyPairNo, end,
        after.lastTime(), after.lastSequenceId(), limit);
  }

  /** The snapshots of these headers, in their order, with at most {@code depth} levels a side. */
  public List<OrderBookSnapshot> withLevels(int exchangeId, int currencyPairNo, List<Header> headers, int depth) {
    if (headers.isEmpty()) {
      return List.of();
    }
    return jdbc.withConnection(c -> withLevels(c, exchangeId, currencyPairNo, headers, depth));
  }

  /**
   * The market's snapshot with the greatest (server_time_ms, sequence_id) at or before
   * {@code atTimeMs}, with at most {@code depth} levels a side.
   */
  public Optional<OrderBookSnapshot> at(int exchangeId, int currencyPairNo, long atTimeMs, int depth) {
    return jdbc.withConnection(c -> {
      List<Header> header = Jdbc.query(c, AT, OrderBookReader::header, exchangeId, currencyPairNo, atTimeMs);
      if (header.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(withLevels(c, exchangeId, currencyPairNo, header, depth).get(0));
    });
  }

  /**
   * Up to {@code limit} headers of the market after the key ({@code afterTime}, {@code afterSequence}),
   * oldest first, on the caller's connection (a subscription reads them in the snapshot it reads
   * the commit log in).
   */
  static List<Header> after(Connection c, int exchangeId, int currencyPairNo, long afterTime, long afterSequence,
                            int limit) throws SQLException {
    return Jdbc.query(c, NEXT_PAGE, OrderBookReader::header, exchangeId, currencyPairNo, Long.MAX_VALUE, afterTime,
        afterSequence, limit);
  }

  static List<OrderBookSnapshot> withLevels(Connection c, int exchangeId, int currencyPairNo,
      List<Header> headers, int depth) throws SQLException {
    long[] ids = new long[headers.size()];
    Map<Long, OrderBookSnapshot.Builder> byId = new HashMap<>(headers.size() * 2);
    List<OrderBookSnapshot.Builder> builders = new ArrayList<>(headers.size());
    for (int i = 0; i < headers.size(); i++) {
      Header h = headers.get(i);
      ids[i] = h.snapshotId();
      OrderBookSnapshot.Builder b = OrderBookSnapshot.newBuilder()
          .setExchangeId(exchangeId)
          .setCurrencyPairNo(currencyPairNo)
          .setServerTimeMs(h.serverTimeMs())
          .setSequenceId(h.sequenceId())
          .setReceiveTimeMs(h.receiveTimeMs());
      byId.put(h.snapshotId(), b);
      builders.add(b);
    }
    List<Level> levels = Jdbc.query(c, LEVELS, row -> new Level(row.getLong(1), row.getShort(2),
        PriceLevel.newBuilder().setPrice(row.getString(3)).setQuantity(row.getString(4)).build()),
        exchangeId, currencyPairNo, Arrays.stream(ids).min().getAsLong(), Arrays.stream(ids).max().getAsLong(), ids, depth);
    for (Level level : levels) {
      OrderBookSnapshot.Builder b = byId.get(level.snapshotId());
      if (level.side() == BID) {
        b.addBids(level.level());
      } else {
        b.addAsks(level.level());
      }
    }
    List<OrderBookSnapshot> snapshots = new ArrayList<>(builders.size());
    for (OrderBookSnapshot.Builder b : builders) {
      snapshots.add(b.build());
    }
    return snapshots;
  }

  private static Header header(ResultSet row) throws SQLException {
    return header(row, 1);
  }

  /** The header in the row's six columns from {@code first} on, in the order of HEADER_COLUMNS. */
  static Header header(ResultSet row, int first) throws SQLException {
    return new Header(row.getLong(first), row.getLong(first + 1), row.getLong(first + 2), row.getLong(first + 3),
        row.getInt(first + 4), row.getInt(first + 5));
  }
}
