package io.tickvault.server.grpc;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a token may do, one value per kind of call; each RPC declares the one it needs
 * ({@link RpcRule}). The names follow {@code tickvault.v1.Permission} without its prefix.
 */
public enum Permission {
  /** GetApiKeys: read a user's exchange keys, secrets included. */
  API_KEYS_READ,
  /** PutApiKey, DeleteApiKey. */
  API_KEYS_WRITE,
  /** Ingestion of trades and order books, and reports of gaps. */
  MARKET_DATA_WRITE,
  /** The reads of stored market data, the market state and the list of markets. */
  MARKET_DATA_READ,
  /** PutExchange, PutCurrencyPair. */
  MARKETS_WRITE,
  /** Create, revoke and list tokens. */
  TOKENS_ADMIN,
  /** Read and verify the audit log. */
  AUDIT_READ;

  /** An unmodifiable copy that iterates in the order of the enum, as the .proto lists them. */
  public static Set<Permission> setOf(Collection<Permission> permissions) {
    return Collections.unmodifiableSet(permissions.isEmpty() ? EnumSet.noneOf(Permission.class) : EnumSet.copyOf(permissions));
  }

  /** As callers see it named: {@code PERMISSION_API_KEYS_READ}. */
  public String protoName() {
    return "PERMISSION_" + name();
  }
}
