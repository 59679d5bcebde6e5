package io.tickvault.server.trade;

import io.tickvault.api.v1.Trade;
import io.tickvault.api.v1.TradeSide;
import io.tickvault.server.db.CopyWriter;
import io.tickvault.server.db.DataAccessException;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.retention.Dataset;
import io.tickvault.server.retention.Horizons;
import io.tickvault.server.retention.RetentionGuard;
import io.tickvault.server.subscribe.CommitLog;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The only place that knows the columns of {@code trades}. A batch of fresh trades is copied
 * ({@code COPY … FROM STDIN}) straight into {@code trades}: when that succeeds, every row was
 * inserted. When a key is already stored the COPY fails as a whole, and the batch is copied into a
 * session-local staging table and moved with one {@code INSERT … SELECT … ON CONFLICT DO NOTHING
 * RETURNING} the keys it inserted, in one transaction: exact counts either way. The candles of the
 * rows inserted are merged into {@code trade_candles_1m} in the same transaction
 * ({@link CandleRollup}), and, as its last statement, the trades inserted are appended to the commit
 * log that subscriptions read ({@link TradeCommitLog}). After a batch with duplicates (a replay) the next batch goes to the
 * staging path at once, until a batch without.
 * TradeWriteStrategies (server test code, run by hand) measures the alternatives (batched INSERTs,
 * one INSERT from unnest(array parameters), the staging path for every batch): COPY straight in
 * writes fresh batches fastest, and staging replays as fast as the unnest INSERT.
 *
 * <p>Every batch is written in key order. Two streams writing overlapping keys then lock them in
 * the same order, so one waits for the other instead of both deadlocking (PostgreSQL would abort
 * one with 40P01 and fail its call).
 */
public final class TradeRepository {
  // Session-local and emptied at every commit: each pooled connection gets its own, once.
  private static final String CREATE_STAGING_SQL = """
      CREATE TEMP TABLE IF NOT EXISTS trades_staging (
          exchange_id integer, currency_pair_no integer, trade_id text, price numeric, quantity numeric,
          taker_side smallint, trade_time_ms bigint, receive_time_ms bigint
      ) ON COMMIT DELETE ROWS
      """;
  private static final String COPY_STAGING_SQL = "COPY trades_staging FROM STDIN";
  private static final String COPY_TRADES_SQL = "COPY trades (exchange_id, currency_pair_no, trade_id, price, quantity,"
      + " taker_side, trade_time_ms, receive_time_ms) FROM STDIN";
  private static final String UNIQUE_VIOLATION = "23505";
  private static final String INSERT_SQL = """
      INSERT INTO trades (exchange_id, currency_pair_no, trade_id, price, quantity, taker_side,
                          trade_time_ms, receive_time_ms)
      SELECT exchange_id, currency_pair_no, trade_id, price, quantity, taker_side, trade_time_ms, receive_time_ms
      FROM trades_staging
      ON CONFLICT ON CONSTRAINT uq_trade_unique DO NOTHING
      RETURNING exchange_id, currency_pair_no, trade_id
      """;

  private final Jdbc jdbc;
  private final CandleRollup candles;
  private final TradeCommitLog log;
  private final RetentionGuard retention;
  // Which path the next batch tries first. A hint shared by all streams, never a source of counts:
  // a wrong guess costs one failed COPY or one staging round, not a wrong answer.
  private volatile boolean lastBatchHadDuplicates;

  public TradeRepository(Jdbc jdbc, CandleBackfill backfill, TradeCommitLog log) {
    this(jdbc, backfill, log, new RetentionGuard(Dataset.TRADES, new Horizons(List::of), Clock.systemUTC()));
  }

  /** @param retention keeps every batch from storing a trade before a retention horizon moved meanwhile */
  public TradeRepository(Jdbc jdbc, CandleBackfill backfill, TradeCommitLog log, RetentionGuard retention) {
    this.jdbc = jdbc;
    this.candles = new CandleRollup(backfill);
    this.log = log;
    this.retention = retention;
  }

  /** Key order, in which every batch is written (see the class comment). */
  private static final Comparator<Trade> KEY_ORDER = Comparator
      .comparingInt(Trade::getExchangeId)
      .thenComparingInt(Trade::getCurrencyPairNo)
      .thenComparing(Trade::getTradeId);

  /** A trade and its position in the batch. */
  private record Slot(Trade trade, int position) {}

  /** A batch's distinct keys in key order: the rows to write, and each one's position in the batch. */
  private record Rows(List<Trade> trades, int[] positions) {}

