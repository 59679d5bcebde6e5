package io.tickvault.server.orderbook;

import io.tickvault.server.subscribe.CommitLog;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * The order books' {@link CommitLog} (V12__orderbook_commit_log.sql): what SubscribeOrderBooks
 * streams once it has caught up with the stored snapshots (docs/subscribing.md). An entry names
 * the snapshots the transaction inserted by id, in key order; their levels are read when they are
 * sent, at the subscriber's depth. Appended in the snapshots' own transaction, after everything
 * else ({@link OrderBookRepository}).
 */
public final class OrderBookCommitLog {
  /** The log's tables; its reads and its retention. */
  public static final CommitLog LOG = new CommitLog(new CommitLog.Tables("orderbook_commit_log",
      "orderbook_commit_seq", "snapshot_ids", "snapshot_count"));

  // CommitLog's read of the entries joined to the headers of the snapshots they name, so a
  // subscription's wake-up costs one round trip before the levels, not two: one row per snapshot,
  // in the entry's (key) order. A snapshot the order books' retention deleted since has no header;
  // its row still comes, so an entry whose snapshots are all gone still moves the market's seq.
  // The header is a LATERAL subquery with a LIMIT, which PostgreSQL plans on its own: one probe of
  // the primary key per id whatever the statistics say. As a plain join, on statistics taken while
  // the table was small, it probed by market only and filtered the ids: every snapshot of the
  // market read for each id.
  private static final String ENTRIES_SQL = """
      SELECT m.i, l.commit_seq, (extract(epoch FROM l.committed_at) * 1000)::bigint,
             h.snapshot_id, h.server_time_ms, h.sequence_id, h.receive_time_ms, h.bid_count, h.ask_count
        FROM unnest(?::integer[], ?::integer[], ?::bigint[], ?::bigint[]) WITH ORDINALITY AS m(e, p, after, upto, i)
        CROSS JOIN LATERAL (
            SELECT commit_seq, snapshot_ids, committed_at FROM orderbook_commit_log
             WHERE exchange_id = m.e AND currency_pair_no = m.p AND commit_seq > m.after AND commit_seq <= m.upto
             ORDER BY commit_seq
             LIMIT ?) l
        LEFT JOIN LATERAL unnest(l.snapshot_ids) WITH ORDINALITY AS x(id, k) ON true
        LEFT JOIN LATERAL (
            SELECT snapshot_id, server_time_ms, sequence_id, receive_time_ms, bid_count, ask_count
              FROM orderbook_snapshots
             WHERE exchange_id = m.e AND currency_pair_no = m.p AND snapshot_id = x.id
             LIMIT 1) h ON true
       ORDER BY m.i, l.commit_seq, x.k
      """;

  private final CommitLog.Listener listener;

  public OrderBookCommitLog(CommitLog.Listener listener) {
    this.listener = listener;
  }

  /**
   * Appends one entry per market of the snapshots this transaction inserted: {@code ids[i]} of
   * market ({@code exchangeIds[i]}, {@code pairNos[i]}), given in key order, so the markets come in
   * key order ({@link CommitLog#append}). Call it as the transaction's last statement.
   */
  List<CommitLog.Commit> append(Connection c, int[] exchangeIds, int[] pairNos, long[] ids, int count) throws SQLException {
    PGConnection pg = c.unwrap(PGConnection.class);
    List<CommitLog.Commit> commits = new ArrayList<>(1);
    int from = 0;
    while (from < count) {
      int to = from + 1;
      while (to < count && exchangeIds[to] == exchangeIds[from] && pairNos[to] == pairNos[from]) {
        to++;
      }
      Array array = pg.createArrayOf("int8", java.util.Arrays.copyOfRange(ids, from, to));
      commits.add(LOG.append(c, exchangeIds[from], pairNos[from], (ps, i) -> ps.setArray(i, array), to - from));
      from = to;
    }
    return commits;
  }

  /** Tells the listener, after the commit, of the entries {@link #append} wrote. */
  void committed(List<CommitLog.Commit> commits) {
    if (!commits.isEmpty()) {
      listener.committed(commits);
    }
  }

  /**
   * The entries of each market with a seq in {@code (after[i], upto[i]]}, at most
   * {@code perMarket} of each, in seq order per market, as {@link CommitLog#entries} reads them,
   * each snapshot id as its header, in one statement.
   */
  static List<CommitLog.Entry<OrderBookReader.Header>> entries(Connection c, int[] exchangeIds, int[] pairNos,
      long[] after, long[] upto, int perMarket) throws SQLException {
    List<CommitLog.Entry<OrderBookReader.Header>> entries = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(ENTRIES_SQL)) {
      ps.setArray(1, c.createArrayOf("int4", Arrays.stream(exchangeIds).boxed().toArray()));
      ps.setArray(2, c.createArrayOf("int4", Arrays.stream(pairNos).boxed().toArray()));
      ps.setArray(3, c.createArrayOf("int8", Arrays.stream(after).boxed().toArray()));
      ps.setArray(4, c.createArrayOf("int8", Arrays.stream(upto).boxed().toArray()));
      ps.setInt(5, perMarket);
      try (ResultSet rs = ps.executeQuery()) {
        int market = -1;
        long seq = -1;
        List<OrderBookReader.Header> items = null;
        while (rs.next()) {
          int m = (int) rs.getLong(1) - 1;
          long s = rs.getLong(2);
          if (m != market || s != seq) {
            market = m;
            seq = s;
            items = new ArrayList<>();
            entries.add(new CommitLog.Entry<>(m, s, items, rs.getLong(3)));
          }
          rs.getLong(4);
          if (!rs.wasNull()) {
            items.add(OrderBookReader.header(rs, 4));
          }
        }
      }
    }
    return entries;
  }
}
