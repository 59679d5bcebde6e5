package io.tickvault.server.metrics;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * Each feed's freshness as gauges, from the last list the server read (never a query per scrape):
 * where its coverage ends and the time of its newest record, as Unix timestamps in seconds, so
 * that {@code time() - tickvault_feed_covered_until_timestamp_seconds > 300} alerts on a stalled feed.
 */
public final class FeedMetrics {
  /** One feed's figures, in epoch milliseconds (0: none). */
  public record Freshness(int exchangeId, int currencyPairNo, String channel, long coveredUntilMs, long lastRecordTimeMs) {}

  private FeedMetrics() {}

  public static void register(PrometheusRegistry registry, Supplier<List<Freshness>> feeds) {
    register(registry, "tickvault_feed_covered_until_timestamp_seconds",
        "End of the feed's latest range claimed complete by workers (Unix seconds); absent while it has no claim",
        feeds, Freshness::coveredUntilMs);
    register(registry, "tickvault_feed_last_record_timestamp_seconds",
        "Time of the feed's newest stored record (Unix seconds); absent while it has no record",
        feeds, Freshness::lastRecordTimeMs);
  }

  /** A gauge of one time of each feed in seconds, leaving out the feeds where it is 0 (none). */
  private static void register(PrometheusRegistry registry, String name, String help, Supplier<List<Freshness>> feeds,
                               ToLongFunction<Freshness> timeMs) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("exchange_id", "currency_pair_no", "channel")
        .callback(callback -> {
          for (Freshness f : feeds.get()) {
            long ms = timeMs.applyAsLong(f);
            if (ms > 0) {
              callback.call(ms / 1000.0, labels(f));
            }
          }
        })
        .register(registry);
  }

  private static String[] labels(Freshness f) {
    return new String[] {String.valueOf(f.exchangeId()), String.valueOf(f.currencyPairNo()), f.channel()};
  }
}
