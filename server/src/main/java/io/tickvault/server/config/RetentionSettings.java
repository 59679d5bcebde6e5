package io.tickvault.server.config;

import java.time.Duration;
import java.util.Optional;

/**
 * How long raw market data is kept (docs/retention.md). Rows older than the window leave in
 * batches in the background; the one-minute candles are kept whatever the window.
 *
 * @param trades {@code TICKVAULT_RETENTION_DAYS}: raw trades older than this are removed; empty:
 *     kept forever
 * @param orderBooks {@code TICKVAULT_ORDERBOOK_RETENTION_DAYS}: order book snapshots and their
 *     levels older than this are removed; empty: kept forever
 * @param batchRows {@code TICKVAULT_RETENTION_BATCH_ROWS}: trades removed per transaction (order book
 *     snapshots: a hundredth of it, each holding its levels)
 * @param pause {@code TICKVAULT_RETENTION_PAUSE_MS}: the wait between two batches, which leaves the
 *     disk and the locks to ingestion
 */
public record RetentionSettings(Optional<Duration> trades, Optional<Duration> orderBooks, int batchRows, Duration pause) {
  public static final int DEFAULT_BATCH_ROWS = 10_000;
  public static final Duration DEFAULT_PAUSE = Duration.ofMillis(100);

  /** The shortest window any server may keep: no horizon is ever later than a day before its clock. */
  public static final Duration SHORTEST_WINDOW = Duration.ofDays(1);
  /** A century: past it "forever" is the honest setting, and the days fit any time arithmetic. */
  private static final long MAX_DAYS = 36_500;
  private static final Bounds TRADE_DAYS = Bounds.number("TICKVAULT_RETENTION_DAYS", SHORTEST_WINDOW.toDays(), MAX_DAYS);
  private static final Bounds ORDERBOOK_DAYS =
      Bounds.number("TICKVAULT_ORDERBOOK_RETENTION_DAYS", SHORTEST_WINDOW.toDays(), MAX_DAYS);
  private static final Bounds BATCH_ROWS = Bounds.number("TICKVAULT_RETENTION_BATCH_ROWS", 100, 1_000_000);
  private static final Bounds PAUSE_MS = Bounds.number("TICKVAULT_RETENTION_PAUSE_MS", 0, 60_000);
  /** Nothing removed (after the bounds above: it is checked by them). */
  public static final RetentionSettings KEEP_FOREVER =
      new RetentionSettings(Optional.empty(), Optional.empty(), DEFAULT_BATCH_ROWS, DEFAULT_PAUSE);

  public RetentionSettings {
    trades.ifPresent(window -> checkDays(TRADE_DAYS, window));
    orderBooks.ifPresent(window -> checkDays(ORDERBOOK_DAYS, window));
    BATCH_ROWS.check(batchRows);
    PAUSE_MS.check(pause.toMillis());
  }

  static RetentionSettings fromEnvironment(EnvReader env) {
    return new RetentionSettings(days(env, TRADE_DAYS), days(env, ORDERBOOK_DAYS),
        env.integer(BATCH_ROWS, DEFAULT_BATCH_ROWS), Duration.ofMillis(env.integer(PAUSE_MS, (int) DEFAULT_PAUSE.toMillis())));
  }

  /** Whether anything is ever removed. */
  public boolean removesAnything() {
    return trades.isPresent() || orderBooks.isPresent();
  }

  /** Unset (or blank) keeps forever; 0 is refused rather than read as "keep nothing" or "forever". */
  private static Optional<Duration> days(EnvReader env, Bounds bounds) {
    if (env.string(bounds.variable()).isEmpty()) {
      return Optional.empty();
    }
    int days = env.integer(bounds, 0);
    bounds.check(days);
    return Optional.of(Duration.ofDays(days));
  }

  private static void checkDays(Bounds bounds, Duration window) {
    if (window.toMillis() % Duration.ofDays(1).toMillis() != 0) {
      throw new ConfigException(bounds.variable() + ": a whole number of days, got " + window);
    }
    bounds.check(window.toDays());
  }
}
