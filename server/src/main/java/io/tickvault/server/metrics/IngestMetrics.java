package io.tickvault.server.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Records stored by the ingestion services, by kind and outcome, and the time each batch took to
 * write ({@code tickvault_db_write_seconds{kind}}):
 * {@code tickvault_ingest_records_total{kind="trade|orderbook", outcome="inserted|duplicate|rejected"}}.
 * The ingestion code calls {@link #recorded} once per committed batch with that batch's counts, so
 * the counters agree with the counts the callers are sent.
 */
public final class IngestMetrics {
  /** The record kinds, as the {@code kind} label spells them. */
  public enum Kind {
    TRADE("trade"),
    ORDERBOOK("orderbook");

    private final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  /** Buckets from 1 ms (a small batch) to 10 s (PostgreSQL struggling). */
  private static final double[] WRITE_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  private final CounterDataPoint[][] byKindAndOutcome = new CounterDataPoint[Kind.values().length][];
  private final DistributionDataPoint[] writeSeconds = new DistributionDataPoint[Kind.values().length];

  public IngestMetrics(PrometheusRegistry registry) {
    Counter records = Meters.counter(registry, "tickvault_ingest_records_total",
        "Market-data records received by the ingestion services, by kind and outcome", "kind", "outcome");
    Histogram writes = Meters.seconds(registry, "tickvault_db_write_seconds",
        "Time to write one batch of records to PostgreSQL, transaction and commit included, by kind", WRITE_BUCKETS, "kind");
    for (Kind kind : Kind.values()) {
      writeSeconds[kind.ordinal()] = writes.labelValues(kind.label);
      // Children are created up front so every series is exported from the start, at zero:
      // a rate() over a series that appears late misses its first increase.
      byKindAndOutcome[kind.ordinal()] = new CounterDataPoint[] {
          records.labelValues(kind.label, "inserted"),
          records.labelValues(kind.label, "duplicate"),
          records.labelValues(kind.label, "rejected")};
    }
  }

  /** Times one batch written to PostgreSQL. */
  public void written(Kind kind, long nanos) {
    writeSeconds[kind.ordinal()].observe(nanos / 1e9);
  }

  /** Adds one batch's outcome: records inserted, found already stored, and refused as invalid. */
  public void recorded(Kind kind, long inserted, long duplicates, long rejected) {
    CounterDataPoint[] counters = byKindAndOutcome[kind.ordinal()];
    counters[0].inc(inserted);
    counters[1].inc(duplicates);
    counters[2].inc(rejected);
  }
}
