package io.tickvault.server.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * SubscribeTrades on this server (docs/subscribing.md). A subscription ended because its client
 * took nothing for the stall timeout counts in {@code tickvault_read_stalled_total}, as a read.
 */
public final class SubscriptionMetrics {
  private static final double[] LAG_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

  private final Gauge open;
  private final Gauge markets;
  private final CounterDataPoint historyTrades;
  private final CounterDataPoint liveTrades;
  private final Counter outOfRetention;
  private final Histogram lag;

  public SubscriptionMetrics(PrometheusRegistry registry) {
    open = Meters.gauge(registry, "tickvault_subscriptions_open", "SubscribeTrades streams open on this server");
    markets = Meters.gauge(registry, "tickvault_subscription_markets_open",
        "Markets followed by the SubscribeTrades streams open on this server, summed over the streams");
    Counter trades = Meters.counter(registry, "tickvault_subscription_trades_total",
        "Trades sent by SubscribeTrades, by phase: history (stored before, read by time) or live (from the commit log)", "phase");
    historyTrades = trades.labelValues("history");
    liveTrades = trades.labelValues("live");
    outOfRetention = Meters.counter(registry, "tickvault_subscriptions_out_of_retention_total",
        "SubscribeTrades streams ended OUT_OF_RANGE: the commit log no longer held what they had not received");
    lag = Meters.seconds(registry, "tickvault_subscription_lag_seconds",
        "From a commit (the database's clock) to its trades' response being handed to gRPC (this server's clock), live phase", LAG_BUCKETS);
  }

  public void opened(int marketCount) {
    open.inc();
    markets.inc(marketCount);
  }

  public void closed(int marketCount) {
    open.dec();
    markets.dec(marketCount);
  }

  public void history(int trades) {
    historyTrades.inc(trades);
  }

  public void live(int trades, double lagSeconds) {
    liveTrades.inc(trades);
    lag.observe(Math.max(0, lagSeconds));
  }

  public void outOfRetention() {
    outOfRetention.inc();
  }
}
