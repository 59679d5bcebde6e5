package io.tickvault.server.auth;

import io.tickvault.server.db.Jdbc;
import io.tickvault.server.grpc.Permission;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** The only place that knows the table {@code access_tokens}. */
public final class AccessTokenRepository {
  private static final String COLUMNS = "id, name, permissions, user_ids, user_id_prefixes, exchange_ids, "
      + "created_at_ms, expires_at_ms, revoked_at_ms, last_used_at_ms";

  /** A stored token with the hash of its secret, for the servers' memory. */
  record Row(StoredToken token, byte[] secretSha256) {}

  /**
   * What changes when tickvault changes the table: tokens are only ever added, and revoked once;
   * two equal fingerprints mean nothing was created or revoked in between.
   */
  record Fingerprint(long tokens, long revoked) {}

  private final Jdbc jdbc;

  public AccessTokenRepository(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  void insert(StoredToken token, byte[] secretSha256) {
    jdbc.withConnection(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO access_tokens (id, name, secret_sha256, permissions, "
          + "user_ids, user_id_prefixes, exchange_ids, created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, token.id());
        ps.setString(2, token.name());
        ps.setBytes(3, secretSha256);
        ps.setArray(4, c.createArrayOf("text", token.permissions().stream().map(Permission::name).toArray()));
        ps.setArray(5, c.createArrayOf("text", token.scope().userIds().stream().sorted().toArray()));
        ps.setArray(6, c.createArrayOf("text", token.scope().userIdPrefixes().toArray()));
        ps.setArray(7, c.createArrayOf("int4", token.scope().exchangeIds().stream().sorted().toArray()));
        ps.setLong(8, token.createdAtMs());
        ps.setLong(9, token.expiresAtMs());
        return ps.executeUpdate();
      }
    });
  }

  /**
   * Revokes a token now, or keeps the time of its first revocation; empty when no token has the id.
   */
  Optional<StoredToken> revoke(String id, long nowMs) {
    return jdbc.queryOne("UPDATE access_tokens SET revoked_at_ms = CASE WHEN revoked_at_ms = 0 THEN ? ELSE revoked_at_ms END"
        + " WHERE id = ? RETURNING " + COLUMNS, AccessTokenRepository::token, nowMs, id);
  }

  Fingerprint fingerprint() {
    return jdbc.queryOne("SELECT count(*), count(*) FILTER (WHERE revoked_at_ms <> 0) FROM access_tokens",
        r -> new Fingerprint(r.getLong(1), r.getLong(2))).orElseThrow();
  }

  List<Row> all() {
    return jdbc.query("SELECT " + COLUMNS + ", secret_sha256 FROM access_tokens",
        r -> new Row(token(r), r.getBytes("secret_sha256")));
  }

  /** Oldest first, after the token created at {@code afterCreatedAtMs} with id {@code afterId} ("" to start). */
  public List<StoredToken> page(long afterCreatedAtMs, String afterId, int limit) {
    return jdbc.query("SELECT " + COLUMNS + " FROM access_tokens WHERE (created_at_ms, id) > (?, ?)"
        + " ORDER BY created_at_ms, id LIMIT ?", AccessTokenRepository::token, afterCreatedAtMs, afterId, limit);
  }

  /** Moves each token's last use forward, never back, in one batch; in id order, so two servers never deadlock. */
  void recordLastUse(Map<String, Long> lastUsedAtMs) {
    if (lastUsedAtMs.isEmpty()) {
      return;
    }
    jdbc.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE access_tokens SET last_used_at_ms = ? WHERE id = ? AND last_used_at_ms < ?")) {
        for (Map.Entry<String, Long> use : new TreeMap<>(lastUsedAtMs).entrySet()) {
          ps.setLong(1, use.getValue());
          ps.setString(2, use.getKey());
          ps.setLong(3, use.getValue());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    });
  }

  private static StoredToken token(ResultSet r) throws SQLException {
    Set<Permission> permissions = EnumSet.noneOf(Permission.class);
    for (String name : strings(r.getArray("permissions"))) {
      // One a later version of the server wrote and this one does not know grants nothing here.
      Arrays.stream(Permission.values()).filter(p -> p.name().equals(name)).forEach(permissions::add);
    }
    Integer[] exchanges = (Integer[]) r.getArray("exchange_ids").getArray();
    Scope scope = new Scope(Set.of(strings(r.getArray("user_ids"))), Arrays.asList(strings(r.getArray("user_id_prefixes"))),
        Set.of(exchanges));
    return new StoredToken(r.getString("id"), r.getString("name"), permissions, scope, r.getLong("created_at_ms"),
        r.getLong("expires_at_ms"), r.getLong("revoked_at_ms"), r.getLong("last_used_at_ms"));
  }

  private static String[] strings(Array array) throws SQLException {
    return (String[]) array.getArray();
  }
}
