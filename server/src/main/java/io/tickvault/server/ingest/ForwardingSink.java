package io.tickvault.server.ingest;

/**
 * A sink that adds to the write of the sink it wraps (timing it, offering what it stored to a
 * cache) and leaves the rest to it: how a record is checked and named, and its exchange.
 *
 * @param <R> the record's protobuf message type
 */
public interface ForwardingSink<R> extends RecordSink<R> {
  /** The sink this one adds to. */
  RecordSink<R> wrapped();

  @Override
  default Rejection validate(R record) {
    return wrapped().validate(record);
  }

  @Override
  default String recordKey(R record) {
    return wrapped().recordKey(record);
  }

  @Override
  default int exchangeId(R record) {
    return wrapped().exchangeId(record);
  }
}
