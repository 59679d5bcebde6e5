package io.tickvault.server.coverage;

import io.tickvault.api.v1.GapReason;
import io.tickvault.api.v1.ReportGapRequest;
import io.tickvault.server.grpc.FieldViolations;
import io.tickvault.server.ingest.RecordChecks;
import io.tickvault.server.read.ReadArguments;
import java.time.Clock;

/** ReportGap: checks a worker's report of a missing range and stores it once. */
public record GapReports(CoverageRepository repository, ReadArguments arguments, Clock clock) {
  /** Stores the report, or throws INVALID_ARGUMENT naming every bad field (the market checked last). */
  public void report(ReportGapRequest r) {
    FieldViolations violations = new FieldViolations();
    ReadArguments.marketIds(violations, r.getExchangeId(), r.getCurrencyPairNo());
    CoverageChecks.channel(violations, r.getChannel());
    CoverageChecks.range(violations, r.getFromTimeMs(), r.getUntilTimeMs(), RecordChecks.latestTime(clock));
    if (r.getReason() == GapReason.GAP_REASON_UNSPECIFIED) {
      violations.add("reason", "is required (GAP_REASON_OTHER when none fits, with a detail)");
    } else if (r.getReason() == GapReason.UNRECOGNIZED) {
      violations.add("reason", "is not a reason this server knows: " + r.getReasonValue());
    }
    String detail = r.getDetail();
    if (detail.length() > CoverageChecks.MAX_DETAIL) {
      violations.add("detail", "is " + detail.length() + " characters, at most " + CoverageChecks.MAX_DETAIL + " are allowed");
    } else if (detail.indexOf('\0') >= 0) {
      violations.add("detail", "must not contain the NUL character"); // PostgreSQL text cannot hold it
    }
    arguments.registered(violations, r.getExchangeId(), r.getCurrencyPairNo());
    violations.throwIfAny();
    repository.reportGap(new FeedKey(r.getExchangeId(), r.getCurrencyPairNo(), r.getChannel()),
        r.getFromTimeMs(), r.getUntilTimeMs(), r.getReason(), detail);
  }
}
