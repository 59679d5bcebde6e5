package io.tickvault.server.orderbook;

import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.server.subscribe.CommitLog;
import io.tickvault.server.subscribe.Subscribable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Order book snapshots as SubscribeOrderBooks streams them, at one subscription's depth: the log
 * names snapshots by id, the stored ones are read by (server_time_ms, sequence_id) as
 * ReadOrderBooks reads them, and a response is cut by levels, from the headers' level counts,
 * before any level is read: at most {@link #MAX_LEVELS} levels at the depth asked (one snapshot
 * always goes, whatever its size).
 */
final class SubscribedOrderBooks implements Subscribable<OrderBookReader.Header, OrderBookSnapshot> {
  /** Levels in one response, both sides of every snapshot: as in a ReadOrderBooks page, a few MiB at most. */
  static final int MAX_LEVELS = 20_000;

  private final int depth;

  /** @param depth levels a side, 1 to ReadArguments.MAX_DEPTH (all of them) */
  SubscribedOrderBooks(int depth) {
    this.depth = depth;
  }

  @Override
  public byte kind() {
    return 2;
  }

  @Override
  public String rpc() {
    return "SubscribeOrderBooks";
  }

  @Override
  public CommitLog log() {
    return OrderBookCommitLog.LOG;
  }

  /** The log's entries, each snapshot id as its header (with its level counts). */
  @Override
  public List<CommitLog.Entry<OrderBookReader.Header>> entries(Connection c, int[] exchangeIds, int[] pairNos,
      long[] after, long[] upto, int perMarket) throws SQLException {
    return OrderBookCommitLog.entries(c, exchangeIds, pairNos, after, upto, perMarket);
  }

  @Override
  public List<OrderBookReader.Header> after(Connection c, int exchangeId, int currencyPairNo, Cursor cursor, int limit)
      throws SQLException {
    return OrderBookReader.after(c, exchangeId, currencyPairNo, cursor.time(), cursor.number(), limit);
  }

  /** Sequence ids are not negative, so ({@code time}, -1) is before every snapshot of that time. */
  @Override
  public Cursor before(long startTimeMs) {
    return new Cursor(startTimeMs, -1, "");
  }

  @Override
  public Cursor cursorOf(OrderBookReader.Header h) {
    return new Cursor(h.serverTimeMs(), h.sequenceId(), "");
  }

  @Override
  public int compare(OrderBookReader.Header h, Cursor cursor) {
    int byTime = Long.compare(h.serverTimeMs(), cursor.time());
    return byTime != 0 ? byTime : Long.compare(h.sequenceId(), cursor.number());
  }

  @Override
  public String impossible(Cursor cursor) {
    return cursor.number() < 0 || !cursor.id().isEmpty() ? "a cursor no snapshot has" : null;
  }

  @Override
  public long weight(OrderBookReader.Header h) {
    return 1 + h.levels(depth);
  }

  @Override
  public long maxWeight() {
    return MAX_LEVELS;
  }

  @Override
  public List<OrderBookSnapshot> load(Connection c, int exchangeId, int currencyPairNo, List<OrderBookReader.Header> headers)
      throws SQLException {
    return headers.isEmpty() ? List.of() : OrderBookReader.withLevels(c, exchangeId, currencyPairNo, headers, depth);
  }
}
