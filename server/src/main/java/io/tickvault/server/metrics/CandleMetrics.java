package io.tickvault.server.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The background rollup of the trades stored before {@code trade_candles_1m} existed: whether it
 * is done (until then GetCandles reads raw trades) and how many slices this server has rolled up.
 */
public final class CandleMetrics {
  private CandleMetrics() {}

  public static void register(PrometheusRegistry registry, BooleanSupplier backfillComplete, LongSupplier slicesDone) {
    Meters.gauge(registry, "tickvault_candle_backfill_complete",
        "1 once every trade stored before the one-minute rollup existed is rolled up (GetCandles reads the rollup), else 0",
        () -> backfillComplete.getAsBoolean() ? 1 : 0);
    CounterWithCallback.builder()
        .name("tickvault_candle_backfill_slices")
        .help("Slices of stored trades this server rolled up into trade_candles_1m")
        .callback(callback -> callback.call(slicesDone.getAsLong()))
        .register(registry);
  }
}
