package io.tickvault.server.coverage;

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
  public void reportGap(Feed feed, long fromMs, long untilMs, GapReason reason, String detail) {
    jdbc.execute("""
        INSERT INTO feed_gaps (exchange_id, currency_pair_no, channel, from_time_ms, until_time_ms, reason, detail)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT ON CONSTRAINT uq_feed_gap DO NOTHING""",
        feed.exchangeId(), feed.currencyPairNo(), feed.channelCode(), fromMs, untilMs, (short) reason.getNumber(), detail);
  }

  /** Merges {@code [fromMs, untilMs)} into the feed's coverage. */
  public void claim(Feed feed, long fromMs, long untilMs) {
    jdbc.execute("""
        INSERT INTO feed_coverage AS f (exchange_id, currency_pair_no, channel, covered)
        VALUES (?, ?, ?, int8multirange(int8range(?, ?)))
        ON CONFLICT (exchange_id, currency_pair_no, channel)
        DO UPDATE SET covered = f.covered + excluded.covered, updated_at = now()""",
        feed.exchangeId(), feed.currencyPairNo(), feed.channelCode(), fromMs, untilMs);
  }

  /** The covered parts of {@code [startMs, endMs)}, oldest first, cut to it and merged. */
  public List<TimeRange> covered(Feed feed, long startMs, long endMs) {
    return jdbc.query("""
        SELECT lower(r), upper(r)
          FROM feed_coverage f, unnest(f.covered * int8multirange(int8range(?, ?))) AS r
         WHERE f.exchange_id = ? AND f.currency_pair_no = ? AND f.channel = ?
         ORDER BY 1""",
        row -> TimeRange.newBuilder().setFromTimeMs(row.getLong(1)).setUntilTimeMs(row.getLong(2)).build(),
        startMs, endMs, feed.exchangeId(), feed.currencyPairNo(), feed.channelCode());
  }

  /** The gap reports of the feed that overlap {@code [startMs, endMs)}, oldest range first. */
  public List<GapReport> gaps(Feed feed, long startMs, long endMs) {
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
}
