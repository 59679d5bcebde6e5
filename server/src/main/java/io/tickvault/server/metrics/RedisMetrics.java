package io.tickvault.server.metrics;

import io.lettuce.core.event.EventBus;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.event.connection.ConnectionDeactivatedEvent;
import io.lettuce.core.event.connection.ReconnectAttemptEvent;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.Disposable;

/**
 * Redis as the client library sees it, from its event bus: how many connections are up (for
 * {@code tickvault_dependency_up{dependency="redis"}}) and
 * {@code tickvault_redis_reconnect_attempts_total}, the attempts to reconnect a connection Redis
 * (or the network) dropped. A steadily rising count means Redis keeps going away.
 */
public final class RedisMetrics implements AutoCloseable {
  private final AtomicInteger activeConnections = new AtomicInteger();
  private final Disposable subscription;

  private RedisMetrics(PrometheusRegistry registry, EventBus events) {
    Counter reconnects = Meters.counter(registry, "tickvault_redis_reconnect_attempts_total",
        "Attempts to reconnect a Redis connection that was lost");
    subscription = events.get().subscribe(event -> {
      if (event instanceof ConnectionActivatedEvent) {
        activeConnections.incrementAndGet();
      } else if (event instanceof ConnectionDeactivatedEvent) {
        activeConnections.updateAndGet(n -> Math.max(0, n - 1));
      } else if (event instanceof ReconnectAttemptEvent) {
        reconnects.inc();
      }
    });
  }

  public static RedisMetrics register(PrometheusRegistry registry, EventBus events) {
    return new RedisMetrics(registry, events);
  }

  /** Whether at least one connection to Redis is up. */
  public boolean up() {
    return activeConnections.get() > 0;
  }

  @Override
  public void close() {
    subscription.dispose();
  }
}
