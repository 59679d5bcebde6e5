package io.tickvault.server.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Records stored by the ingestion services, by kind and outcome:
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

  private final CounterDataPoint[][] byKindAndOutcome = new CounterDataPoint[Kind.values().length][];

  public IngestMetrics(PrometheusRegistry registry) {
    Counter records = Counter.builder()
        .name("tickvault_ingest_records_total")
        .help("Market-data records received by the ingestion services, by kind and outcome")
        .labelNames("kind", "outcome")
        .register(registry);
    for (Kind kind : Kind.values()) {
      // Children are created up front so every series is exported from the start, at zero:
      // a rate() over a series that appears late misses its first increase.
      byKindAndOutcome[kind.ordinal()] = new CounterDataPoint[] {
          records.labelValues(kind.label, "inserted"),
          records.labelValues(kind.label, "duplicate"),
          records.labelValues(kind.label, "rejected")};
    }
  }

  /** Adds one batch's outcome: records inserted, found already stored, and refused as invalid. */
  public void recorded(Kind kind, long inserted, long duplicates, long rejected) {
    CounterDataPoint[] counters = byKindAndOutcome[kind.ordinal()];
    counters[0].inc(inserted);
    counters[1].inc(duplicates);
    counters[2].inc(rejected);
  }
}
