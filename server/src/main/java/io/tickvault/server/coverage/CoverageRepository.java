package io.tickvault.server.coverage;

import io.tickvault.api.v1.Channel;
import io.tickvault.api.v1.CoverageClaim;
import io.tickvault.api.v1.Feed;
import io.tickvault.api.v1.GapReason;
import io.tickvault.api.v1.GapReport;
import io.tickvault.api.v1.TimeRange;
import io.tickvault.server.db.Jdbc;
import java.util.List;

/**
 * The only place that knows {@code feed_coverage} and {@code feed_gaps} (migration V4). A feed's
 * coverage is one {@code int8multirange} row: PostgreSQL merges each claim into it and cuts it to
 * an asked range, so a read costs one row however many claims made it.
 */
public final class CoverageRepository {
  private final Jdbc jdbc;

  public CoverageRepository(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** Stores a gap report once: the same report again changes nothing. */
  public void reportGap(FeedKey feed, long fromMs, long untilMs, GapReason reason, String detail) {
    jdbc.execute("""
        INSERT INTO feed_gaps (exchange_id, currency_pair_no, channel, from_time_ms, until_time_ms, reason, detail)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT ON CONSTRAINT uq_feed_gap DO NOTHING""",
        feed.exchangeId(), feed.currencyPairNo(), feed.channelCode(), fromMs, untilMs, (short) reason.getNumber(), detail);
  }

  /**
   * Merges claims of one channel into their feeds' coverage in one statement: the claims of each
   * feed are first merged together ({@code range_agg}), then into its row, feeds in key order so
   * that two streams claiming the same feeds never wait for each other in a cycle.
   */
  public void claim(Channel channel, List<CoverageClaim> claims) {
    Integer[] exchanges = new Integer[claims.size()];
    Integer[] pairs = new Integer[claims.size()];
    Long[] froms = new Long[claims.size()];
    Long[] untils = new Long[claims.size()];
    for (int i = 0; i < claims.size(); i++) {
      CoverageClaim c = claims.get(i);
      exchanges[i] = c.getExchangeId();
      pairs[i] = c.getCurrencyPairNo();
      froms[i] = c.getFromTimeMs();
      untils[i] = c.getUntilTimeMs();
    }
    jdbc.withConnection(c -> Jdbc.execute(c, """
        INSERT INTO feed_coverage AS f (exchange_id, currency_pair_no, channel, covered)
        SELECT e, p, ?, range_agg(int8range(fr, un))
          FROM unnest(?, ?, ?, ?) AS claim(e, p, fr, un)
         GROUP BY e, p
         ORDER BY e, p
        ON CONFLICT (exchange_id, currency_pair_no, channel)
        DO UPDATE SET covered = f.covered + excluded.covered, updated_at = now()""",
        (short) channel.getNumber(), c.createArrayOf("integer", exchanges), c.createArrayOf("integer", pairs),
        c.createArrayOf("bigint", froms), c.createArrayOf("bigint", untils)));
  }

  /** Merges {@code [fromMs, untilMs)} into the feed's coverage. */
  public void claim(FeedKey feed, long fromMs, long untilMs) {
    claim(feed.channel(), List.of(CoverageClaim.newBuilder().setExchangeId(feed.exchangeId())
        .setCurrencyPairNo(feed.currencyPairNo()).setFromTimeMs(fromMs).setUntilTimeMs(untilMs).build()));
  }

  /** The covered parts of {@code [startMs, endMs)}, oldest first, cut to it and merged. */
  public List<TimeRange> covered(FeedKey feed, long startMs, long endMs) {
    return jdbc.query("""
        SELECT lower(r), upper(r)
          FROM feed_coverage f, unnest(f.covered * int8multirange(int8range(?, ?))) AS r
         WHERE f.exchange_id = ? AND f.currency_pair_no = ? AND f.channel = ?""", // unnest gives them in order
        row -> TimeRange.newBuilder().setFromTimeMs(row.getLong(1)).setUntilTimeMs(row.getLong(2)).build(),
        startMs, endMs, feed.exchangeId(), feed.currencyPairNo(), feed.channelCode());
  }

  /** The gap reports of the feed that overlap {@code [startMs, endMs)}, oldest range first. */
  public List<GapReport> gaps(FeedKey feed, long startMs, long endMs) {
    return jdbc.query("""
        SELECT from_time_ms, until_time_ms, reason, detail
          FROM feed_gaps
         WHERE exchange_id = ? AND currency_pair_no = ? AND channel = ?
           AND from_time_ms < ? AND until_time_ms > ?
         ORDER BY from_time_ms, until_time_ms, reason, detail""",
        row -> GapReport.newBuilder()
            .setFromTimeMs(row.getLong(1))
            .setUntilTimeMs(row.getLong(2))
            .setReasonValue(row.getShort(3))
            .setDetail(row.getString(4))
            .build(),
        feed.exchangeId(), feed.currencyPairNo(), feed.channelCode(), endMs, startMs);
  }

  /**
   * Every feed with a claim or a record, of one exchange or all (0), with where its coverage ends
   * and its newest record's time. Each newest time is one descent of the market's time index
   * ({@code ix_trades_market_time}, {@code uq_orderbook_snapshot}).
   */
  public List<Feed> feeds(int exchangeId) {
    return jdbc.query("""
        SELECT * FROM (
          SELECT p.exchange_id, p.currency_pair_no, ch.channel,
                 coalesce(upper(f.covered), 0) AS covered_until_ms,
                 coalesce(CASE ch.channel
                   WHEN 1 THEN (SELECT max(t.trade_time_ms) FROM trades t
                                 WHERE t.exchange_id = p.exchange_id AND t.currency_pair_no = p.currency_pair_no)
                   ELSE (SELECT max(s.server_time_ms) FROM orderbook_snapshots s
                          WHERE s.exchange_id = p.exchange_id AND s.currency_pair_no = p.currency_pair_no)
                 END, 0) AS last_record_time_ms
            FROM currency_pairs p
           CROSS JOIN (VALUES (1::smallint), (2::smallint)) AS ch (channel)
            LEFT JOIN feed_coverage f
              ON f.exchange_id = p.exchange_id AND f.currency_pair_no = p.currency_pair_no AND f.channel = ch.channel
           WHERE ? = 0 OR p.exchange_id = ?) AS feed
         WHERE covered_until_ms > 0 OR last_record_time_ms > 0
         ORDER BY exchange_id, currency_pair_no, channel""",
        row -> Feed.newBuilder()
            .setExchangeId(row.getInt(1))
            .setCurrencyPairNo(row.getInt(2))
            .setChannelValue(row.getShort(3))
            .setCoveredUntilMs(row.getLong(4))
            .setLastRecordTimeMs(row.getLong(5))
            .build(),
        exchangeId, exchangeId);
  }
}
