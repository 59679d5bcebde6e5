package io.tickvault.server.ingest;

import io.tickvault.api.v1.RejectionReason;
import java.util.List;

/**
 * One kind of market-data record (a trade, an order book snapshot) as the shared ingestion
 * machinery sees it: how to check one record, how to name it, and how to write a batch of them.
 * The machinery owns flow control, batching, counting and acknowledgements; a sink knows only its
 * own table(s).
 *
 * @param <R> the record's protobuf message type
 */
public interface RecordSink<R> {
  /** Checks one record on its own; returns why it is refused, or null when it may be written. */
  Rejection validate(R record);

  /** The record's natural key as text, for {@code RejectedRecord.record_key} and logs. */
  String recordKey(R record);

  /** The exchange the record belongs to, which the caller's token must reach. */
  int exchangeId(R record);

  /**
   * Writes valid records in one transaction with {@code INSERT … ON CONFLICT DO NOTHING} on the
   * natural key, in as few round trips as possible. Returns, per position of {@code records},
   * whether this call inserted that record; every other record was a duplicate (already stored,
   * or an earlier record of the same batch with the same key). Either the whole batch is
   * committed or none of it: a failure throws {@link io.tickvault.server.db.DataAccessException}.
   *
   * <p>{@code rowsWritten} is run once every row is in the transaction, just before its commit:
   * the stream's next batch starts writing then, while this one commits. Its keys are held by
   * then, so a key of this batch sent again in the next one waits for this commit and counts
   * there as a duplicate: the first write stands, in stream order. (Should this batch then fail
   * to commit, the call fails at this batch and the repeat may be the write that stands.)
   */
  boolean[] write(List<R> records, Runnable rowsWritten);

  /** {@link #write(List, Runnable)} with nothing waiting for the rows. */
  default boolean[] write(List<R> records) {
    return write(records, () -> { });
  }

  /**
   * Why one record was refused: the kind of fault (for workers to route on), the field at fault as
   * named in the .proto, and the reason in words.
   */
  record Rejection(RejectionReason code, String field, String reason) {}
}
