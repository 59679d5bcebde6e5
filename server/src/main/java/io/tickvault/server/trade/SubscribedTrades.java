package io.tickvault.server.trade;

import io.tickvault.api.v1.Trade;
import io.tickvault.server.read.PageToken;
import io.tickvault.server.subscribe.CommitLog;
import io.tickvault.server.subscribe.Subscribable;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Trades as SubscribeTrades streams them: the log names or holds them ({@link TradeCommitLog}),
 * the stored ones are read by (trade_time_ms, trade_id) as ReadTrades reads them, and a response
 * takes at most {@link #MAX_TRADES} live trades (an entry is cut there) or a history page and its
 * late trades.
 */
final class SubscribedTrades implements Subscribable<Trade, Trade> {
  static final SubscribedTrades INSTANCE = new SubscribedTrades();
  /** Trades in one response, past which it takes no further one. */
  static final int MAX_TRADES = 12_000;
  private static final int MAX_TRADE_ID_BYTES = 256;

  private SubscribedTrades() {}

  @Override
  public byte kind() {
    return 1;
  }

  @Override
  public String rpc() {
    return "SubscribeTrades";
  }

  @Override
  public CommitLog log() {
    return TradeCommitLog.LOG;
  }

  @Override
  public List<CommitLog.Entry<Trade>> entries(Connection c, int[] exchangeIds, int[] pairNos, long[] after, long[] upto,
                                              int perMarket) throws SQLException {
    return TradeCommitLog.entries(c, exchangeIds, pairNos, after, upto, perMarket);
  }

  @Override
  public List<Trade> after(Connection c, int exchangeId, int currencyPairNo, Cursor cursor, int limit) throws SQLException {
    return TradeReader.after(c, exchangeId, currencyPairNo, cursor.time(), cursor.id(), limit);
  }

  /** ({@code time}, "") is before every trade of that time. */
  @Override
  public Cursor before(long startTimeMs) {
    return new Cursor(startTimeMs, 0, "");
  }

  @Override
  public Cursor cursorOf(Trade t) {
    return new Cursor(t.getTradeTimeMs(), 0, t.getTradeId());
  }

  /** Orders keys as the reads do: by time, then trade id byte by byte. */
  @Override
  public int compare(Trade t, Cursor cursor) {
    int byTime = Long.compare(t.getTradeTimeMs(), cursor.time());
    return byTime != 0 ? byTime : PageToken.compareUtf8(t.getTradeId(), cursor.id());
  }

  @Override
  public String impossible(Cursor cursor) {
    if (cursor.number() != 0 || cursor.id().isEmpty()
        || cursor.id().getBytes(StandardCharsets.UTF_8).length > MAX_TRADE_ID_BYTES) {
      return "a cursor no trade has";
    }
    return cursor.id().indexOf('\0') >= 0 ? "a trade id with a NUL character" : null;
  }

  @Override
  public long weight(Trade t) {
    return 1;
  }

  @Override
  public long maxWeight() {
    return MAX_TRADES;
  }

  @Override
  public List<Trade> load(Connection c, int exchangeId, int currencyPairNo, List<Trade> trades) {
    return trades;
  }
}
