package io.tickvault.server.orderbook;

import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.PriceLevel;
import io.tickvault.server.db.CopyWriter;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.retention.Dataset;
import io.tickvault.server.retention.Horizons;
import io.tickvault.server.retention.RetentionGuard;
import io.tickvault.server.subscribe.CommitLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;

/**
 * The only place that knows the columns of {@code orderbook_snapshots} (a header row per snapshot)
 * and {@code orderbook_levels} (one row per price level, keyed by its market like every market-data table).
 *
 * <p>A batch is two statements in one transaction, whatever its size: the headers go in as
 * arrays through {@code unnest} with {@code ON CONFLICT DO NOTHING RETURNING} their new ids,
 * matched back to the batch by key, then the levels of just those headers go in by one
 * {@code COPY} ({@link CopyWriter}): levels are 40 rows per snapshot of 20 levels a side, so they
 * set the pace. The levels need no conflict handling: their snapshot ids are new in this very
 * transaction, so a conflict would mean a broken table, and failing the batch is better than
 * storing a snapshot with levels missing. A snapshot whose key is already stored is a duplicate
 * and its levels are not written again: the first write stands. Because the header and its levels
 * commit together, no reader ever sees a header without its levels. As the transaction's last
 * statement, the snapshots inserted are appended to the commit log that subscriptions read
 * ({@link OrderBookCommitLog}).
 */
public final class OrderBookRepository {
  static final short BID = 1;
  static final short ASK = 2;

  private static final String INSERT_HEADERS = """
      INSERT INTO orderbook_snapshots
        (exchange_id, currency_pair_no, server_time_ms, sequence_id, receive_time_ms, bid_count, ask_count)
      SELECT * FROM unnest(?::int4[], ?::int4[], ?::int8[], ?::int8[], ?::int8[], ?::int4[], ?::int4[])
      ON CONFLICT DO NOTHING
      RETURNING snapshot_id, exchange_id, currency_pair_no, server_time_ms, sequence_id
      """;
  private static final String COPY_LEVELS =
      "COPY orderbook_levels (exchange_id, currency_pair_no, snapshot_id, side, level_index, price, quantity) FROM STDIN";

  private final Jdbc jdbc;
  private final OrderBookCommitLog log;
  private final RetentionGuard retention;

  public OrderBookRepository(Jdbc jdbc, OrderBookCommitLog log) {
    this(jdbc, log, new RetentionGuard(Dataset.ORDER_BOOKS, new Horizons(List::of), Clock.systemUTC()));
  }

  /** @param retention keeps every batch from storing a snapshot before a retention horizon moved meanwhile */
  public OrderBookRepository(Jdbc jdbc, OrderBookCommitLog log, RetentionGuard retention) {
    this.jdbc = jdbc;
    this.log = log;
    this.retention = retention;
  }

  /**
   * Inserts the snapshots that are not stored yet, with their levels, in one transaction;
   * {@code receive_time_ms} 0 becomes {@code nowMillis}. Returns per position whether this call
   * inserted it: of several snapshots of the batch with one key, only the first can be.
   * {@code rowsWritten} runs once the headers and levels are in the transaction, just before its
   * commit (see {@link io.tickvault.server.ingest.RecordSink#write}).
   */
  public boolean[] insert(List<OrderBookSnapshot> records, long nowMillis, Runnable rowsWritten) {
    boolean[] inserted = new boolean[records.size()];
    if (records.isEmpty()) {
      return inserted;
    }
    // A key repeated inside the batch is sent once: its first occurrence may be inserted, the
    // others are duplicates of it. The unique keys go in key order, so that concurrent streams
    // writing overlapping snapshots take the key locks in the same order and cannot deadlock.
    Map<SnapshotKey, Integer> firstPosition = new HashMap<>(records.size() * 2);
    for (int i = 0; i < records.size(); i++) {
      firstPosition.putIfAbsent(SnapshotKey.of(records.get(i)), i);
    }
    int uniqueCount = firstPosition.size();
    int[] positions = firstPosition.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .mapToInt(Map.Entry::getValue)
        .toArray();
    long oldest = records.stream().mapToLong(OrderBookSnapshot::getServerTimeMs).min().orElseThrow();
    List<CommitLog.Commit> commits = jdbc.inTransaction(c -> {
      retention.check(c, oldest);
      Map<SnapshotKey, Long> ids = insertHeaders(c, records, positions, uniqueCount, nowMillis);
      if (!ids.isEmpty()) {
        copyLevels(c, records, positions, uniqueCount, ids);
      }
      // The log's entries name the snapshots inserted, market by market in key order.
      int[] exchangeIds = new int[ids.size()];
      int[] pairNos = new int[ids.size()];
      long[] insertedIds = new long[ids.size()];
      int count = 0;
      for (int u = 0; u < uniqueCount; u++) {
        int position = positions[u];
        OrderBookSnapshot s = records.get(position);
        Long id = ids.get(SnapshotKey.of(s));
        inserted[position] = id != null;
        if (id != null) {
          exchangeIds[count] = s.getExchangeId();
          pairNos[count] = s.getCurrencyPairNo();
          insertedIds[count++] = id;
        }
      }
      rowsWritten.run();
      return log.append(c, exchangeIds, pairNos, insertedIds, count);
    });
    log.committed(commits);
    return inserted;
  }

