package io.tickvault.server.audit;

import io.tickvault.server.db.Jdbc;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/** The only place that knows the columns of {@code audit_log}. */
public final class AuditRepository {
  private static final String COLUMNS =
      "chain_id, seq, time_ms, token_id, peer, method, user_id, exchange_id, outcome, key_id, prev_hash, hash";

  private final Jdbc jdbc;

  public AuditRepository(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Stores a group of records in one transaction, one commit for all of them. A record already
   * there (the same chain and seq: a spool shipped again after a crash between its commit and its
   * truncation) is skipped, so shipping is idempotent.
   */
  int insert(List<ChainedRecord> records) {
    return jdbc.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_log (" + COLUMNS + ")"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (chain_id, seq) DO NOTHING")) {
        for (ChainedRecord r : records) {
          AuditEvent e = r.event();
          ps.setObject(1, r.chainId());
          ps.setLong(2, r.seq());
          ps.setLong(3, e.timeMs());
          ps.setString(4, e.tokenId());
          ps.setString(5, e.peer());
          ps.setString(6, e.method());
          ps.setString(7, e.userId());
          ps.setInt(8, e.exchangeId());
          ps.setString(9, e.outcome());
          ps.setString(10, r.keyId());
          ps.setBytes(11, r.prevHash());
          ps.setBytes(12, r.hash());
          ps.addBatch();
        }
        int inserted = 0;
        for (int n : ps.executeBatch()) {
          inserted += Math.max(n, 0);
        }
        return inserted;
      }
    });
  }

  /**
   * Up to {@code limit} records in (time, chain, seq) order after {@code after} (null: from the
   * start), in {@code [startMs, endMs)}, of one user and one token when those are not empty.
   */
  public List<ChainedRecord> page(long startMs, long endMs, String userId, String tokenId, AuditPosition after,
                                  int limit) {
    // Fixed fragments only: a filter that is not asked for is left out, so each variant gets a
    // plan that uses its own index.
    String sql = "SELECT " + COLUMNS + " FROM audit_log WHERE time_ms >= ? AND time_ms < ?"
        + (userId.isEmpty() ? " AND '' = ?" : " AND user_id = ?")
        + (tokenId.isEmpty() ? " AND '' = ?" : " AND token_id = ?")
        + " AND (time_ms, chain_id, seq) > (?, ?, ?) ORDER BY time_ms, chain_id, seq LIMIT ?";
    AuditPosition from = after != null ? after : AuditPosition.BEFORE_ALL;
    return jdbc.query(sql, AuditRepository::record, startMs, endMs, userId, tokenId,
        from.timeMs(), from.chainId(), from.seq(), limit);
  }

  /** Up to {@code limit} records in (chain, seq) order after that chain and seq (null chain: from the start). */
  List<ChainedRecord> inChainOrder(UUID afterChain, long afterSeq, int limit) {
    return jdbc.query("SELECT " + COLUMNS + " FROM audit_log WHERE (chain_id, seq) > (?, ?) ORDER BY chain_id, seq LIMIT ?",
        AuditRepository::record, afterChain != null ? afterChain : AuditPosition.FIRST_CHAIN, afterSeq,
        limit);
  }

  private static ChainedRecord record(ResultSet row) throws SQLException {
    AuditEvent event = new AuditEvent(row.getLong("time_ms"), row.getString("token_id"), row.getString("peer"),
        row.getString("method"), row.getString("user_id"), row.getInt("exchange_id"), row.getString("outcome"));
    return new ChainedRecord(row.getObject("chain_id", UUID.class), row.getLong("seq"), event, row.getString("key_id"),
        row.getBytes("prev_hash"), row.getBytes("hash"));
  }
}
