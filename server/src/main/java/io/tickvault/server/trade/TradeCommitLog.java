package io.tickvault.server.trade;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.subscribe.CommitLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The trades' {@link CommitLog} (V9__trade_commit_log.sql, V15__trade_commit_log_by_transaction.sql):
 * what SubscribeTrades streams once it has caught up with the stored trades (docs/subscribing.md).
 * Appended in the trades' own transaction, after everything else ({@link TradeRepository}).
 *
 * <p>An entry names its trades without copying them (copying would write every trade twice): by
 * the transaction id they were written with ({@code tx}, their {@code xmin}) and the span of their
 * trade times, so a reader finds them in {@code trades} as the rows of that market and span with
 * that xmin (a trade row is never updated, so its xmin stays that of the transaction that inserted
 * it). When the trades of one market lie more than {@link #MAX_NAMED_SPAN_MS} apart (a backfill of
 * scattered times), the entry holds them instead, as length-delimited {@code Trade} messages: a
 * read by time would cover too many rows of other transactions.
 */
public final class TradeCommitLog {
  /** The log's tables; its reads and its retention. */
  public static final CommitLog LOG = new CommitLog(new CommitLog.Tables("trade_commit_log", "market_commit_seq",
      "trades", "trade_count", "trades, tx::text, min_time_ms, max_time_ms"));

  /** The widest span of trade times an entry names by its transaction rather than holding. */
  static final long MAX_NAMED_SPAN_MS = 10 * 60_000L;

  // One round trip for every market of a transaction (a group commit spans hundreds): the seq rows
  // in the order given, which is key order (taken last, held to the commit), then the entries. A
  // named entry's tx is the transaction's own id, which its trades carry as their xmin: the service
  // writes no batch inside a savepoint, and refuses a database URL that would make pgjdbc do it
  // (autosave, DatabaseSettings). Reading it back from one of the trades instead made the statement
  // depend on the plan cached for that read: one made while trades was empty (after a VACUUM had
  // cut the emptied table to no pages) scanned the whole table for every entry until the next
  // ANALYZE, whatever index there was.
  private static final String APPEND_SQL = """
      WITH m AS (
          SELECT * FROM unnest(?::integer[], ?::integer[], ?::bytea[], ?::integer[], ?::bigint[], ?::bigint[])
            WITH ORDINALITY AS m(e, p, r, n, lo, hi, i)),
      s AS (
          INSERT INTO market_commit_seq AS q (exchange_id, currency_pair_no, seq)
          SELECT e, p, 1 FROM m ORDER BY i
          ON CONFLICT (exchange_id, currency_pair_no) DO UPDATE SET seq = q.seq + 1
          RETURNING exchange_id, currency_pair_no, seq)
      INSERT INTO trade_commit_log (exchange_id, currency_pair_no, commit_seq, trades, trade_count, tx, min_time_ms,
                                    max_time_ms, committed_at)
      SELECT s.exchange_id, s.currency_pair_no, s.seq, m.r, m.n,
             CASE WHEN m.r IS NULL THEN pg_current_xact_id()::xid END, m.lo, m.hi, clock_timestamp()
        FROM s JOIN m ON m.e = s.exchange_id AND m.p = s.currency_pair_no
      RETURNING exchange_id, currency_pair_no, commit_seq
      """;

  private static final Comparator<Trade> MARKET_ORDER = Comparator.comparingInt(Trade::getExchangeId)
      .thenComparingInt(Trade::getCurrencyPairNo);

  private final CommitLog.Listener listener;

  public TradeCommitLog(CommitLog.Listener listener) {
    this.listener = listener;
  }

