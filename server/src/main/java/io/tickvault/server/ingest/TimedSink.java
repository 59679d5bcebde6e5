package io.tickvault.server.ingest;

import io.tickvault.server.metrics.IngestMetrics;
import java.util.List;

/** A sink whose batch writes are timed into {@code tickvault_db_write_seconds{kind}}. */
record TimedSink<R>(RecordSink<R> wrapped, IngestMetrics metrics, IngestMetrics.Kind kind) implements ForwardingSink<R> {
  @Override
  public boolean[] write(List<R> records, Runnable rowsWritten) {
    long start = System.nanoTime();
    try {
      return wrapped.write(records, rowsWritten);
    } finally {
      metrics.written(kind, System.nanoTime() - start);
    }
  }
}
