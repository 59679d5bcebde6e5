package io.tickvault.server.testing;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

/** Reads a counter or gauge of a server's registry, for assertions on what the server counted. */
public final class MetricValues {
  private MetricValues() {}

  /** The counter's value with the given label pairs (name, value, ...); 0 when never incremented. */
  public static double counter(PrometheusRegistry registry, String name, String... labelPairs) {
    String base = name.endsWith("_total") ? name.substring(0, name.length() - "_total".length()) : name;
    for (MetricSnapshot snapshot : registry.scrape()) {
      if (!(snapshot instanceof CounterSnapshot counter) || !counter.getMetadata().getPrometheusName().equals(base)) {
        continue;
      }
      for (CounterSnapshot.CounterDataPointSnapshot point : counter.getDataPoints()) {
        boolean matches = true;
        for (int i = 0; i < labelPairs.length; i += 2) {
          matches &= labelPairs[i + 1].equals(point.getLabels().get(labelPairs[i]));
        }
        if (matches) {
          return point.getValue();
        }
      }
      return 0;
    }
    throw new AssertionError("no counter named " + name);
  }

  /** The gauge's value with the given label pairs (name, value, ...). */
  public static double gauge(PrometheusRegistry registry, String name, String... labelPairs) {
    for (MetricSnapshot snapshot : registry.scrape()) {
      if (!(snapshot instanceof io.prometheus.metrics.model.snapshots.GaugeSnapshot gauge)
          || !gauge.getMetadata().getPrometheusName().equals(name)) {
        continue;
      }
      for (io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot point : gauge.getDataPoints()) {
        boolean matches = true;
        for (int i = 0; i < labelPairs.length; i += 2) {
          matches &= labelPairs[i + 1].equals(point.getLabels().get(labelPairs[i]));
        }
        if (matches) {
          return point.getValue();
        }
      }
    }
    throw new AssertionError("no gauge named " + name + " with " + String.join(",", labelPairs));
  }
}
