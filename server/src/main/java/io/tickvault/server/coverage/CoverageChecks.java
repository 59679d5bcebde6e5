package io.tickvault.server.coverage;

import io.tickvault.api.v1.Channel;
import io.tickvault.api.v1.RejectionReason;
import io.tickvault.server.grpc.FieldViolations;
import io.tickvault.server.ingest.RecordChecks;
import io.tickvault.server.ingest.RecordSink.Rejection;

/**
 * The checks of a range of a feed that claims, gap reports and coverage reads share, worded as the checks
 * of records are ({@link RecordChecks}): a range of exchange time is held to what a record's time
 * may be.
 */
final class CoverageChecks {
  /** Longest detail of a gap report: it is part of the report's key, so it must fit an index entry. */
  static final int MAX_DETAIL = 1_024;

  private CoverageChecks() {}

  /** The channel: required, and one this server knows. */
  static void channel(FieldViolations violations, Channel channel) {
    if (channel == Channel.CHANNEL_UNSPECIFIED) {
      violations.add("channel", "is required (CHANNEL_TRADES or CHANNEL_ORDER_BOOKS)");
    } else if (channel == Channel.UNRECOGNIZED) {
      violations.add("channel", "is not a channel this server knows");
    }
  }

  /** {@link #range(FieldViolations, long, long, long)} for a claim: the first fault, or null. */
  static Rejection range(long fromMs, long untilMs, long latest) {
    Rejection from = RecordChecks.time("from_time_ms", fromMs, latest);
    if (from != null) {
      return from;
    }
    Rejection until = RecordChecks.time("until_time_ms", untilMs, latest);
    if (until != null) {
      return until;
    }
    return untilMs > fromMs ? null
        : new Rejection(RejectionReason.REJECTION_REASON_INVALID_CLAIM, "until_time_ms", "must be greater than from_time_ms (" + fromMs + "), got " + untilMs);
  }

  /** {@code [from, until)} of exchange time: both plausible record times, until after from. */
  static void range(FieldViolations violations, long fromMs, long untilMs, long latest) {
    Rejection from = RecordChecks.time("from_time_ms", fromMs, latest);
    if (from != null) {
      violations.add(from.field(), from.reason());
    }
    Rejection until = RecordChecks.time("until_time_ms", untilMs, latest);
    if (until != null) {
      violations.add(until.field(), until.reason());
    } else if (from == null && untilMs <= fromMs) {
      violations.add("until_time_ms", "must be greater than from_time_ms (" + fromMs + "), got " + untilMs);
    }
  }
}
