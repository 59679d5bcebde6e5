package io.tickvault.server.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * The audit trail's figures: {@code tickvault_audit_records_total{outcome}} (written straight to
 * PostgreSQL, spooled to the local file, shipped from it later, dropped because nothing could take
 * them), the spool's depth and the age of its oldest record, the records waiting in memory, and
 * the head of this server's chain (its seq; the hash goes to the log, see docs/security.md).
 */
public final class AuditMetrics {
  /** The head of a chain as the gauges show it. */
  public record Head(String chainId, long seq) {}

  public final CounterDataPoint written;
  public final CounterDataPoint spooled;
  public final CounterDataPoint shipped;
  public final CounterDataPoint dropped;

  /**
   * @param spoolDepth records in the spool not yet shipped
   * @param oldestUnshippedSeconds the age of the oldest of them, 0 while there is none
   * @param queued records waiting in memory for the writer
   */
  public AuditMetrics(PrometheusRegistry registry, DoubleSupplier spoolDepth, DoubleSupplier oldestUnshippedSeconds,
                      DoubleSupplier queued, Supplier<Head> head) {
    Counter records = Meters.counter(registry, "tickvault_audit_records_total",
        "Audit records: written to PostgreSQL, spooled to the local file, shipped from it to PostgreSQL, "
            + "or dropped (neither could take them)", "outcome");
    written = records.labelValues("written");
    spooled = records.labelValues("spooled");
    shipped = records.labelValues("shipped");
    dropped = records.labelValues("dropped");
    Meters.gauge(registry, "tickvault_audit_spool_records",
        "Audit records in the local spool not yet shipped to PostgreSQL", spoolDepth);
    Meters.gauge(registry, "tickvault_audit_spool_oldest_age_seconds",
        "Age of the oldest audit record in the spool not yet shipped to PostgreSQL (0: none)", oldestUnshippedSeconds);
    Meters.gauge(registry, "tickvault_audit_queued_records", "Audit records waiting in memory for the writer", queued);
    GaugeWithCallback.builder().name("tickvault_audit_chain_head_seq")
        .help("The seq of the last durable record of this server's audit chain; its hash is in the log line "
            + "'audit chain head'")
        .labelNames("chain_id")
        .callback(callback -> {
          Head h = head.get();
          callback.call(h.seq(), h.chainId());
        })
        .register(registry);
  }
}