  /** Inserts the headers; returns the new id of each header this call inserted, by key. */
  private static Map<SnapshotKey, Long> insertHeaders(Connection c, List<OrderBookSnapshot> records,
      int[] positions, int count, long now) throws SQLException {
    int[] exchangeIds = new int[count];
    int[] pairNos = new int[count];
    long[] serverTimes = new long[count];
    long[] sequenceIds = new long[count];
    long[] receiveTimes = new long[count];
    int[] bidCounts = new int[count];
    int[] askCounts = new int[count];
    for (int u = 0; u < count; u++) {
      OrderBookSnapshot s = records.get(positions[u]);
      exchangeIds[u] = s.getExchangeId();
      pairNos[u] = s.getCurrencyPairNo();
      serverTimes[u] = s.getServerTimeMs();
      sequenceIds[u] = s.getSequenceId();
      receiveTimes[u] = s.getReceiveTimeMs() == 0 ? now : s.getReceiveTimeMs();
      bidCounts[u] = s.getBidsCount();
      askCounts[u] = s.getAsksCount();
    }
    PGConnection pg = c.unwrap(PGConnection.class);
    Map<SnapshotKey, Long> ids = new HashMap<>(count * 2);
    try (PreparedStatement ps = c.prepareStatement(INSERT_HEADERS)) {
      ps.setArray(1, pg.createArrayOf("int4", exchangeIds));
      ps.setArray(2, pg.createArrayOf("int4", pairNos));
      ps.setArray(3, pg.createArrayOf("int8", serverTimes));
      ps.setArray(4, pg.createArrayOf("int8", sequenceIds));
      ps.setArray(5, pg.createArrayOf("int8", receiveTimes));
      ps.setArray(6, pg.createArrayOf("int4", bidCounts));
      ps.setArray(7, pg.createArrayOf("int4", askCounts));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.put(new SnapshotKey(rs.getInt(2), rs.getInt(3), rs.getLong(4), rs.getLong(5)), rs.getLong(1));
        }
      }
    }
    return ids;
  }

  /** Copies every level of the headers just inserted, in one COPY. */
  private static void copyLevels(Connection c, List<OrderBookSnapshot> records, int[] positions, int count,
      Map<SnapshotKey, Long> ids) throws SQLException {
    try (CopyWriter copy = CopyWriter.start(c, COPY_LEVELS)) {
      for (int u = 0; u < count; u++) {
        OrderBookSnapshot s = records.get(positions[u]);
        Long id = ids.get(SnapshotKey.of(s));
        if (id != null) {
          addSide(copy, s, id, BID, s.getBidsList());
          addSide(copy, s, id, ASK, s.getAsksList());
        }
      }
      copy.finish();
    }
  }

  /**
   * One row per level of one side, level_index 0 first; each row carries its market (the key leads
   * with it), encoded once for the side.
   */
  private static void addSide(CopyWriter copy, OrderBookSnapshot s, long snapshotId, short side, List<PriceLevel> levels)
      throws SQLException {
    CopyWriter.Columns key = CopyWriter.numbers(s.getExchangeId(), s.getCurrencyPairNo(), snapshotId, side);
    int count = levels.size();
    for (int i = 0; i < count; i++) {
      PriceLevel level = levels.get(i);
      copy.columns(key).number(i).decimal(level.getPrice()).decimal(level.getQuantity()).endRow();
    }
  }

  /** The natural key of a snapshot: uq_orderbook_snapshot. */
  record SnapshotKey(int exchangeId, int currencyPairNo, long serverTimeMs, long sequenceId)
      implements Comparable<SnapshotKey> {
    private static final Comparator<SnapshotKey> ORDER = Comparator
        .comparingInt(SnapshotKey::exchangeId).thenComparingInt(SnapshotKey::currencyPairNo)
        .thenComparingLong(SnapshotKey::serverTimeMs).thenComparingLong(SnapshotKey::sequenceId);

    @Override
    public int compareTo(SnapshotKey other) {
      return ORDER.compare(this, other);
    }

    static SnapshotKey of(OrderBookSnapshot s) {
      return new SnapshotKey(s.getExchangeId(), s.getCurrencyPairNo(), s.getServerTimeMs(), s.getSequenceId());
    }
  }
}
