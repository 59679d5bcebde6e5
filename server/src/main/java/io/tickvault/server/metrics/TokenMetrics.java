package io.tickvault.server.metrics;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code tickvault_tokens{state="active|expired|revoked"}}: the stored tokens this server holds, by
 * state, read at scrape time from its memory (every server holds them all).
 */
public final class TokenMetrics {
  private TokenMetrics() {}

  /** @param byState the count of tokens per state name, as of now */
  public static void register(PrometheusRegistry registry, Supplier<Map<String, Integer>> byState) {
    GaugeWithCallback.builder()
        .name("tickvault_tokens")
        .help("Stored tokens held by this server, by state")
        .labelNames("state")
        .callback(callback -> byState.get().forEach((state, count) -> callback.call(count, state)))
        .register(registry);
  }
}
