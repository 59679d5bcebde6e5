package io.tickvault.server.ingest;

import java.util.ArrayDeque;

/**
 * The batches of one call between validation and answer, in stream order: one validated and
 * waiting, and at most two handed to the {@link GroupCommitter}. The next batch is handed in once
 * the one before it is committed; after a large batch (a tenth of
 * {@link IngestLimits#maxBatchRecords()} valid records or more: 1,000 trades, a bulk sender's
 * request) already once its rows are in, so a fast stream's next COPY overlaps its commit. Small
 * batches wait for the commit: the groups that follow each other then hold other streams' batches,
 * of other markets, and commit side by side instead of each waiting for the locks of the one
 * before (its candle and commit-log rows, held to its commit). Used by its call's drain task
 * alone, one run at a time, handed from one run to the next through the executor.
 */
final class BatchPipeline<R> {
  private final int overlapRecords;

  private final ArrayDeque<IngestBatch<R>> inFlight = new ArrayDeque<>(2);
  private IngestBatch<R> prepared;

  BatchPipeline(IngestLimits limits) {
    this.overlapRecords = Math.max(1, limits.maxBatchRecords() / 10);
  }

  /** The oldest batch in flight once it is written (committed or failed), taken off; null when none is. */
  IngestBatch<R> takeWritten() {
    return !inFlight.isEmpty() && inFlight.peek().written().isDone() ? inFlight.poll() : null;
  }

  boolean nothingInFlight() {
    return inFlight.isEmpty();
  }

  boolean hasPrepared() {
    return prepared != null;
  }

  void prepare(IngestBatch<R> batch) {
    prepared = batch;
  }

  /**
   * Hands the prepared batch to the committer if the batch before it is far enough (see the class
   * comment); true when it did. {@code onProgress} runs when the batch is written, and for a large
   * one also when its rows are in.
   */
  boolean startPrepared(Runnable onProgress) {
    IngestBatch<R> last = inFlight.peekLast();
    boolean lastDone = last == null || last.written().isDone()
        || last.rowsIn().isDone() && last.validRecords() >= overlapRecords;
    if (prepared == null || inFlight.size() >= 2 || !lastDone) {
      return false;
    }
    IngestBatch<R> batch = prepared;
    prepared = null;
    batch.start();
    inFlight.add(batch);
    if (batch.validRecords() >= overlapRecords) { // only a large batch lets the next start at its rows
      batch.rowsIn().whenComplete((done, failed) -> onProgress.run());
    }
    batch.written().whenComplete((done, failed) -> onProgress.run());
    return true;
  }
}
