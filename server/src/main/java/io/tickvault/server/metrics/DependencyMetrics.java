package io.tickvault.server.metrics;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.BooleanSupplier;

/**
 * {@code tickvault_dependency_up{dependency="postgresql|redis"}}: 1 while the server can reach it,
 * 0 while it cannot, read at scrape time. PostgreSQL down means NOT_SERVING and UNAVAILABLE for
 * every call; Redis down only slows API key reads (they come from PostgreSQL meanwhile).
 */
public final class DependencyMetrics {
  private DependencyMetrics() {}

  public static void register(PrometheusRegistry registry, BooleanSupplier postgresql, BooleanSupplier redis) {
    GaugeWithCallback.builder()
        .name("tickvault_dependency_up")
        .help("Whether the server can reach its dependency: 1 yes, 0 no")
        .labelNames("dependency")
        .callback(callback -> {
          callback.call(postgresql.getAsBoolean() ? 1 : 0, "postgresql");
          callback.call(redis.getAsBoolean() ? 1 : 0, "redis");
        })
        .register(registry);
  }
}
