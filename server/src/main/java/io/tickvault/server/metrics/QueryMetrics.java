package io.tickvault.server.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.LongSupplier;

/** The read side's counters, registered on the server's registry. */
public final class QueryMetrics {
  public final CounterDataPoint stateHit;
  public final CounterDataPoint stateMiss;
  public final CounterDataPoint stateError;
  public final Counter stateDatabaseLoads;
  public final Counter stateNearHits;
  public final CounterDataPoint tradeRowsRead;
  public final CounterDataPoint snapshotRowsRead;
  public final Counter readsStalled;
  private final Counter redisErrors;

  public QueryMetrics(PrometheusRegistry registry) {
    Counter requests = Meters.counter(registry, "tickvault_market_state_requests_total",
        "GetMarketState lookups by cache result: hit, miss, or error (Redis failed or the market is stale; answered from PostgreSQL)", "result");
    stateHit = requests.labelValues("hit");
    stateMiss = requests.labelValues("miss");
    stateError = requests.labelValues("error");
    stateNearHits = Meters.counter(registry, "tickvault_market_state_near_hits_total",
        "GetMarketState answered from the in-process near cache, without asking Redis (also counted as result=hit)");
    stateDatabaseLoads = Meters.counter(registry, "tickvault_market_state_database_loads_total",
        "Market states read from PostgreSQL (misses, Redis failures, repairs)");
    redisErrors = Meters.counter(registry, "tickvault_market_state_redis_errors_total",
        "Redis commands of the market state that failed, timed out or were skipped, by operation "
            + "(lookup, offer after ingestion, fill after a miss, repair, decode)", "operation");
    Counter rows = Meters.counter(registry, "tickvault_read_rows_total",
        "Rows fetched from PostgreSQL by ReadTrades and ReadOrderBooks (snapshot headers), by kind", "kind");
    tradeRowsRead = rows.labelValues("trade");
    snapshotRowsRead = rows.labelValues("snapshot");
    readsStalled = Meters.counter(registry, "tickvault_read_stalled_total",
        "ReadTrades, ReadOrderBooks and SubscribeTrades streams ended because their client took nothing for the stall timeout");
  }

  /** {@code tickvault_read_buffer_bytes}: what read streams hold (used) and may hold (limit), read at scrape time. */
  public static void registerReadBuffer(PrometheusRegistry registry, LongSupplier used, long limit) {
    GaugeWithCallback.builder()
        .name("tickvault_read_buffer_bytes")
        .help("Bytes of pages the read streams fetched and have not seen leave for their clients (used), and the bound (limit)")
        .labelNames("state")
        .callback(callback -> {
          callback.call(used.getAsLong(), "used");
          callback.call(limit, "limit");
        })
        .register(registry);
  }

  public CounterDataPoint redisErrors(String operation) {
    return redisErrors.labelValues(operation);
  }
}
