package io.tickvault.server.ingest;

import io.tickvault.api.v1.RejectedRecord;
import java.util.List;

/**
 * The totals of a whole client-streaming call. {@code rejections} lists the first rejections, at
 * most {@link IngestLimits#maxSummaryRejections()} and {@link Rejections#MAX_LIST_BYTES};
 * {@code rejected} counts them all, and {@code rejectionsTruncated} says that the list was cut.
 */
public record IngestSummary(long received, long inserted, long duplicates, long rejected, List<RejectedRecord> rejections,
                            boolean rejectionsTruncated) {}
