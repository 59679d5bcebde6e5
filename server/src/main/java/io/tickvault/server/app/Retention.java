package io.tickvault.server.app;

import io.tickvault.server.config.RetentionSettings;
import io.tickvault.server.logging.RateLimitedLog;
import io.tickvault.server.market.MarketRepository;
import io.tickvault.server.metrics.RetentionMetrics;
import io.tickvault.server.orderbook.OldOrderBooks;
import io.tickvault.server.retention.Dataset;
import io.tickvault.server.retention.Horizons;
import io.tickvault.server.retention.RetentionDeleter;
import io.tickvault.server.retention.RetentionReport;
import io.tickvault.server.retention.RetentionRepository;
import io.tickvault.server.trade.CandleBackfill;
import io.tickvault.server.trade.OldTrades;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention, wired (docs/retention.md): this server's copy of the horizons, which ingestion and
 * the reads ask, refreshed from the primary every {@value #REFRESH_SECONDS} s; its metrics; and the
 * deleter, on a thread of its own once the server serves ({@link #startDeleting}). A server with
 * no window still keeps the horizons: another server's deleter may move them, and every server
 * must then refuse and report alike.
 */
record Retention(Horizons horizons, RetentionDeleter deleter, RetentionReport report) {
  private static final Logger log = LoggerFactory.getLogger(Retention.class);
  static final long REFRESH_SECONDS = 5;

  static Retention start(RetentionSettings settings, Infrastructure infra, CandleBackfill candleBackfill, Clock clock) {
    RetentionRepository repository = new RetentionRepository(infra.jdbc());
    Horizons horizons = new Horizons(repository::status);
    horizons.refresh(); // before the first record is checked
    RateLimitedLog failures = new RateLimitedLog(log, RateLimitedLog.DEFAULT_INTERVAL, clock);
    infra.scheduler().scheduleWithFixedDelay(() -> {
      try {
        horizons.refresh();
      } catch (RuntimeException e) {
        failures.warn("cannot read retention_horizons (" + e.getMessage() + "): ingestion checks each batch's horizon itself; retrying");
      }
    }, REFRESH_SECONDS, REFRESH_SECONDS, TimeUnit.SECONDS);
    List<String> tables = Arrays.stream(Dataset.values()).flatMap(d -> d.tables().stream()).toList();
    RetentionMetrics metrics = new RetentionMetrics(infra.metrics().registry(), tables, () -> horizons.tables().stream()
        .map(t -> new RetentionMetrics.Table(t.table(), t.horizonMs(), t.lastRunMs(), t.oldestKeptMs())).toList());
    List<RetentionDeleter.Window> windows = new ArrayList<>();
    settings.trades().ifPresent(keep -> windows.add(new RetentionDeleter.Window(new OldTrades(), keep)));
    settings.orderBooks().ifPresent(keep -> windows.add(new RetentionDeleter.Window(new OldOrderBooks(), keep)));
    RetentionDeleter deleter = new RetentionDeleter(infra.jdbc(), new MarketRepository(infra.jdbc()), horizons, windows,
        candleBackfill::complete, settings.batchRows(), settings.pause(), metrics, clock);
    return new Retention(horizons, deleter, new RetentionReport(repository, settings.trades(), settings.orderBooks()));
  }

  /** Starts removing, on a thread of its own (a run pauses between batches). */
  void startDeleting(Resources resources) {
    ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("tickvault-retention-"));
    resources.own(thread::shutdownNow);
    deleter.start(thread);
  }
}
