package io.tickvault.server.ingest;

import io.tickvault.server.grpc.MemoryBudget;

/**
 * The bounds of one ingestion stream. They keep a stream's memory bounded however fast a client
 * sends and however slow PostgreSQL is: the server reads the next request only while fewer than
 * {@link #maxBufferedRecords()} records and fewer than {@link #maxBufferedBytes()} bytes wait, so a
 * stream holds at most that much plus one request (and the server as a whole what its
 * {@link MemoryBudget} allows).
 *
 * @param maxRecordsPerRequest a request with more fails the call with RESOURCE_EXHAUSTED
 * @param maxBatchRecords requests are coalesced into database batches of about this many records
 * @param maxBufferedRecords records read but not yet written, above which reading pauses
 * @param maxBufferedBytes serialized bytes of the requests read but not yet written, above which
 *     reading pauses: a few large records weigh as much as many small ones
 * @param maxSummaryRejections rejections listed in a client-streaming summary; the count stays exact
 */
public record IngestLimits(int maxRecordsPerRequest, int maxBatchRecords, int maxBufferedRecords, int maxSummaryRejections,
                           long maxBufferedBytes) {
  /** The largest message a client may send (the gRPC default, set explicitly so it is a decision). */
  public static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
  public static final int DEFAULT_MAX_RECORDS_PER_REQUEST = 10_000;
  public static final int DEFAULT_MAX_BATCH_RECORDS = 10_000;
  public static final int DEFAULT_MAX_BUFFERED_RECORDS = 30_000;
  public static final int DEFAULT_MAX_SUMMARY_REJECTIONS = 10_000;
  /** Two full messages: one being written while the next is read. */
  public static final long DEFAULT_MAX_BUFFERED_BYTES = 2L * MAX_MESSAGE_BYTES;

  public static final IngestLimits DEFAULT = new IngestLimits(DEFAULT_MAX_RECORDS_PER_REQUEST,
      DEFAULT_MAX_BATCH_RECORDS, DEFAULT_MAX_BUFFERED_RECORDS, DEFAULT_MAX_SUMMARY_REJECTIONS);

  /** The limits with the default byte bound. */
  public IngestLimits(int maxRecordsPerRequest, int maxBatchRecords, int maxBufferedRecords, int maxSummaryRejections) {
    this(maxRecordsPerRequest, maxBatchRecords, maxBufferedRecords, maxSummaryRejections, DEFAULT_MAX_BUFFERED_BYTES);
  }

  public IngestLimits {
    requirePositive("maxRecordsPerRequest", maxRecordsPerRequest);
    requirePositive("maxBufferedBytes", maxBufferedBytes);
    requirePositive("maxBatchRecords", maxBatchRecords);
    requirePositive("maxBufferedRecords", maxBufferedRecords);
    if (maxSummaryRejections < 0) {
      throw new IllegalArgumentException("maxSummaryRejections must not be negative, got " + maxSummaryRejections);
    }
  }

  private static void requirePositive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }
}
