package io.tickvault.server.auth;

import io.grpc.health.v1.HealthGrpc;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.QueryServiceGrpc;
import java.util.Set;

/**
 * Who may call what (docs/security.md). Health is open to anyone (probes carry no token);
 * reflection needs a token unless {@code TICKVAULT_REFLECTION=public}, because it tells a caller
 * every method the server has. A worker may read API keys, list currency pairs, ingest market data
 * and read it back, and use reflection; everything else, including any method added later and not
 * listed here, is for admins only.
 */
public final class AccessPolicy {
  private static final Set<String> REFLECTION_SERVICES = Set.of(
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection");
  private static final Set<String> WORKER_SERVICES = Set.of(
      ApiKeyServiceGrpc.SERVICE_NAME,
      IngestServiceGrpc.SERVICE_NAME,
      QueryServiceGrpc.SERVICE_NAME,
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection");
  private static final Set<String> WORKER_METHODS = Set.of(
      MarketServiceGrpc.getListCurrencyPairsMethod().getFullMethodName());

  private AccessPolicy() {}

  /** True for what needs no token: health, and reflection when it is configured public. */
  public static boolean isOpen(String serviceName, boolean reflectionPublic) {
    return serviceName.equals(HealthGrpc.SERVICE_NAME)
        || reflectionPublic && REFLECTION_SERVICES.contains(serviceName);
  }

  public static boolean allows(Role role, String serviceName, String fullMethodName) {
    return role == Role.ADMIN
        || WORKER_SERVICES.contains(serviceName)
        || WORKER_METHODS.contains(fullMethodName);
  }
}
