package io.tickvault.server.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * One kind of subscription on this server, SubscribeTrades or SubscribeOrderBooks (docs/subscribing.md). A subscription ended because its client
 * took nothing for the stall timeout counts in {@code tickvault_read_stalled_total}, as a read.
 */
public final class SubscriptionMetrics {
  private static final double[] LAG_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

  private final Gauge open;
  private final Gauge markets;
  private final CounterDataPoint historyRecords;
  private final CounterDataPoint liveRecords;
  private final Counter outOfRetention;
  private final Histogram lag;

  /** SubscribeTrades' metrics (docs/operations.md#metrics). */
  public static SubscriptionMetrics trades(PrometheusRegistry registry) {
    return new SubscriptionMetrics(registry, "tickvault_", "SubscribeTrades", "trades");
  }

  /** SubscribeOrderBooks' metrics: the same, under names of their own. */
  public static SubscriptionMetrics orderBooks(PrometheusRegistry registry) {
    return new SubscriptionMetrics(registry, "tickvault_orderbook_", "SubscribeOrderBooks", "snapshots");
  }

  private SubscriptionMetrics(PrometheusRegistry registry, String prefix, String rpc, String records) {
    open = Meters.gauge(registry, prefix + "subscriptions_open", rpc + " streams open on this server");
    markets = Meters.gauge(registry, prefix + "subscription_markets_open",
        "Markets followed by the " + rpc + " streams open on this server, summed over the streams");
    Counter sent = Meters.counter(registry, prefix + "subscription_" + records + "_total", Character.toUpperCase(records.charAt(0))
        + records.substring(1) + " sent by " + rpc + ", by phase: history (stored before, read by time) or live (from the commit log)",
        "phase");
    historyRecords = sent.labelValues("history");
    liveRecords = sent.labelValues("live");
    outOfRetention = Meters.counter(registry, prefix + "subscriptions_out_of_retention_total",
        rpc + " streams ended OUT_OF_RANGE: the commit log no longer held what they had not received");
    lag = Meters.seconds(registry, prefix + "subscription_lag_seconds", "From a commit (the database's clock) to its "
        + records + "' response being handed to gRPC (this server's clock), live phase", LAG_BUCKETS);
  }

  public void opened(int marketCount) {
    open.inc();
    markets.inc(marketCount);
  }

  public void closed(int marketCount) {
    open.dec();
    markets.dec(marketCount);
  }

  public void history(int records) {
    historyRecords.inc(records);
  }

  public void live(int records, double lagSeconds) {
    liveRecords.inc(records);
    lag.observe(Math.max(0, lagSeconds));
  }

  public void outOfRetention() {
    outOfRetention.inc();
  }
}