  /**
   * Appends the entries of {@code inserted} (trades this transaction inserted), one per market, in
   * one statement whatever the number of markets (a group commit spans many), the markets distinct
   * and in key order, so two transactions lock their seq rows in the same order and never deadlock.
   * Call it as the transaction's last statement; {@code receive_time_ms} 0 is stored as
   * {@code nowMillis}, as in {@code trades}.
   */
  List<CommitLog.Commit> append(Connection c, List<Trade> insertedRows, long nowMillis) throws SQLException {
    List<Trade> inserted = byMarket(insertedRows);
    List<Integer> exchanges = new ArrayList<>();
    List<Integer> pairs = new ArrayList<>();
    List<byte[]> held = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    List<Long> lows = new ArrayList<>();
    List<Long> highs = new ArrayList<>();
    int from = 0;
    while (from < inserted.size()) {
      Trade first = inserted.get(from);
      long low = first.getTradeTimeMs();
      long high = low;
      int to = from + 1;
      while (to < inserted.size() && inserted.get(to).getExchangeId() == first.getExchangeId()
          && inserted.get(to).getCurrencyPairNo() == first.getCurrencyPairNo()) {
        low = Math.min(low, inserted.get(to).getTradeTimeMs());
        high = Math.max(high, inserted.get(to).getTradeTimeMs());
        to++;
      }
      exchanges.add(first.getExchangeId());
      pairs.add(first.getCurrencyPairNo());
      held.add(high - low > MAX_NAMED_SPAN_MS ? encode(inserted.subList(from, to), nowMillis) : null);
      counts.add(to - from);
      lows.add(low);
      highs.add(high);
      from = to;
    }
    List<CommitLog.Commit> commits = new ArrayList<>(exchanges.size());
    if (exchanges.isEmpty()) {
      return commits;
    }
    try (PreparedStatement ps = c.prepareStatement(APPEND_SQL)) {
      ps.setArray(1, c.createArrayOf("int4", exchanges.toArray()));
      ps.setArray(2, c.createArrayOf("int4", pairs.toArray()));
      ps.setArray(3, c.createArrayOf("bytea", held.toArray(byte[][]::new)));
      ps.setArray(4, c.createArrayOf("int4", counts.toArray()));
      ps.setArray(5, c.createArrayOf("int8", lows.toArray()));
      ps.setArray(6, c.createArrayOf("int8", highs.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          commits.add(new CommitLog.Commit(rs.getInt(1), rs.getInt(2), rs.getLong(3)));
        }
      }
    }
    if (commits.size() != exchanges.size()) {
      throw new IllegalStateException("trade_commit_log took " + commits.size() + " entries of " + exchanges.size()
          + " markets");
    }
    return commits;
  }

  /**
   * The entries of each market with a seq in {@code (after[i], upto[i]]}, at most
   * {@code perMarket} of each ({@link CommitLog#entries}), each with its trades: those it holds, and
   * those it names read in one statement for all of them ({@link TradeReader#insertedBy}).
   */
  static List<CommitLog.Entry<Trade>> entries(Connection c, int[] exchangeIds, int[] pairNos, long[] after, long[] upto,
                                              int perMarket) throws SQLException {
    List<CommitLog.Entry<Stored>> stored = LOG.entries(c, exchangeIds, pairNos, after, upto, perMarket,
        (row, column) -> List.of(stored(row, column)));
    List<TradeReader.Named> named = new ArrayList<>();
    for (CommitLog.Entry<Stored> e : stored) {
      Stored s = e.items().get(0);
      if (s.held() == null) {
        named.add(new TradeReader.Named(exchangeIds[e.market()], pairNos[e.market()], s.tx(), s.fromMs(), s.toMs()));
      }
    }
    List<List<Trade>> found = named.isEmpty() ? List.of() : TradeReader.insertedBy(c, named);
    List<CommitLog.Entry<Trade>> entries = new ArrayList<>(stored.size());
    int next = 0;
    for (CommitLog.Entry<Stored> e : stored) {
      Stored s = e.items().get(0);
      List<Trade> trades = s.held() != null ? s.held() : found.get(next++);
      entries.add(new CommitLog.Entry<>(e.market(), e.seq(), trades, e.committedAtMs()));
    }
    return entries;
  }

  /** An entry as stored: the trades it holds, or null and the transaction and span that name them. */
  private record Stored(List<Trade> held, long tx, long fromMs, long toMs) {}

  private static Stored stored(ResultSet row, int column) throws SQLException {
    byte[] held = row.getBytes(column);
    if (held != null) {
      return new Stored(decode(held), 0, 0, 0);
    }
    return new Stored(null, Long.parseLong(row.getString(column + 1)), row.getLong(column + 2), row.getLong(column + 3));
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
