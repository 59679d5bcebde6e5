package io.tickvault.server.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.function.DoubleSupplier;

/**
 * The one way the server's components register their metrics: a name, a help line and the label
 * names, on the registry of the server that owns them (one per server, see {@link Metrics}).
 * A labelled metric's series are taken once with {@code labelValues}, not looked up per event.
 */
public final class Meters {
  private Meters() {}

  /** A counter; with label names, one series per combination of their values. */
  public static Counter counter(PrometheusRegistry registry, String name, String help, String... labelNames) {
    return Counter.builder().name(name).help(help).labelNames(labelNames).register(registry);
  }

  /** A gauge its owner sets. */
  public static Gauge gauge(PrometheusRegistry registry, String name, String help) {
    return Gauge.builder().name(name).help(help).register(registry);
  }

  /** A gauge of one value, read at scrape time. */
  public static void gauge(PrometheusRegistry registry, String name, String help, DoubleSupplier value) {
    GaugeWithCallback.builder().name(name).help(help)
        .callback(callback -> callback.call(value.getAsDouble())).register(registry);
  }

  /** A histogram of durations in seconds, with fixed buckets only (what the dashboards read). */
  public static Histogram seconds(PrometheusRegistry registry, String name, String help, double[] buckets,
                                  String... labelNames) {
    return Histogram.builder().name(name).help(help).unit(Unit.SECONDS).labelNames(labelNames)
        .classicOnly().classicUpperBounds(buckets).register(registry);
  }
}
