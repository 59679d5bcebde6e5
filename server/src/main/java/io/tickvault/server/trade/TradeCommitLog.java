package io.tickvault.server.trade;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.db.Jdbc;
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
 * The only place that knows {@code trade_commit_log} and {@code market_commit_seq}
 * (V9__trade_commit_log.sql): what SubscribeTrades streams once it has caught up with the stored
 * trades (docs/subscribing.md).
 *
 * <p>Written in the trades' own transaction, after everything else ({@link TradeRepository}): one
 * row per market per transaction holding exactly the trades it inserted, numbered by
 * {@code market_commit_seq.seq + 1}. The update of that row is the transaction's last statement, and
 * its row lock is held until the commit, so the writers of one market commit their tails one after
 * the other, in seq order: once a reader sees seq N committed, no smaller seq of that market can
 * commit any more. Readers therefore remember one number per market and never skip a row.
 */
public final class TradeCommitLog {
  /** One market's entry of one transaction. */
  public record Commit(int exchangeId, int currencyPairNo, long seq) {}

  /** One log entry as read: its market's position in the request, its seq, its trades. */
  public record Entry(int market, long seq, List<Trade> trades, long committedAtMs) {}

  /** What is told of every committed transaction, after its commit. */
  public interface Listener {
    void committed(List<Commit> commits);
  }

  // One round trip per market: the seq row (taken last, held to the commit), then the entry.
  private static final String APPEND_SQL = """
      WITH s AS (
          INSERT INTO market_commit_seq AS m (exchange_id, currency_pair_no, seq) VALUES (?, ?, 1)
          ON CONFLICT ON CONSTRAINT pk_market_commit_seq DO UPDATE SET seq = m.seq + 1
          RETURNING seq)
      INSERT INTO trade_commit_log (exchange_id, currency_pair_no, commit_seq, trades, trade_count, committed_at)
      SELECT ?, ?, seq, ?, ?, clock_timestamp() FROM s
      RETURNING commit_seq
      """;
  private static final String SEQS_SQL = """
      SELECT coalesce(s.seq, 0), coalesce(s.pruned_through, 0)
        FROM unnest(?::integer[], ?::integer[]) WITH ORDINALITY AS m(e, p, i)
        LEFT JOIN market_commit_seq s ON s.exchange_id = m.e AND s.currency_pair_no = m.p
       ORDER BY m.i
      """;
  private static final String ENTRIES_SQL = """
      SELECT m.i, l.commit_seq, l.trades, (extract(epoch FROM l.committed_at) * 1000)::bigint
        FROM unnest(?::integer[], ?::integer[], ?::bigint[], ?::bigint[]) WITH ORDINALITY AS m(e, p, after, upto, i)
        CROSS JOIN LATERAL (
            SELECT commit_seq, trades, committed_at FROM trade_commit_log
             WHERE exchange_id = m.e AND currency_pair_no = m.p AND commit_seq > m.after AND commit_seq <= m.upto
             ORDER BY commit_seq
             LIMIT ?) l
       ORDER BY m.i, l.commit_seq
      """;
  private static final String PRUNE_SQL = """
      WITH gone AS (
          DELETE FROM trade_commit_log WHERE committed_at < now() - ?::double precision * interval '1 second'
          RETURNING exchange_id, currency_pair_no, commit_seq),
      markets AS (
          SELECT exchange_id, currency_pair_no, max(commit_seq) AS through FROM gone GROUP BY 1, 2),
      moved AS (
          UPDATE market_commit_seq s SET pruned_through = greatest(s.pruned_through, markets.through)
            FROM markets
           WHERE s.exchange_id = markets.exchange_id AND s.currency_pair_no = markets.currency_pair_no)
      SELECT count(*) FROM gone
      """;

  private static final Comparator<Trade> MARKET_ORDER = Comparator.comparingInt(Trade::getExchangeId)
      .thenComparingInt(Trade::getCurrencyPairNo);

