package io.tickvault.server.auth;

import io.tickvault.server.grpc.Permission;
import java.util.Objects;
import java.util.Set;

/**
 * A stored token as every server knows it: all but its secret, of which only a hash is kept
 * (table {@code access_tokens}).
 *
 * @param expiresAtMs when it stops being accepted, ms since the epoch; 0 for never
 * @param revokedAtMs when it was revoked; 0 while it is not
 * @param lastUsedAtMs when it was last accepted, as last written (in batches); 0 for never
 */
public record StoredToken(String id, String name, Set<Permission> permissions, Scope scope, long createdAtMs,
                          long expiresAtMs, long revokedAtMs, long lastUsedAtMs) {
  public StoredToken {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    permissions = Permission.setOf(permissions);
    Objects.requireNonNull(scope, "scope");
  }

  /** True when it is accepted at {@code nowMs}: neither revoked nor expired. */
  public boolean activeAt(long nowMs) {
    return revokedAtMs == 0 && (expiresAtMs == 0 || nowMs < expiresAtMs);
  }

  public StoredToken revoked(long atMs) {
    return revokedAtMs != 0 ? this
        : new StoredToken(id, name, permissions, scope, createdAtMs, expiresAtMs, atMs, lastUsedAtMs);
  }

  public StoredToken lastUsed(long atMs) {
    return atMs <= lastUsedAtMs ? this
        : new StoredToken(id, name, permissions, scope, createdAtMs, expiresAtMs, revokedAtMs, atMs);
  }

  Caller caller() {
    return new Caller(id, name, permissions, scope);
  }
}
