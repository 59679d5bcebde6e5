package io.tickvault.server.ingest;

/**
 * The bounds of one ingestion stream. They keep a stream's memory bounded however fast a client
 * sends and however slow PostgreSQL is: the server reads the next request only while fewer than
 * {@link #maxBufferedRecords()} records wait, so a stream holds at most that many plus one request.
 *
 * @param maxRecordsPerRequest a request with more fails the call with RESOURCE_EXHAUSTED
 * @param maxBatchRecords requests are coalesced into database batches of about this many records
 * @param maxBufferedRecords records read but not yet written, above which reading pauses
 * @param maxSummaryRejections rejections listed in a client-streaming summary; the count stays exact
 */
public record IngestLimits(int maxRecordsPerRequest, int maxBatchRecords, int maxBufferedRecords, int maxSummaryRejections) {
  /** The largest message a client may send (the gRPC default, set explicitly so it is a decision). */
  public static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
  public static final int DEFAULT_MAX_RECORDS_PER_REQUEST = 10_000;
  public static final int DEFAULT_MAX_BATCH_RECORDS = 10_000;
  public static final int DEFAULT_MAX_BUFFERED_RECORDS = 30_000;
  public static final int DEFAULT_MAX_SUMMARY_REJECTIONS = 10_000;

  public static final IngestLimits DEFAULT = new IngestLimits(DEFAULT_MAX_RECORDS_PER_REQUEST,
      DEFAULT_MAX_BATCH_RECORDS, DEFAULT_MAX_BUFFERED_RECORDS, DEFAULT_MAX_SUMMARY_REJECTIONS);

  public IngestLimits {
    requirePositive("maxRecordsPerRequest", maxRecordsPerRequest);
    requirePositive("maxBatchRecords", maxBatchRecords);
    requirePositive("maxBufferedRecords", maxBufferedRecords);
    if (maxSummaryRejections < 0) {
      throw new IllegalArgumentException("maxSummaryRejections must not be negative, got " + maxSummaryRejections);
    }
  }

  private static void requirePositive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }
}
