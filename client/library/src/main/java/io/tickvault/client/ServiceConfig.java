package io.tickvault.client;

import io.grpc.health.v1.HealthGrpc;
import io.tickvault.api.v1.ApiKeyAdminServiceGrpc;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.AuditServiceGrpc;
import io.tickvault.api.v1.AuthServiceGrpc;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.TokenAdminServiceGrpc;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The gRPC service config the client's channel starts with: round robin over every address the
 * target resolves to, and for unary calls a default deadline and retries on UNAVAILABLE.
 *
 * <p>Every unary RPC of tickvault but CreateToken is idempotent (puts are upserts, deletes of a missing key
 * succeed), so retrying after UNAVAILABLE — a replica restarting, PostgreSQL briefly away — can
 * never apply a change twice. Streams are not retried here: a stream's caller knows what was
 * acknowledged and replays from there (records are deduplicated on their natural keys), and a
 * reader resumes from its last page token.
 */
final class ServiceConfig {
  private ServiceConfig() {}

  /** The service config as the map {@code ManagedChannelBuilder.defaultServiceConfig} takes. */
  static Map<String, Object> of(Duration unaryDeadline, int maxAttempts) {
    List<Map<String, Object>> unaryServices = List.of(
        Map.of("service", ApiKeyServiceGrpc.SERVICE_NAME),
        Map.of("service", ApiKeyAdminServiceGrpc.SERVICE_NAME),
        Map.of("service", MarketServiceGrpc.SERVICE_NAME),
        Map.of("service", HealthGrpc.SERVICE_NAME),
        // QueryService's unary reads only: its streams must not get a unary deadline.
        Map.of("service", QueryServiceGrpc.SERVICE_NAME, "method", "GetMarketState"),
        Map.of("service", QueryServiceGrpc.SERVICE_NAME, "method", "GetOrderBook"),
        Map.of("service", QueryServiceGrpc.SERVICE_NAME, "method", "GetCandles"),
        Map.of("service", QueryServiceGrpc.SERVICE_NAME, "method", "GetCoverage"),
        Map.of("service", QueryServiceGrpc.SERVICE_NAME, "method", "ListFeeds"),
        // Idempotent: the same report is stored once.
        Map.of("service", IngestServiceGrpc.SERVICE_NAME, "method", "ReportGap"),
        Map.of("service", AuthServiceGrpc.SERVICE_NAME),
        // Revoking twice is revoking once. CreateToken is not retried: it would make two tokens.
        Map.of("service", TokenAdminServiceGrpc.SERVICE_NAME, "method", "RevokeToken"),
        Map.of("service", TokenAdminServiceGrpc.SERVICE_NAME, "method", "ListTokens"),
        Map.of("service", AuditServiceGrpc.SERVICE_NAME, "method", "VerifyAuditLog"));
    Map<String, Object> retryPolicy = Map.of(
        // The config parser wants JSON numbers, which Java maps as Double.
        "maxAttempts", (double) maxAttempts,
        "initialBackoff", "0.2s",
        "maxBackoff", "2s",
        "backoffMultiplier", 2.0,
        "retryableStatusCodes", List.of("UNAVAILABLE"));
    Map<String, Object> unary = Map.of(
        "name", unaryServices,
        "timeout", seconds(unaryDeadline),
        "retryPolicy", retryPolicy);
    Map<String, Object> unaryOnce = Map.of(
        "name", List.of(Map.of("service", TokenAdminServiceGrpc.SERVICE_NAME, "method", "CreateToken")),
        "timeout", seconds(unaryDeadline));
    return Map.of(
        "loadBalancingConfig", List.of(Map.of("round_robin", Map.of())),
        "methodConfig", List.of(unary, unaryOnce));
  }

  /** "1.5s": a duration as the config's JSON wants it (not String.format: its first use costs a CLI 10 ms). */
  private static String seconds(Duration d) {
    return BigDecimal.valueOf(d.toMillis(), 3).toPlainString() + "s";
  }
}
