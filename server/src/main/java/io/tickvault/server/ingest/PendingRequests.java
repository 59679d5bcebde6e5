package io.tickvault.server.ingest;

import io.grpc.StatusRuntimeException;
import io.tickvault.api.v1.CoverageClaim;
import io.tickvault.server.grpc.MemoryBudget;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The requests a call has read and not yet written, in stream order, counted in records and in
 * serialized bytes against the stream's {@link IngestLimits}; the bytes are counted in the
 * server's {@link MemoryBudget} too. Not thread-safe: its call uses it under its own lock, and
 * gives the bytes that {@link #written} and {@link #clear} return back to the memory once it has
 * left that lock (giving back wakes other streams, whose locks must never be taken inside it).
 */
final class PendingRequests<R> {
  /**
   * A request read from the stream, or the error that ends the call at its place in the queue.
   * Claims are numbered from the stream's start, as records are.
   */
  record Pending<R>(long requestIndex, long firstRecordIndex, List<R> records, long firstClaimIndex,
                    List<CoverageClaim> claims, long bytes, StatusRuntimeException failure) {}

  private final ArrayDeque<Pending<R>> queue = new ArrayDeque<>();
  private final IngestLimits limits;
  private final MemoryBudget memory;
  private long records;
  private long bytes;

  PendingRequests(IngestLimits limits, MemoryBudget memory) {
    this.limits = limits;
    this.memory = memory;
  }

  void add(Pending<R> pending) {
    queue.add(pending);
    records += pending.records().size();
    bytes += pending.bytes();
    memory.take(pending.bytes());
  }

  /** Whether the stream holds as much as it may: it reads no more until a batch is written. */
  boolean isFull() {
    return records >= limits.maxBufferedRecords() || bytes >= limits.maxBufferedBytes();
  }

  /**
   * Takes whole requests off the front, about {@link IngestLimits#maxBatchRecords()} records of
   * them, up to the first failure; they stay counted until {@link #written}. Empty when the queue
   * is, or when a failure is at its front.
   */
  List<Pending<R>> takeBatch() {
    List<Pending<R>> batch = new ArrayList<>();
    int taken = 0;
    while (!queue.isEmpty() && queue.peek().failure() == null && taken < limits.maxBatchRecords()) {
      Pending<R> next = queue.poll();
      taken += next.records().size();
      batch.add(next);
    }
    return batch;
  }

  /** The failure at the front of the queue, taken off it; null when the queue is empty. */
  StatusRuntimeException takeFailure() {
    Pending<R> next = queue.poll();
    return next == null ? null : next.failure();
  }

  /** Counts a written batch out; returns its bytes, to give back to the memory. */
  long written(List<Pending<R>> batch) {
    long writtenBytes = 0;
    for (Pending<R> pending : batch) {
      records -= pending.records().size();
      writtenBytes += pending.bytes();
    }
    bytes -= writtenBytes;
    return writtenBytes;
  }

  /** Drops every request, written or not; returns the bytes they held, to give back to the memory. */
  long clear() {
    queue.clear();
    records = 0;
    long held = bytes;
    bytes = 0;
    return held;
  }
}
