package io.tickvault.server.trade;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.subscribe.CommitLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The trades' {@link CommitLog} (V9__trade_commit_log.sql): what SubscribeTrades streams once it
 * has caught up with the stored trades (docs/subscribing.md). An entry holds the trades themselves,
 * as length-delimited {@code Trade} messages, so the live phase reads no other table. Appended in
 * the trades' own transaction, after everything else ({@link TradeRepository}).
 */
public final class TradeCommitLog {
  /** The log's tables; its reads and its retention. */
  public static final CommitLog LOG = new CommitLog(new CommitLog.Tables("trade_commit_log", "market_commit_seq",
      "trades", "trade_count"));

  private static final Comparator<Trade> MARKET_ORDER = Comparator.comparingInt(Trade::getExchangeId)
      .thenComparingInt(Trade::getCurrencyPairNo);

  private final CommitLog.Listener listener;

  public TradeCommitLog(CommitLog.Listener listener) {
    this.listener = listener;
  }

  /**
   * Appends the entries of {@code inserted} (trades this transaction inserted), one per market, in
   * one statement whatever the number of markets (a group commit spans many), the markets in key
   * order ({@link CommitLog#appendBytes}). Call it as the transaction's last statement;
   * {@code receive_time_ms} 0 is stored as {@code nowMillis}, as in {@code trades}.
   */
  List<CommitLog.Commit> append(Connection c, List<Trade> insertedRows, long nowMillis) throws SQLException {
    List<Trade> inserted = byMarket(insertedRows);
    List<Integer> exchanges = new ArrayList<>();
    List<Integer> pairs = new ArrayList<>();
    List<byte[]> entries = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    int from = 0;
    while (from < inserted.size()) {
      Trade first = inserted.get(from);
      int to = from + 1;
      while (to < inserted.size() && inserted.get(to).getExchangeId() == first.getExchangeId()
          && inserted.get(to).getCurrencyPairNo() == first.getCurrencyPairNo()) {
        to++;
      }
      exchanges.add(first.getExchangeId());
      pairs.add(first.getCurrencyPairNo());
      entries.add(encode(inserted.subList(from, to), nowMillis));
      counts.add(to - from);
      from = to;
    }
    return LOG.appendBytes(c, exchanges.toArray(Integer[]::new), pairs.toArray(Integer[]::new),
        entries.toArray(byte[][]::new), counts.toArray(Integer[]::new));
  }

  /**
   * The trades with each market's together and the markets in key order, each market's trades in
   * the order given: as given when they already are (a COPY's batch is in key order), else sorted
   * (the RETURNING of the staging path promises no order).
   */
  private static List<Trade> byMarket(List<Trade> trades) {
    for (int i = 1; i < trades.size(); i++) {
      if (MARKET_ORDER.compare(trades.get(i - 1), trades.get(i)) > 0) {
        List<Trade> sorted = new ArrayList<>(trades);
        sorted.sort(MARKET_ORDER); // stable
        return sorted;
      }
    }
    return trades;
  }

  /** Tells the listener, after the commit, of the entries {@link #append} wrote. */
  void committed(List<CommitLog.Commit> commits) {
    if (!commits.isEmpty()) {
      listener.committed(commits);
    }
  }

  /** Deletes the entries committed more than {@code retention} ago; returns how many. */
  public static int prune(Jdbc jdbc, Duration retention) {
    return LOG.prune(jdbc, retention);
  }

  /** The trades of an entry, as {@link CommitLog#entries} reads them. */
  static List<Trade> read(ResultSet row, int column) throws SQLException {
    return decode(row.getBytes(column));
  }

  /**
   * The trades as stored (receive time filled in, no field the server does not know), as
   * length-delimited {@code Trade} messages.
   */
  static byte[] encode(List<Trade> trades, long nowMillis) {
    List<Trade> stored = new ArrayList<>(trades.size());
    int size = 0;
    for (Trade t : trades) {
      // As sent when it is already what is stored (the usual case): no copy.
      Trade s = t.getReceiveTimeMs() != 0 && t.getUnknownFields().asMap().isEmpty() ? t : Trade.newBuilder()
          .setExchangeId(t.getExchangeId())
          .setCurrencyPairNo(t.getCurrencyPairNo())
          .setTradeId(t.getTradeId())
          .setPrice(t.getPrice())
          .setQuantity(t.getQuantity())
          .setTakerSide(t.getTakerSide())
          .setTradeTimeMs(t.getTradeTimeMs())
          .setReceiveTimeMs(t.getReceiveTimeMs() == 0 ? nowMillis : t.getReceiveTimeMs())
          .build();
      stored.add(s);
      int n = s.getSerializedSize();
      size += CodedOutputStream.computeUInt32SizeNoTag(n) + n;
    }
    byte[] bytes = new byte[size];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      for (Trade s : stored) {
        out.writeUInt32NoTag(s.getSerializedSize());
        s.writeTo(out);
      }
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // an array of the exact size does not fail
    }
    return bytes;
  }

  static List<Trade> decode(byte[] bytes) {
    List<Trade> trades = new ArrayList<>();
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    try {
      while (!in.isAtEnd()) {
        int limit = in.pushLimit(in.readRawVarint32());
        trades.add(Trade.parseFrom(in));
        in.popLimit(limit);
      }
    } catch (IOException e) {
      throw new IllegalStateException("trade_commit_log holds an entry that is not a list of trades", e);
    }
    return trades;
  }
}
