package io.tickvault.server.apikeys;

import io.tickvault.server.db.Jdbc;
import java.util.List;

/** The only place that knows the columns of {@code exchange_api_keys}. */
public final class ApiKeyRepository {
  private static final String COLUMNS = """
      user_id, exchange_id, access_key, secret_ciphertext, master_key_id, label,
      (extract(epoch FROM updated_at) * 1000)::bigint AS update_time_ms
      """;

  private final Jdbc jdbc;

  public ApiKeyRepository(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** Every key of the user, ordered by exchange_id then access_key. */
  public List<StoredApiKey> findByUser(String userId) {
    return jdbc.query("SELECT " + COLUMNS + """
            FROM exchange_api_keys WHERE user_id = ?
            ORDER BY exchange_id, access_key COLLATE "C"
            """, ApiKeyRepository::map, userId);
  }

  /** What a put did: whether the row was new, and when it was stored. */
  public record PutResult(boolean created, long updateTimeMs) {}

  /** Inserts the key, or replaces the secret and label of the key with the same identity. */
  public PutResult put(StoredApiKey key) {
    // xmax = 0 only on a freshly inserted row: tells insert from update in one statement.
    return jdbc.queryOne("""
            INSERT INTO exchange_api_keys (user_id, exchange_id, access_key, secret_ciphertext, master_key_id, label)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (user_id, exchange_id, access_key) DO UPDATE
              SET secret_ciphertext = EXCLUDED.secret_ciphertext, master_key_id = EXCLUDED.master_key_id,
                  label = EXCLUDED.label, updated_at = clock_timestamp()
            RETURNING (xmax = 0) AS created, (extract(epoch FROM updated_at) * 1000)::bigint AS update_time_ms
            """,
            row -> new PutResult(row.getBoolean("created"), row.getLong("update_time_ms")),
            key.userId(), key.exchangeId(), key.accessKey(), key.secretCiphertext(), key.masterKeyId(), key.label())
        .orElseThrow();
  }

  /** Deletes one key; true when there was one. */
  public boolean delete(String userId, int exchangeId, String accessKey) {
    return jdbc.execute("DELETE FROM exchange_api_keys WHERE user_id = ? AND exchange_id = ? AND access_key = ?",
        userId, exchangeId, accessKey) > 0;
  }

  /**
   * Up to {@code limit} keys encrypted under another master key than {@code keyId}, in key order
   * after {@code after} (null: from the start), so a caller pages through them once.
   */
  public List<StoredApiKey> findNotEncryptedUnder(String keyId, StoredApiKey after, int limit) {
    return jdbc.query("SELECT " + COLUMNS + """
            FROM exchange_api_keys
            WHERE master_key_id <> ? AND (user_id, exchange_id, access_key) > (?, ?, ?)
            ORDER BY user_id, exchange_id, access_key LIMIT ?
            """, ApiKeyRepository::map, keyId,
        after == null ? "" : after.userId(), after == null ? 0 : after.exchangeId(),
        after == null ? "" : after.accessKey(), limit);
  }

  /**
   * Replaces a key's ciphertext only if the row still holds the ciphertext it was read with, so a
   * put that raced with the re-encryption is never overwritten. True when the row was replaced.
   */
  public boolean replaceCiphertext(StoredApiKey old, byte[] ciphertext, String keyId) {
    return jdbc.execute("""
            UPDATE exchange_api_keys SET secret_ciphertext = ?, master_key_id = ?
            WHERE user_id = ? AND exchange_id = ? AND access_key = ? AND secret_ciphertext = ?
            """, ciphertext, keyId, old.userId(), old.exchangeId(), old.accessKey(), old.secretCiphertext()) > 0;
  }

  private static StoredApiKey map(java.sql.ResultSet row) throws java.sql.SQLException {
    return new StoredApiKey(
        row.getString("user_id"),
        row.getInt("exchange_id"),
        row.getString("access_key"),
        row.getBytes("secret_ciphertext"),
        row.getString("master_key_id"),
        row.getString("label"),
        row.getLong("update_time_ms"));
  }
}
