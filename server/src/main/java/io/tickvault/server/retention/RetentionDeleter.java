package io.tickvault.server.retention;

import io.tickvault.api.v1.CurrencyPair;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.logging.RateLimitedLog;
import io.tickvault.server.market.MarketRepository;
import io.tickvault.server.metrics.RetentionMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the market data older than its retention window, in the background (docs/retention.md).
 * A run, for each dataset with a window: moves its horizon to now minus the window
 * ({@link RetentionRepository#raise}), then, market by market, removes batches of at most
 * {@code batchRows} of the oldest records before it, each in a short transaction of its own
 * followed by a pause, so that ingestion never waits behind it for long; and records when it
 * finished and the oldest record left.
 *
 * <p>Servers sharing the database share the work without doing it twice: each batch locks the
 * dataset's {@code retention_horizons} row FOR UPDATE SKIP LOCKED, and a server that finds it
 * locked leaves the run to the server holding it. The count of removed rows is kept in that row,
 * in the batch's transaction, so it counts every row once.
 *
 * <p>Trades are removed only once the candle backfill is complete: the trades stored before the
 * rollup existed have no candle of their own until then, and removing them would lose it.
 */
public final class RetentionDeleter {
  private static final Logger log = LoggerFactory.getLogger(RetentionDeleter.class);
  /** How often a server runs: the data kept is at most this much older than its window. */
  public static final Duration INTERVAL = Duration.ofMinutes(10);
  /** The first run, once the server serves. */
  static final Duration FIRST_RUN = Duration.ofSeconds(30);
  /** Snapshots removed per batch: each holds its levels (20 a side is usual, up to 1,000). */
  static final int ROWS_PER_SNAPSHOT = 100;

  /** One dataset to remove from, and how long it is kept. */
  public record Window(RetentionTarget target, Duration keep) {}

  private final Jdbc jdbc;
  private final RetentionRepository repository;
  private final MarketRepository markets;
  private final Horizons horizons;
  private final List<Window> windows;
  private final BooleanSupplier tradesRolledUp;
  private final int batchRows;
  private final Duration pause;
  private final RetentionMetrics metrics;
  private final Clock clock;
  private final RateLimitedLog failures;

  public RetentionDeleter(Jdbc jdbc, MarketRepository markets, Horizons horizons, List<Window> windows,
                          BooleanSupplier tradesRolledUp, int batchRows, Duration pause, RetentionMetrics metrics, Clock clock) {
    this.jdbc = jdbc;
    this.repository = new RetentionRepository(jdbc);
    this.markets = markets;
    this.horizons = horizons;
    this.windows = List.copyOf(windows);
    this.tradesRolledUp = tradesRolledUp;
    this.batchRows = batchRows;
    this.pause = pause;
    this.metrics = metrics;
    this.clock = clock;
    this.failures = new RateLimitedLog(log, RateLimitedLog.DEFAULT_INTERVAL, clock);
  }

  /** Runs every {@link #INTERVAL} on {@code executor} (a thread of its own: a run sleeps between batches). */
  public void start(ScheduledExecutorService executor) {
    if (!windows.isEmpty()) {
      executor.scheduleWithFixedDelay(this::runQuietly, FIRST_RUN.toSeconds(), INTERVAL.toSeconds(), TimeUnit.SECONDS);
    }
  }

  private void runQuietly() {
    try {
      Map<String, Long> removed = runOnce();
      if (removed.values().stream().anyMatch(n -> n > 0)) {
        log.info("retention removed {}", removed);
      }
    } catch (RuntimeException e) {
      failures.warn("retention run failed (" + e.getMessage() + "): the next one is in " + INTERVAL.toMinutes() + " minutes");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * One run over every dataset with a window; returns the rows this server removed, by table
   * (a table another server was removing from at the time counts 0 here).
   */
  public Map<String, Long> runOnce() throws InterruptedException {
    Map<String, Long> removed = new LinkedHashMap<>();
    for (Window window : windows) {
      Dataset dataset = window.target().dataset();
      for (String table : dataset.tables()) {
        removed.put(table, 0L);
      }
      if (dataset == Dataset.TRADES && !tradesRolledUp.getAsBoolean()) {
        failures.warn("retention of trades waits for the candle backfill: the trades it has not rolled up yet have no candle");
        continue;
      }
      long horizon = repository.raise(dataset, clock.millis() - window.keep().toMillis());
      horizons.raise(dataset, horizon);
      if (removeBefore(window.target(), horizon, removed)) {
        long oldest = jdbc.withConnection(window.target()::oldestKept);
        repository.finish(dataset, clock.millis(), oldest);
      }
    }
    return removed;
  }

  /** Removes the dataset's records before the horizon, market by market; false when another server holds it. */
  private boolean removeBefore(RetentionTarget target, long horizon, Map<String, Long> removed) throws InterruptedException {
    Dataset dataset = target.dataset();
    int limit = dataset == Dataset.TRADES ? batchRows : Math.max(1, batchRows / ROWS_PER_SNAPSHOT);
    List<CurrencyPair> pairs = new ArrayList<>(markets.listCurrencyPairs(0));
    for (CurrencyPair pair : pairs) {
      while (true) {
        Optional<long[]> batch = jdbc.inTransaction(c -> {
          if (RetentionRepository.lockForBatch(c, dataset).isEmpty()) {
            return Optional.empty();
          }
          long[] rows = target.removeBatch(c, pair.getExchangeId(), pair.getCurrencyPairNo(), horizon, limit);
          for (int i = 0; i < rows.length; i++) {
            RetentionRepository.addRemoved(c, dataset.tables().get(i), rows[i]);
          }
          return Optional.of(rows);
        });
        if (batch.isEmpty()) {
          return false;
        }
        long[] rows = batch.get();
        for (int i = 0; i < rows.length; i++) {
          String table = dataset.tables().get(i);
          removed.merge(table, rows[i], Long::sum);
          metrics.removed(table, rows[i]);
        }
        if (rows[0] < limit) {
          break;
        }
        Thread.sleep(pause.toMillis());
      }
    }
    return true;
  }
}
