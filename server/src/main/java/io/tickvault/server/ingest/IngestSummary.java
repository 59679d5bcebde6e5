package io.tickvault.server.ingest;

import io.tickvault.api.v1.RejectedRecord;
import java.util.List;

/**
 * The totals of a whole client-streaming call. {@code rejections} lists the first rejections, at
 * most {@link IngestLimits#maxSummaryRejections()} and {@link Rejections#MAX_LIST_BYTES};
 * {@code rejected} counts them all, and {@code rejectionsTruncated} says that the list was cut.
 * {@code coverageRejections} lists the first {@link #MAX_COVERAGE_REJECTIONS} refused claims.
 */
public record IngestSummary(long received, long inserted, long duplicates, long rejected, List<RejectedRecord> rejections,
                            boolean rejectionsTruncated, long coverageStored, List<RejectedRecord> coverageRejections) {
  /** Refused claims listed in a summary: under half a MiB, beside the 1 MiB of rejected records. */
  public static final int MAX_COVERAGE_REJECTIONS = 1_000;
}
