package io.tickvault.server.subscribe;

import io.tickvault.server.db.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A commit log of one record kind: its log table and its per-market counter (trades:
 * V9__trade_commit_log.sql, order books: V12__orderbook_commit_log.sql), what a subscription reads
 * once it has caught up with the stored records (docs/subscribing.md).
 *
 * <p>Written in the records' own transaction, after everything else: one row per market per
 * transaction naming exactly the records it inserted, numbered by the counter's {@code seq + 1}.
 * The update of the counter's row is the transaction's last statement, and its row lock is held
 * until the commit, so the writers of one market commit their tails one after the other, in seq
 * order: once a reader sees seq N committed, no smaller seq of that market can commit any more.
 * Readers therefore remember one number per market and never skip a row.
 *
 * <p>The two kinds' tables have the same shape; their names are this class's constants, never
 * input, so the statements are written once here with the names filled in.
 */
public final class CommitLog {
  /** One market's entry of one transaction. */
  public record Commit(int exchangeId, int currencyPairNo, long seq) {}

  /** One entry as read: its market's position in the request, its seq, its records, its commit time. */
  public record Entry<R>(int market, long seq, List<R> items, long committedAtMs) {}

  /** What is told of every committed transaction, after its commit. */
  public interface Listener {
    void committed(List<Commit> commits);
  }

  /** Binds an entry's records to the statement's parameter {@code index}. */
  public interface Payload {
    void bind(PreparedStatement ps, int index) throws SQLException;
  }

  /** Reads an entry's records from column {@code column} on (the columns of {@link Tables#read}). */
  public interface PayloadReader<R> {
    List<R> read(ResultSet row, int column) throws SQLException;
  }

  /**
   * A kind's tables: the log, its counter, the log's columns of records and of their count, and
   * what {@link #entries} reads of an entry for its {@link PayloadReader} (the records' column, or
   * a list of columns).
   */
  public record Tables(String log, String counter, String records, String count, String read) {
    public Tables(String log, String counter, String records, String count) {
      this(log, counter, records, count, records);
    }
  }

  // One round trip per market: the seq row (taken last, held to the commit), then the entry.
  private static final String APPEND_SQL = """
      WITH s AS (
          INSERT INTO %2$s AS m (exchange_id, currency_pair_no, seq) VALUES (?, ?, 1)
          ON CONFLICT (exchange_id, currency_pair_no) DO UPDATE SET seq = m.seq + 1
          RETURNING seq)
      INSERT INTO %1$s (exchange_id, currency_pair_no, commit_seq, %3$s, %4$s, committed_at)
      SELECT ?, ?, seq, ?, ?, clock_timestamp() FROM s
      RETURNING commit_seq
      """;
  private static final String SEQS_SQL = """
      SELECT coalesce(s.seq, 0), coalesce(s.pruned_through, 0)
        FROM unnest(?::integer[], ?::integer[]) WITH ORDINALITY AS m(e, p, i)
        LEFT JOIN %2$s s ON s.exchange_id = m.e AND s.currency_pair_no = m.p
       ORDER BY m.i
      """;
  private static final String ENTRIES_SQL = """
      SELECT m.i, l.*
        FROM unnest(?::integer[], ?::integer[], ?::bigint[], ?::bigint[]) WITH ORDINALITY AS m(e, p, after, upto, i)
        CROSS JOIN LATERAL (
            SELECT commit_seq, (extract(epoch FROM committed_at) * 1000)::bigint, %3$s FROM %1$s
             WHERE exchange_id = m.e AND currency_pair_no = m.p AND commit_seq > m.after AND commit_seq <= m.upto
             ORDER BY commit_seq
             LIMIT ?) l
       ORDER BY m.i, l.commit_seq
      """;
  private static final String PRUNE_SQL = """
      WITH gone AS (
          DELETE FROM %1$s WHERE committed_at < now() - ?::double precision * interval '1 second'
          RETURNING exchange_id, currency_pair_no, commit_seq),
      markets AS (
          SELECT exchange_id, currency_pair_no, max(commit_seq) AS through FROM gone GROUP BY 1, 2),
      moved AS (
          UPDATE %2$s s SET pruned_through = greatest(s.pruned_through, markets.through)
            FROM markets
           WHERE s.exchange_id = markets.exchange_id AND s.currency_pair_no = markets.currency_pair_no)
      SELECT count(*) FROM gone
      """;

  private final String appendSql;
  private final String seqsSql;
  private final String entriesSql;
  private final String pruneSql;
  private final String log;

  public CommitLog(Tables t) {
    this.appendSql = APPEND_SQL.formatted(t.log(), t.counter(), t.records(), t.count());
    this.seqsSql = SEQS_SQL.formatted(t.log(), t.counter());
    this.entriesSql = ENTRIES_SQL.formatted(t.log(), t.counter(), t.read());
    this.pruneSql = PRUNE_SQL.formatted(t.log(), t.counter());
    this.log = t.log();
  }

  /** The log table's name, for messages. */
  public String table() {
    return log;
  }

  /**
   * Appends one market's entry: {@code count} records bound by {@code records}. Call it last in the
   * transaction, one market after the other in key order, so two transactions lock their seq rows
   * in the same order and never deadlock.
   */
  public Commit append(Connection c, int exchangeId, int currencyPairNo, Payload records, int count) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(appendSql)) {
      ps.setInt(1, exchangeId);
      ps.setInt(2, currencyPairNo);
      ps.setInt(3, exchangeId);
      ps.setInt(4, currencyPairNo);
      records.bind(ps, 5);
      ps.setInt(6, count);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Commit(exchangeId, currencyPairNo, rs.getLong(1));
      }
    }
  }

  /** Each market's last seq and the seq up to which its entries were pruned, in the order given. */
  public long[][] seqs(Connection c, int[] exchangeIds, int[] pairNos) throws SQLException {
    long[][] seqs = new long[2][exchangeIds.length];
    int i = 0;
    try (PreparedStatement ps = c.prepareStatement(seqsSql)) {
      ps.setArray(1, c.createArrayOf("int4", box(exchangeIds)));
      ps.setArray(2, c.createArrayOf("int4", box(pairNos)));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          seqs[0][i] = rs.getLong(1);
          seqs[1][i++] = rs.getLong(2);
        }
      }
    }
    return seqs;
  }

  /**
   * The entries of each market with a seq in {@code (after[i], upto[i]]}, at most
   * {@code perMarket} of each, in seq order per market.
   */
  public <R> List<Entry<R>> entries(Connection c, int[] exchangeIds, int[] pairNos, long[] after, long[] upto,
                                    int perMarket, PayloadReader<R> reader) throws SQLException {
    List<Entry<R>> entries = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(entriesSql)) {
      ps.setArray(1, c.createArrayOf("int4", box(exchangeIds)));
      ps.setArray(2, c.createArrayOf("int4", box(pairNos)));
      ps.setArray(3, c.createArrayOf("int8", box(after)));
      ps.setArray(4, c.createArrayOf("int8", box(upto)));
      ps.setInt(5, perMarket);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          entries.add(new Entry<>((int) rs.getLong(1) - 1, rs.getLong(2), reader.read(rs, 4), rs.getLong(3)));
        }
      }
    }
    return entries;
  }

  /** Deletes the entries committed more than {@code retention} ago; returns how many. */
  public int prune(Jdbc jdbc, Duration retention) {
    return jdbc.inTransaction(c -> Jdbc.query(c, pruneSql, row -> row.getInt(1), retention.toSeconds()).get(0));
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
