package io.tickvault.server.grpc;

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

  /** As callers see it named: {@code PERMISSION_API_KEYS_READ}. */
  public String protoName() {
    return "PERMISSION_" + name();
  }
}