  /**
   * Inserts the trades that are not stored yet, in one transaction; {@code receive_time_ms} 0 becomes
   * {@code nowMillis}. Returns per position whether this call inserted it: of several trades of the
   * batch with one key, only the first can be. {@code rowsWritten} runs once the rows are in the
   * transaction, just before its commit (see {@link io.tickvault.server.ingest.RecordSink#write}).
   */
  public boolean[] insert(List<Trade> batch, long nowMillis, Runnable rowsWritten) {
    Rows distinct = inKeyOrder(batch);
    List<Trade> rows = distinct.trades();
    boolean[] inserted = new boolean[batch.size()];
    if (!lastBatchHadDuplicates && copyStraightIn(rows, nowMillis, rowsWritten)) {
      for (int position : distinct.positions()) {
        inserted[position] = true;
      }
      return inserted;
    }
    // Some key is stored already (a replay, or a concurrent stream a moment ago): the staging path
    // tells which rows this call inserted. The staging table keeps the key order, so the
    // INSERT … SELECT from it inserts in key order too.
    List<CommitLog.Commit> commits = new ArrayList<>(1);
    int count = jdbc.inTransaction(c -> {
      retention.check(c, oldest(rows));
      try (Statement s = c.createStatement()) {
        s.execute(CREATE_STAGING_SQL);
      }
      copy(c, COPY_STAGING_SQL, rows, nowMillis);
      List<Trade> insertedRows = new ArrayList<>(rows.size());
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(INSERT_SQL)) {
        while (rs.next()) {
          Trade key = Trade.newBuilder().setExchangeId(rs.getInt(1)).setCurrencyPairNo(rs.getInt(2))
              .setTradeId(rs.getString(3)).build();
          int found = Collections.binarySearch(rows, key, KEY_ORDER);
          if (found < 0) {
            throw new IllegalStateException("PostgreSQL returned a key that was not sent: " + rs.getString(3));
          }
          inserted[distinct.positions()[found]] = true;
          insertedRows.add(rows.get(found));
        }
      }
      candles.merge(c, insertedRows);
      rowsWritten.run();
      commits.addAll(log.append(c, insertedRows, nowMillis));
      return insertedRows.size();
    });
    log.committed(commits);
    lastBatchHadDuplicates = count < rows.size();
    return inserted;
  }

  /**
   * The batch in key order, the first of each key kept: PostgreSQL then sees distinct keys, and
   * "which one was inserted" has one answer. A feed's batch usually comes so already (ids rising,
   * none repeated): then it is taken as it is, after one pass that checks it.
   */
  private static Rows inKeyOrder(List<Trade> batch) {
    if (strictlyInKeyOrder(batch)) {
      return new Rows(batch, IntStream.range(0, batch.size()).toArray());
    }
    // One sort (stable, so the first of equal keys stays first) instead of a hash map of every key
    // and then a sort.
    List<Slot> slots = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      slots.add(new Slot(batch.get(i), i));
    }
    slots.sort((a, b) -> KEY_ORDER.compare(a.trade(), b.trade()));
    List<Trade> trades = new ArrayList<>(slots.size());
    int[] positions = new int[slots.size()];
    int distinct = 0;
    for (Slot slot : slots) {
      if (trades.isEmpty() || KEY_ORDER.compare(trades.get(trades.size() - 1), slot.trade()) != 0) {
        trades.add(slot.trade());
        positions[distinct++] = slot.position();
      }
    }
    return new Rows(trades, Arrays.copyOf(positions, distinct));
  }

  /** Whether every trade's key is greater than the one before it: in key order, none repeated. */
  private static boolean strictlyInKeyOrder(List<Trade> batch) {
    for (int i = 1; i < batch.size(); i++) {
      if (KEY_ORDER.compare(batch.get(i - 1), batch.get(i)) >= 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * The fast path for fresh trades, the usual case of a live stream: COPY straight into
   * {@code trades}, one statement in one transaction. True when every row went in; false when
   * one of them was already stored (unique violation: nothing was written, and the caller takes the
   * staging path, which sorts inserted from duplicate).
   */
  private boolean copyStraightIn(List<Trade> distinct, long nowMillis, Runnable rowsWritten) {
    List<CommitLog.Commit> commits;
    try {
      commits = jdbc.inTransaction(c -> {
        retention.check(c, oldest(distinct));
        copy(c, COPY_TRADES_SQL, distinct, nowMillis);
        candles.merge(c, distinct);
        rowsWritten.run();
        return log.append(c, distinct, nowMillis);
      });
    } catch (DataAccessException e) {
      if (e.getCause() instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
        lastBatchHadDuplicates = true;
        return false;
      }
      throw e;
    }
    log.committed(commits);
    return true;
  }

  private static long oldest(List<Trade> trades) {
    long oldest = Long.MAX_VALUE;
    for (Trade t : trades) {
      oldest = Math.min(oldest, t.getTradeTimeMs());
    }
    return oldest;
  }

  /** Copies the trades with {@code copySql}; returns the rows PostgreSQL stored. */
  private static long copy(Connection c, String copySql, List<Trade> trades, long nowMillis) throws SQLException {
    try (CopyWriter copy = CopyWriter.start(c, copySql)) {
      writeRows(copy, trades, nowMillis);
      return copy.finish();
    }
  }

  /** The trades as rows of {@link #COPY_TRADES_SQL}'s columns (bench/trade-path-costs.sh times this alone). */
  static void writeRows(CopyWriter copy, List<Trade> trades, long nowMillis) throws SQLException {
    for (Trade t : trades) {
      copy.number(t.getExchangeId())
          .number(t.getCurrencyPairNo())
          .text(t.getTradeId())
          .decimal(t.getPrice())
          .decimal(t.getQuantity());
      int side = side(t.getTakerSide());
      if (side == 0) {
        copy.nullValue();
      } else {
        copy.number(side);
      }
      copy.number(t.getTradeTimeMs())
          .number(t.getReceiveTimeMs() == 0 ? nowMillis : t.getReceiveTimeMs())
          .endRow();
    }
  }

  /** taker_side as stored: 1 buy, 2 sell, 0 for NULL (not given). */
  private static int side(TradeSide side) {
    return switch (side) {
      case TRADE_SIDE_BUY -> 1;
      case TRADE_SIDE_SELL -> 2;
      default -> 0;
    };
  }
}
