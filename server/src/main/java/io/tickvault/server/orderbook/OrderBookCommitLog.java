package io.tickvault.server.orderbook;

import io.tickvault.server.subscribe.CommitLog;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
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

  /** The snapshot ids of an entry, as {@link CommitLog#entries} reads them. */
  static List<Long> read(ResultSet row, int column) throws SQLException {
    Long[] ids = (Long[]) row.getArray(column).getArray();
    return List.of(ids);
  }
}
