package io.tickvault.server.ingest;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** Counters of ingestion, labelled by the kind of record ("trade", "orderbook_snapshot"). */
public final class IngestMetrics {
  private final Counter records;
  private final Histogram batchSeconds;

  public IngestMetrics(PrometheusRegistry registry) {
    records = Counter.builder()
        .name("tickvault_ingest_records_total")
        .help("Records received by ingestion calls, by kind and outcome (inserted, duplicate, rejected)")
        .labelNames("kind", "outcome")
        .register(registry);
    batchSeconds = Histogram.builder()
        .name("tickvault_ingest_batch_seconds")
        .help("Time to validate and write one coalesced batch of records")
        .labelNames("kind")
        .register(registry);
  }

  /** For tests and tools that run the machinery without a server. */
  public static IngestMetrics unregistered() {
    return new IngestMetrics(new PrometheusRegistry());
  }

  void recordBatch(String kind, long inserted, long duplicates, long rejected, double seconds) {
    records.labelValues(kind, "inserted").inc(inserted);
    records.labelValues(kind, "duplicate").inc(duplicates);
    records.labelValues(kind, "rejected").inc(rejected);
    batchSeconds.labelValues(kind).observe(seconds);
  }
}
