package io.tickvault.server.coverage;

import io.tickvault.api.v1.GapReport;
import io.tickvault.api.v1.GetCoverageRequest;
import io.tickvault.api.v1.GetCoverageResponse;
import io.tickvault.api.v1.Channel;
import io.tickvault.api.v1.Hole;
import io.tickvault.api.v1.HoleKind;
import io.tickvault.api.v1.TimeRange;
import io.tickvault.server.grpc.FieldViolations;
import io.tickvault.server.read.ReadArguments;
import io.tickvault.server.retention.Dataset;
import io.tickvault.server.retention.Horizons;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * GetCoverage: the covered parts of an asked range (the union of every worker's claims, cut to the
 * range), the holes between them, and beside each hole the gap reports that overlap it. The part
 * of the range before the retention horizon of the channel's table is a hole of its own kind,
 * whatever was claimed: its records are gone (docs/retention.md), and no feed lost them.
 */
public record CoverageReader(CoverageRepository repository, ReadArguments arguments, Clock clock, Horizons horizons) {
  public CoverageReader(CoverageRepository repository, ReadArguments arguments, Clock clock) {
    this(repository, arguments, clock, new Horizons(List::of));
  }

  public GetCoverageResponse coverage(GetCoverageRequest r) {
    FieldViolations violations = new FieldViolations();
    ReadArguments.marketIds(violations, r.getExchangeId(), r.getCurrencyPairNo());
    CoverageChecks.channel(violations, r.getChannel());
    long start = r.getStartTimeMs();
    long end = r.getEndTimeMs() == 0 ? clock.millis() : r.getEndTimeMs();
    if (start < 0) {
      violations.add("start_time_ms", "must not be negative (epoch milliseconds), got " + start);
    }
    if (end < 0) {
      violations.add("end_time_ms", "must be positive, or 0 for now, got " + end);
    } else if (start >= 0 && end <= start) {
      violations.add("end_time_ms", "must be greater than start_time_ms (" + start + "), got " + end
          + (r.getEndTimeMs() == 0 ? " (now)" : ""));
    }
    arguments.registered(violations, r.getExchangeId(), r.getCurrencyPairNo());
    violations.throwIfAny();

    FeedKey feed = new FeedKey(r.getExchangeId(), r.getCurrencyPairNo(), r.getChannel());
    long horizon = horizons.horizon(r.getChannel() == Channel.CHANNEL_TRADES ? Dataset.TRADES : Dataset.ORDER_BOOKS);
    long kept = Math.min(end, Math.max(start, horizon)); // [start, kept) is removed by retention
    List<TimeRange> covered = kept < end ? repository.covered(feed, kept, end) : List.of();
    List<TimeRange> holes = holes(covered, kept, end);
    GetCoverageResponse.Builder response = GetCoverageResponse.newBuilder()
        .setComplete(holes.isEmpty() && kept == start)
        .addAllCovered(covered);
    if (kept > start) {
      response.addHoles(Hole.newBuilder().setFromTimeMs(start).setUntilTimeMs(kept)
          .setKind(HoleKind.HOLE_KIND_REMOVED_BY_RETENTION));
    }
    List<GapReport> reports = holes.isEmpty() ? List.of() : repository.gaps(feed, kept, end);
    for (TimeRange hole : holes) {
      Hole.Builder h = Hole.newBuilder().setFromTimeMs(hole.getFromTimeMs()).setUntilTimeMs(hole.getUntilTimeMs())
          .setKind(HoleKind.HOLE_KIND_NOT_CLAIMED);
      for (GapReport report : reports) { // oldest range first: none after one that starts past the hole
        if (report.getFromTimeMs() >= hole.getUntilTimeMs()) {
          break;
        }
        if (report.getUntilTimeMs() > hole.getFromTimeMs()) {
          h.addReports(report);
        }
      }
      response.addHoles(h);
    }
    return response.build();
  }

  /** What {@code covered} (merged, oldest first, inside the range) leaves of {@code [start, end)}. */
  static List<TimeRange> holes(List<TimeRange> covered, long start, long end) {
    List<TimeRange> holes = new ArrayList<>();
    long at = start;
    for (TimeRange c : covered) {
      if (c.getFromTimeMs() > at) {
        holes.add(TimeRange.newBuilder().setFromTimeMs(at).setUntilTimeMs(c.getFromTimeMs()).build());
      }
      at = Math.max(at, c.getUntilTimeMs());
    }
    if (at < end) {
      holes.add(TimeRange.newBuilder().setFromTimeMs(at).setUntilTimeMs(end).build());
    }
    return holes;
  }
}
