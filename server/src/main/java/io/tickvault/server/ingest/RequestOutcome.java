package io.tickvault.server.ingest;

import io.tickvault.api.v1.RejectedRecord;
import java.util.List;

/**
 * What became of the records and coverage claims of one request, once they are committed.
 *
 * @param requestIndex zero-based position of the request in its stream
 * @param rejected every rejected record of the request, counted exactly
 * @param rejections one per rejected record, index counted from the start of the stream; the
 *     first ones only when {@code rejectionsTruncated} (see {@link Rejections})
 * @param coverageStored the request's valid claims, stored
 * @param coverageRejections one per refused claim, index counted over the claims of the stream
 */
public record RequestOutcome(long requestIndex, int received, int inserted, int duplicates, int rejected,
                             List<RejectedRecord> rejections, boolean rejectionsTruncated, int coverageStored,
                             List<RejectedRecord> coverageRejections) {}
