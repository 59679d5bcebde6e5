package io.tickvault.client.cli;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tickvault.api.v1.IngestOrderBooksResponse;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.RejectedRecord;
import io.tickvault.client.BatchingStreamWriter;
import io.tickvault.client.OrderBookStreamWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Order book snapshots over IngestOrderBooks in calls of at most {@link #CALL_SNAPSHOTS} snapshots
 * (or about {@link #CALL_BYTES}), keeping each call's snapshots until its summary comes: when a call
 * fails with UNAVAILABLE (the server stopping for a restart, PostgreSQL away) the same snapshots are
 * sent again on a new call after a backoff, for up to {@link #RETRY_FOR} without progress. Those the
 * failed call had committed come back as duplicates, so the totals of inserted and duplicates
 * stay exact for the file but a retry moves some of this run's inserts into duplicates.
 */
final class ResendingOrderBookSender implements IngestCommand.Sender<OrderBookSnapshot> {
  static final int CALL_SNAPSHOTS = 5_000;
  static final long CALL_BYTES = 64L * 1024 * 1024;
  static final Duration RETRY_FOR = Duration.ofMinutes(2);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final Channel channel;
  private final CallOptions options;
  private final int batchSize;
  private final IngestCommand.Reconnects reconnects;
  private final List<OrderBookSnapshot> pending = new ArrayList<>();
  private long pendingBytes;
  private OrderBookStreamWriter writer;

  private long acknowledged;
  private long received;
  private long inserted;
  private long duplicates;
  private long rejected;
  private final List<RejectedRecord> rejections = new ArrayList<>();
  private int reconnectCount;

  ResendingOrderBookSender(Channel channel, CallOptions options, int batchSize, IngestCommand.Reconnects reconnects) {
    this.channel = channel;
    this.options = options;
    this.batchSize = batchSize;
    this.reconnects = reconnects;
  }

  @Override
  public void write(OrderBookSnapshot snapshot) throws InterruptedException {
    pending.add(snapshot);
    pendingBytes += snapshot.getSerializedSize();
    try {
      if (writer == null) {
        writer = open();
        for (OrderBookSnapshot p : pending) {
          writer.write(p);
        }
      } else {
        writer.write(snapshot);
      }
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
        throw e;
      }
      writer = null; // the next write, or finishCall, sends everything pending on a new call
    }
    if (pending.size() >= CALL_SNAPSHOTS || pendingBytes >= CALL_BYTES) {
      finishCall();
    }
  }

  @Override
  public IngestCommand.Summary finish() throws InterruptedException {
    finishCall();
    return new IngestCommand.Summary(received, inserted, duplicates, rejected, List.copyOf(rejections), reconnectCount);
  }

  @Override
  public long acknowledged() {
    return acknowledged;
  }

  @Override
  public void close() {
    if (writer != null) {
      writer.close();
    }
  }

  /** Ends the current call and counts its summary, sending its snapshots again until one call succeeds. */
  private void finishCall() throws InterruptedException {
    if (pending.isEmpty()) {
      return;
    }
    long lastProgress = System.nanoTime();
    Duration backoff = FIRST_BACKOFF;
    int attempt = 0;
    while (true) {
      try {
        if (writer == null) {
          writer = open();
          for (OrderBookSnapshot snapshot : pending) {
            writer.write(snapshot);
          }
        }
        IngestOrderBooksResponse summary = writer.finish();
        count(summary);
        writer = null;
        pending.clear();
        pendingBytes = 0;
        return;
      } catch (StatusRuntimeException e) {
        writer = null;
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || System.nanoTime() - lastProgress > RETRY_FOR.toNanos()) {
          throw e;
        }
        reconnectCount++;
        reconnects.reconnecting(++attempt, e.getStatus());
        Thread.sleep(backoff.toMillis()); // a backoff before calling again, not waiting for a condition
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
      }
    }
  }

  private void count(IngestOrderBooksResponse summary) {
    for (RejectedRecord rejection : summary.getRejectionsList()) {
      rejections.add(rejection.toBuilder().setIndex(acknowledged + rejection.getIndex()).build());
    }
    received += summary.getReceived();
    inserted += summary.getInserted();
    duplicates += summary.getDuplicates();
    rejected += summary.getRejected();
    acknowledged += pending.size();
  }

  private OrderBookStreamWriter open() {
    return OrderBookStreamWriter.open(channel, options, batchSize, BatchingStreamWriter.DEFAULT_MAX_BATCH_BYTES);
  }
}
