package io.tickvault.server.trade;

import io.tickvault.server.db.Jdbc;
import io.tickvault.server.logging.RateLimitedLog;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rolls up the trades stored before {@code trade_candles_1m} existed, in the background, slice by
 * slice as {@code trade_candles_backfill} plans it (V8__trade_candles_backfill.sql): a slice is one
 * market's minutes holding about {@value #SLICE_TRADES} trades, recomputed from {@code trades}
 * and written over its rollup rows in one transaction that also moves the plan past it. A slice
 * cut short is done again whole; replacing rows is what makes that safe (never a trade counted
 * twice). Servers sharing the database share the work: a slice's plan row is locked by the one
 * rolling it up, and skipped by the others.
 *
 * <p>A slice and ingestion must not miss each other's trades: the slice holds an exclusive
 * advisory lock on its market, and while anything is left to roll up, every batch of trades
 * takes the same lock shared before merging its candles ({@link #lockMarkets}). A batch that
 * merged first has committed before the slice reads {@code trades}, so the slice counts its
 * trades; a batch that merges after the slice commits adds its trades to the slice's rows. The
 * lock is held for one slice, so a batch of that market waits a fraction of a second at most.
 *
 * <p>While anything is left, {@link #complete()} is false and GetCandles computes every candle
 * from {@code trades}.
 */
public final class CandleBackfill {
  private static final Logger log = LoggerFactory.getLogger(CandleBackfill.class);
  static final int SLICE_TRADES = 50_000;
  private static final long RETRY_SECONDS = 5;

  private static final String PENDING_SQL = "SELECT exists (SELECT 1 FROM trade_candles_backfill WHERE next_ms < until_ms)";
  private static final String CLAIM_SQL = """
      SELECT exchange_id, currency_pair_no, next_ms, until_ms
        FROM trade_candles_backfill
       WHERE next_ms < until_ms
       ORDER BY exchange_id, currency_pair_no
       LIMIT 1
         FOR UPDATE SKIP LOCKED
      """;
  // The time of the trade SLICE_TRADES places on: the slice ends at the start of its minute.
  private static final String SLICE_END_SQL = """
      SELECT trade_time_ms FROM trades
       WHERE exchange_id = ? AND currency_pair_no = ? AND trade_time_ms >= ? AND trade_time_ms < ?
       ORDER BY trade_time_ms
      OFFSET ? LIMIT 1
      """;
  private static final String LOCK_EXCLUSIVE_SQL = "SELECT pg_advisory_xact_lock(?, ?)";
  private static final String LOCK_SHARED_SQL =
      "SELECT pg_advisory_xact_lock_shared(e, p) FROM unnest(?::integer[], ?::integer[]) AS m(e, p)";
  private static final String REPLACE_SQL = """
      INSERT INTO trade_candles_1m AS c (exchange_id, currency_pair_no, minute, open, open_time_ms, open_trade_id,
                                         high, low, close, close_time_ms, close_trade_id, volume, quote_volume,
                                         trade_count)
      SELECT exchange_id, currency_pair_no, trade_time_ms / 60000 * 60000 AS minute,
             (array_agg(price ORDER BY trade_time_ms, trade_id COLLATE "C"))[1],
             min(trade_time_ms),
             (array_agg(trade_id ORDER BY trade_time_ms, trade_id COLLATE "C"))[1],
             (max(ARRAY[price, scale(price)]))[1],
             (min(ARRAY[price, -scale(price)]))[1],
             (array_agg(price ORDER BY trade_time_ms DESC, trade_id COLLATE "C" DESC))[1],
             max(trade_time_ms),
             (array_agg(trade_id ORDER BY trade_time_ms DESC, trade_id COLLATE "C" DESC))[1],
             sum(quantity),
             sum(price * quantity),
             count(*)
        FROM trades
       WHERE exchange_id = ? AND currency_pair_no = ? AND trade_time_ms >= ? AND trade_time_ms < ?
       GROUP BY exchange_id, currency_pair_no, minute
       ORDER BY minute
      ON CONFLICT ON CONSTRAINT pk_trade_candles_1m DO UPDATE SET
          open = EXCLUDED.open, open_time_ms = EXCLUDED.open_time_ms, open_trade_id = EXCLUDED.open_trade_id,
          high = EXCLUDED.high, low = EXCLUDED.low,
          close = EXCLUDED.close, close_time_ms = EXCLUDED.close_time_ms, close_trade_id = EXCLUDED.close_trade_id,
          volume = EXCLUDED.volume, quote_volume = EXCLUDED.quote_volume, trade_count = EXCLUDED.trade_count
      """;
  private static final String ADVANCE_SQL =
      "UPDATE trade_candles_backfill SET next_ms = ? WHERE exchange_id = ? AND currency_pair_no = ?";

  private final Jdbc jdbc;
  private final RateLimitedLog failures;
  private volatile boolean complete;
  private final AtomicLong slicesDone = new AtomicLong();

  private CandleBackfill(Jdbc jdbc, boolean complete, Clock clock) {
    this.jdbc = jdbc;
    this.complete = complete;
    this.failures = new RateLimitedLog(log, RateLimitedLog.DEFAULT_INTERVAL, clock);
  }

  /** The backfill of the database behind {@code jdbc}, complete or not as its plan says now. */
  public static CandleBackfill open(Jdbc jdbc, Clock clock) {
    return new CandleBackfill(jdbc, !pending(jdbc), clock);
  }

  /** Slices this server has rolled up since it started. */
  public long slicesDone() {
    return slicesDone.get();
  }

  /** Whether every trade stored before the rollup existed is rolled up. */
  public boolean complete() {
    return complete;
  }

  /**
   * Rolls up slice after slice on {@code executor} until nothing is left; after a failure (the
   * database away), again {@value #RETRY_SECONDS} s later. Returns at once.
   */
  public void start(ScheduledExecutorService executor) {
    if (!complete) {
      executor.execute(() -> runOn(executor));
    }
  }

  private void runOn(ScheduledExecutorService executor) {
    long started = System.nanoTime();
    long slices = 0;
    try {
      while (rollUpNextSlice()) {
        slices++;
        if (Thread.currentThread().isInterrupted()) {
          return;
        }
      }
      if (!complete) {
        executor.schedule(() -> runOn(executor), RETRY_SECONDS, TimeUnit.SECONDS); // another server holds the last slice
      } else if (slices > 0) {
        log.info("rolled up the stored trades into trade_candles_1m: {} slices in {} s", slices,
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
      }
    } catch (RuntimeException e) {
      failures.error("rolling up stored trades into trade_candles_1m failed, retrying in " + RETRY_SECONDS + " s", e);
      executor.schedule(() -> runOn(executor), RETRY_SECONDS, TimeUnit.SECONDS);
    }
  }

  /**
   * Rolls up the next slice no other server holds. False when there is none: then either the
   * backfill is complete ({@link #complete()} turns true) or another server holds the last slices.
   */
  public boolean rollUpNextSlice() {
    boolean done = jdbc.inTransaction(c -> {
      List<long[]> claimed = Jdbc.query(c, CLAIM_SQL, row -> new long[] {row.getInt(1), row.getInt(2), row.getLong(3), row.getLong(4)});
      if (claimed.isEmpty()) {
        return false;
      }
      long[] plan = claimed.get(0);
      int exchangeId = (int) plan[0];
      int pairNo = (int) plan[1];
      long next = plan[2];
      long until = plan[3];
      long end = sliceEnd(c, exchangeId, pairNo, next, until);
      Jdbc.query(c, LOCK_EXCLUSIVE_SQL, row -> null, exchangeId, pairNo);
      Jdbc.execute(c, REPLACE_SQL, exchangeId, pairNo, next, end);
      Jdbc.execute(c, ADVANCE_SQL, end, exchangeId, pairNo);
      return true;
    });
    if (done) {
      slicesDone.incrementAndGet();
    } else if (!pending(jdbc)) {
      complete = true;
    }
    return done;
  }

  /** Where the slice starting at {@code next} ends: a minute, after about SLICE_TRADES trades. */
  private static long sliceEnd(Connection c, int exchangeId, int pairNo, long next, long until) throws SQLException {
    List<Long> at = Jdbc.query(c, SLICE_END_SQL, row -> row.getLong(1), exchangeId, pairNo, next, until, SLICE_TRADES);
    if (at.isEmpty()) {
      return until;
    }
    return Math.max(MinuteCandles.minuteOf(at.get(0)), next + MinuteCandles.MINUTE_MS);
  }

  /**
   * Holds the markets of a batch's candles against a slice of the same market, until the batch
   * commits; nothing while the backfill is complete. {@code markets} in key order.
   */
  void lockMarkets(Connection c, Integer[] exchangeIds, Integer[] pairNos) throws SQLException {
    if (!complete) {
      Jdbc.query(c, LOCK_SHARED_SQL, row -> null, c.createArrayOf("int4", exchangeIds), c.createArrayOf("int4", pairNos));
    }
  }

  private static boolean pending(Jdbc jdbc) {
    return jdbc.queryOne(PENDING_SQL, row -> row.getBoolean(1)).orElse(false);
  }
}
