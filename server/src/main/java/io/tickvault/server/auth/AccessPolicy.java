package io.tickvault.server.auth;

import io.grpc.health.v1.HealthGrpc;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.QueryServiceGrpc;
import java.util.Set;

/**
 * Who may call what (docs/security.md). Health and reflection are open to anyone; a worker
 * may read API keys, list currency pairs, ingest market data and read it back; everything else,
 * including any method added later and not listed here, is for admins only.
 */
public final class AccessPolicy {
  private static final Set<String> OPEN_SERVICES = Set.of(
      HealthGrpc.SERVICE_NAME,
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection");
  private static final Set<String> WORKER_SERVICES = Set.of(
      ApiKeyServiceGrpc.SERVICE_NAME,
      IngestServiceGrpc.SERVICE_NAME,
      QueryServiceGrpc.SERVICE_NAME);
  private static final Set<String> WORKER_METHODS = Set.of(
      MarketServiceGrpc.getListCurrencyPairsMethod().getFullMethodName());

  private AccessPolicy() {}

  public static boolean isOpen(String serviceName) {
    return OPEN_SERVICES.contains(serviceName);
  }

  public static boolean allows(Role role, String serviceName, String fullMethodName) {
    return role == Role.ADMIN
        || WORKER_SERVICES.contains(serviceName)
        || WORKER_METHODS.contains(fullMethodName);
  }
}
