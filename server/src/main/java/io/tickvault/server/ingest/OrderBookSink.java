package io.tickvault.server.ingest;

import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.PriceLevel;
import io.tickvault.server.config.ServerConfig;
import io.tickvault.server.db.Jdbc;
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
 * Order book snapshots as the ingestion machinery sees them: a header row in
 * {@code orderbook_snapshots} and one row per price level in {@code orderbook_levels}. The only
 * place that knows the columns of those two tables.
 *
 * <p>A batch is two statements in one transaction, whatever its size: the headers go in as
 * arrays through {@code unnest} with {@code ON CONFLICT DO NOTHING RETURNING} their new ids,
 * matched back to the batch by key, then the levels of just those headers go in by one
 * {@code COPY} ({@link LevelCopy}). The levels need no conflict handling: their snapshot ids are
 * new in this very transaction, so a conflict would mean a broken table, and failing the batch is
 * better than storing a snapshot with levels missing. A snapshot whose key is already stored is a
 * duplicate and its levels are not written again: the first write stands. Because the header and
 * its levels commit together, no reader ever sees a header without its levels.
 */
public final class OrderBookSink implements RecordSink<OrderBookSnapshot> {
  /**
   * The stream limits for snapshots. A snapshot weighs about 40 records' worth (20 levels a side
   * is typical, 1000 a side is allowed), so fewer of them are batched and buffered than trades:
   * a stream holds at most about {@code 2,000} snapshots in memory, and a batch of 1,000 snapshots
   * of 20 levels is 40,000 level rows in one transaction.
   */
  public static final IngestLimits LIMITS = new IngestLimits(IngestLimits.DEFAULT_MAX_RECORDS_PER_REQUEST,
      1_000, 2_000, IngestLimits.DEFAULT_MAX_SUMMARY_REJECTIONS);

  static final short BID = 1;
  static final short ASK = 2;

  private static final String INSERT_HEADERS = """
      INSERT INTO orderbook_snapshots
        (exchange_id, currency_pair_no, server_time_ms, sequence_id, receive_time_ms, bid_count, ask_count)
      SELECT * FROM unnest(?::int4[], ?::int4[], ?::int8[], ?::int8[], ?::int8[], ?::int4[], ?::int4[])
      ON CONFLICT DO NOTHING
      RETURNING snapshot_id, exchange_id, currency_pair_no, server_time_ms, sequence_id
      """;

  private final Jdbc jdbc;
  private final KnownMarkets markets;
  private final int maxLevelsPerSide;
  private final Clock clock;

  /**
   * @param maxLevelsPerSide more levels on either side rejects the snapshot
   *     ({@code TICKVAULT_MAX_BOOK_LEVELS})
   * @param clock gives the receive time of snapshots sent without one
   */
  public OrderBookSink(Jdbc jdbc, KnownMarkets markets, int maxLevelsPerSide, Clock clock) {
    if (maxLevelsPerSide < 1 || maxLevelsPerSide > ServerConfig.MAX_BOOK_LEVELS_LIMIT) {
      throw new IllegalArgumentException("maxLevelsPerSide must be 1 to " + ServerConfig.MAX_BOOK_LEVELS_LIMIT
          + " (level_index is a smallint), got " + maxLevelsPerSide);
    }
    this.jdbc = jdbc;
    this.markets = markets;
    this.maxLevelsPerSide = maxLevelsPerSide;
    this.clock = clock;
  }

  @Override
  public Rejection validate(OrderBookSnapshot s) {
    if (s.getExchangeId() <= 0) {
      return new Rejection("exchange_id", s.getExchangeId() == 0 ? "is required" : "must be positive, got " + s.getExchangeId());
    }
    if (s.getCurrencyPairNo() <= 0) {
      return new Rejection("currency_pair_no",
          s.getCurrencyPairNo() == 0 ? "is required" : "must be positive, got " + s.getCurrencyPairNo());
    }
    if (s.getServerTimeMs() <= 0) {
      return new Rejection("server_time_ms",
          s.getServerTimeMs() == 0 ? "is required" : "must be positive, got " + s.getServerTimeMs());
    }
    if (s.getSequenceId() < 0) {
      return new Rejection("sequence_id", "must not be negative, got " + s.getSequenceId());
    }
    if (s.getReceiveTimeMs() < 0) {
      return new Rejection("receive_time_ms", "must not be negative (0 means now), got " + s.getReceiveTimeMs());
    }
    Rejection side = validateSide("bids", s.getBidsList(), -1);
    if (side == null) {
      side = validateSide("asks", s.getAsksList(), 1);
    }
    if (side != null) {
      return side;
    }
    // Last, because it may cost a query.
    if (!markets.isKnown(s.getExchangeId(), s.getCurrencyPairNo())) {
      return new Rejection("currency_pair_no", KnownMarkets.unknownReason(s.getExchangeId(), s.getCurrencyPairNo()));
    }
    return null;
  }

  /** {@code direction} -1: each price below the one before (bids); 1: above it (asks). */
  private Rejection validateSide(String side, List<PriceLevel> levels, int direction) {
    if (levels.size() > maxLevelsPerSide) {
      return new Rejection(side, "has " + levels.size() + " levels, at most " + maxLevelsPerSide + " are allowed");
    }
    String previous = null;
    for (int i = 0; i < levels.size(); i++) {
      PriceLevel level = levels.get(i);
      String price = level.getPrice();
      String why = PlainDecimal.whyNotPositive(price);
      if (why != null) {
        return new Rejection(side + "[" + i + "].price", why);
      }
      why = PlainDecimal.whyNotPositive(level.getQuantity());
      if (why != null) {
        return new Rejection(side + "[" + i + "].quantity", why);
      }
      if (previous != null && Integer.signum(PlainDecimal.compare(price, previous)) != direction) {
        return new Rejection(side + "[" + i + "].price", "must be " + (direction < 0 ? "below" : "above")
            + " " + previous + " (" + side + "[" + (i - 1) + "]): " + side + " go best first, "
            + (direction < 0 ? "highest" : "lowest") + " price first, no price twice");
      }
      previous = price;
    }
    return null;
  }

  @Override
  public String recordKey(OrderBookSnapshot s) {
    return s.getExchangeId() + "/" + s.getCurrencyPairNo() + "/" + s.getServerTimeMs() + "/" + s.getSequenceId();
  }

  @Override
  public boolean[] write(List<OrderBookSnapshot> records) {
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
    long now = clock.millis();
    jdbc.inTransaction(c -> {
      Map<SnapshotKey, Long> ids = insertHeaders(c, records, positions, uniqueCount, now);
      if (!ids.isEmpty()) {
        copyLevels(c, records, positions, uniqueCount, ids);
      }
      for (int u = 0; u < uniqueCount; u++) {
        int position = positions[u];
        inserted[position] = ids.containsKey(SnapshotKey.of(records.get(position)));
      }
      return null;
    });
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
    try (LevelCopy copy = LevelCopy.start(c)) {
      for (int u = 0; u < count; u++) {
        OrderBookSnapshot s = records.get(positions[u]);
        Long id = ids.get(SnapshotKey.of(s));
        if (id != null) {
          copy.addSide(id, BID, s.getBidsList());
          copy.addSide(id, ASK, s.getAsksList());
        }
      }
      copy.finish();
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
