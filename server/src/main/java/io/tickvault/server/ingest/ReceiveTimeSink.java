package io.tickvault.server.ingest;

import java.util.List;

/**
 * A sink that is told the receive time to store for records sent without one ({@code
 * receive_time_ms} 0, "now"), instead of reading its clock: a sink that wraps it can then give the
 * records it passes on the same time without copying each one to set it.
 *
 * @param <R> the record's protobuf message type
 */
public interface ReceiveTimeSink<R> extends RecordSink<R> {
  /** {@link #write(List, Runnable)}, records without a receive time stored with {@code nowMillis}. */
  boolean[] write(List<R> records, long nowMillis, Runnable rowsWritten);
}
