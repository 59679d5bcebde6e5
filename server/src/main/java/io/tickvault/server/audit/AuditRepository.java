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
      "chain_id, seq, time_ms, token_id, peer, method, user_id, exchange_id, outcome, key_id, prev_hash, hash, subject";

  /** A group of records as one array per column, in one statement. */
  private static final String INSERT = "INSERT INTO audit_log (" + COLUMNS + ") SELECT * FROM unnest(?::uuid[],"
      + " ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::integer[], ?::text[], ?::text[],"
      + " ?::bytea[], ?::bytea[], ?::text[]) ON CONFLICT (chain_id, seq) DO NOTHING";

  private final Jdbc jdbc;

  public AuditRepository(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Stores a group of records with one statement in auto-commit: one transaction and one round
   * trip to PostgreSQL for the whole group, whatever its size (each column goes as one array). A
   * record already there (the same chain and seq: a spool shipped again after a crash between its
   * commit and its truncation) is skipped, so shipping is idempotent.
   */
  int insert(List<ChainedRecord> records) {
    int n = records.size();
    UUID[] chains = new UUID[n];
    long[] seqs = new long[n];
    long[] times = new long[n];
    String[] tokens = new String[n];
    String[] peers = new String[n];
    String[] methods = new String[n];
    String[] users = new String[n];
    int[] exchanges = new int[n];
    String[] outcomes = new String[n];
    String[] keys = new String[n];
    byte[][] prevHashes = new byte[n][];
    byte[][] hashes = new byte[n][];
    String[] subjects = new String[n];
    for (int i = 0; i < n; i++) {
      ChainedRecord r = records.get(i);
      AuditEvent e = r.event();
      chains[i] = r.chainId();
      seqs[i] = r.seq();
      times[i] = e.timeMs();
      tokens[i] = e.tokenId();
      peers[i] = e.peer();
      methods[i] = e.method();
      users[i] = e.userId();
      exchanges[i] = e.exchangeId();
      outcomes[i] = e.outcome();
      keys[i] = r.keyId();
      prevHashes[i] = r.prevHash();
      hashes[i] = r.hash();
      subjects[i] = e.subject();
    }
    return jdbc.withConnection(c -> {
      try (PreparedStatement ps = c.prepareStatement(INSERT)) {
        ps.setArray(1, c.createArrayOf("uuid", chains));
        ps.setObject(2, seqs);
        ps.setObject(3, times);
        ps.setObject(4, tokens);
        ps.setObject(5, peers);
        ps.setObject(6, methods);
        ps.setObject(7, users);
        ps.setObject(8, exchanges);
        ps.setObject(9, outcomes);
        ps.setObject(10, keys);
        ps.setObject(11, prevHashes);
        ps.setObject(12, hashes);
        ps.setObject(13, subjects);
        return ps.executeUpdate();
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
        row.getString("method"), row.getString("user_id"), row.getInt("exchange_id"), row.getString("outcome"),
        row.getString("subject"));
    return new ChainedRecord(row.getObject("chain_id", UUID.class), row.getLong("seq"), event, row.getString("key_id"),
        row.getBytes("prev_hash"), row.getBytes("hash"));
  }
}
