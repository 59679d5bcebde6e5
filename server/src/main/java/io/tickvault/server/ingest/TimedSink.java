package io.tickvault.server.ingest;

import io.tickvault.server.metrics.IngestMetrics;
import java.util.List;

/** A sink whose batch writes are timed into {@code tickvault_db_write_seconds{kind}}. */
final class TimedSink<R> implements RecordSink<R> {
  private final RecordSink<R> sink;
  private final IngestMetrics metrics;
  private final IngestMetrics.Kind kind;

  TimedSink(RecordSink<R> sink, IngestMetrics metrics, IngestMetrics.Kind kind) {
    this.sink = sink;
    this.metrics = metrics;
    this.kind = kind;
  }

  @Override
  public Rejection validate(R record) {
    return sink.validate(record);
  }

  @Override
  public String recordKey(R record) {
    return sink.recordKey(record);
  }

  @Override
  public int exchangeId(R record) {
    return sink.exchangeId(record);
  }

  @Override
  public boolean[] write(List<R> records, Runnable rowsWritten) {
    long start = System.nanoTime();
    try {
      return sink.write(records, rowsWritten);
    } finally {
      metrics.written(kind, System.nanoTime() - start);
    }
  }
}
