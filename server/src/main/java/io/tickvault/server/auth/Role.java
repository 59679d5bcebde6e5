package io.tickvault.server.auth;

import io.tickvault.server.grpc.Permission;
import java.util.EnumSet;
import java.util.Set;

/**
 * The two fixed presets of the environment tokens ({@code TICKVAULT_WORKER_TOKENS},
 * {@code TICKVAULT_ADMIN_TOKENS}); both reach every user and exchange.
 */
public enum Role {
  /** Reads keys, writes and reads market data. */
  WORKER(EnumSet.of(Permission.API_KEYS_READ, Permission.MARKET_DATA_WRITE, Permission.MARKET_DATA_READ)),
  /** Everything. */
  ADMIN(EnumSet.allOf(Permission.class));

  private final Set<Permission> permissions;

  Role(Set<Permission> permissions) {
    this.permissions = permissions;
  }

  public Set<Permission> permissions() {
    return EnumSet.copyOf(permissions);
  }
}