  private final Listener listener;

  public TradeCommitLog(Listener listener) {
    this.listener = listener;
  }

  /**
   * Appends the entries of {@code inserted} (trades this transaction inserted), one per market, the
   * markets in key order, so two transactions lock their seq rows in the same order and never
   * deadlock. Call it as the transaction's last statement; {@code receive_time_ms} 0 is stored as
   * {@code nowMillis}, as in {@code trades}.
   */
  List<Commit> append(Connection c, List<Trade> insertedRows, long nowMillis) throws SQLException {
    List<Trade> inserted = byMarket(insertedRows);
    List<Commit> commits = new ArrayList<>(1);
    int from = 0;
    while (from < inserted.size()) {
      Trade first = inserted.get(from);
      int to = from + 1;
      while (to < inserted.size() && inserted.get(to).getExchangeId() == first.getExchangeId()
          && inserted.get(to).getCurrencyPairNo() == first.getCurrencyPairNo()) {
        to++;
      }
      byte[] encoded = encode(inserted.subList(from, to), nowMillis);
      try (PreparedStatement ps = c.prepareStatement(APPEND_SQL)) {
        ps.setInt(1, first.getExchangeId());
        ps.setInt(2, first.getCurrencyPairNo());
        ps.setInt(3, first.getExchangeId());
        ps.setInt(4, first.getCurrencyPairNo());
        ps.setBytes(5, encoded);
        ps.setInt(6, to - from);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          commits.add(new Commit(first.getExchangeId(), first.getCurrencyPairNo(), rs.getLong(1)));
        }
      }
      from = to;
    }
    return commits;
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
  void committed(List<Commit> commits) {
    if (!commits.isEmpty()) {
      listener.committed(commits);
    }
  }

  /** Each market's last seq and the seq up to which its entries were pruned, in the order given. */
  public static long[][] seqs(Connection c, int[] exchangeIds, int[] pairNos) throws SQLException {
    long[][] seqs = new long[2][exchangeIds.length];
    int[] i = {0};
    try (PreparedStatement ps = c.prepareStatement(SEQS_SQL)) {
      ps.setArray(1, c.createArrayOf("int4", box(exchangeIds)));
      ps.setArray(2, c.createArrayOf("int4", box(pairNos)));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          seqs[0][i[0]] = rs.getLong(1);
          seqs[1][i[0]++] = rs.getLong(2);
        }
      }
    }
    return seqs;
  }

  /**
   * The entries of each market with a seq in {@code (after[i], upto[i]]}, at most
   * {@code perMarket} of each, in seq order per market.
   */
  public static List<Entry> entries(Connection c, int[] exchangeIds, int[] pairNos, long[] after, long[] upto,
                                    int perMarket) throws SQLException {
    List<Entry> entries = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(ENTRIES_SQL)) {
      ps.setArray(1, c.createArrayOf("int4", box(exchangeIds)));
      ps.setArray(2, c.createArrayOf("int4", box(pairNos)));
      ps.setArray(3, c.createArrayOf("int8", box(after)));
      ps.setArray(4, c.createArrayOf("int8", box(upto)));
      ps.setInt(5, perMarket);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          entries.add(new Entry((int) rs.getLong(1) - 1, rs.getLong(2), decode(rs.getBytes(3)), rs.getLong(4)));
        }
      }
    }
    return entries;
  }

  /** Deletes the entries committed more than {@code retention} ago; returns how many. */
  public static int prune(Jdbc jdbc, Duration retention) {
    return jdbc.inTransaction(c -> Jdbc.query(c, PRUNE_SQL, row -> row.getInt(1), retention.toSeconds()).get(0));
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

  private static Integer[] box(int[] values) {
    Integer[] boxed = new Integer[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = values[i];
    }
    return boxed;
  }

  private static Long[] box(long[] values) {
    Long[] boxed = new Long[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = values[i];
    }
    return boxed;
  }
}
